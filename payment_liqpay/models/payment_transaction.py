import logging
from datetime import timedelta

from werkzeug import urls

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.payment.const import CURRENCY_MINOR_UNITS

from .. import const
from ..controllers.main import LiqPayController
from ..liqpay import LiqPayError, format_amount

_logger = logging.getLogger(__name__)

OPEN_STATES = ("draft", "pending", "authorized")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    liqpay_status = fields.Char(
        string="LiqPay Status",
        help="The last status LiqPay reported for this payment.",
        readonly=True,
        copy=False,
    )
    liqpay_last_change_ms = fields.Float(
        string="LiqPay Last Change",
        help="When LiqPay last changed this payment (milliseconds since 1970, from LiqPay): "
        "older notices are ignored.",
        digits=(16, 0),
        readonly=True,
        copy=False,
    )
    liqpay_checked_at = fields.Datetime(
        string="Last Checked at LiqPay",
        help="When LiqPay was last asked about this payment (scheduled check or the "
        "customer's return).",
        readonly=True,
        copy=False,
    )

    # === BUSINESS METHODS - PAYMENT FLOW === #

    def _liqpay_digits(self):
        return CURRENCY_MINOR_UNITS.get(self.currency_id.name, self.currency_id.decimal_places)

    def _get_specific_rendering_values(self, processing_values):
        """Override of `payment` to return the LiqPay checkout form's values.

        Note: self.ensure_one() from `_get_processing_values`

        :param dict processing_values: The generic and specific processing values of the
                                       transaction
        :return: The dict of provider-specific rendering values: `api_url`, `data`, `signature`
        :rtype: dict
        """
        res = super()._get_specific_rendering_values(processing_values)
        if self.provider_code != "liqpay":
            return res

        # sudo: the keys sign the customer's checkout form; only the system may read them.
        provider_sudo = self.provider_id.sudo()
        client = provider_sudo._liqpay_client()
        base_url = provider_sudo.get_base_url()
        return_url = urls.url_join(base_url, LiqPayController._return_url)
        params = {
            "action": "pay",
            "amount": format_amount(self.amount, self._liqpay_digits()),
            "currency": self.currency_id.name,
            "description": _("Payment %(reference)s", reference=self.reference),
            "order_id": self.reference,
            "result_url": f"{return_url}?{urls.url_encode({'ref': self.reference})}",
            "server_url": urls.url_join(base_url, LiqPayController._webhook_url),
            "language": const.CHECKOUT_LANGUAGE,
        }
        if provider_sudo._liqpay_is_test():
            params["sandbox"] = "1"
        form = client.checkout_form(params)
        return {
            "api_url": client.checkout_url,
            "data": form["data"],
            "signature": form["signature"],
        }

    def _send_refund_request(self, amount_to_refund=None):
        """Override of `payment` to refund the payment at LiqPay.

        A refusal of LiqPay is raised (nothing is kept); when LiqPay's answer is
        uncertain, the refund is kept pending and never sent again: the
        scheduled reconciliation asks LiqPay whether the payment was reversed.

        Note: self.ensure_one()

        :param float amount_to_refund: The amount to refund.
        :return: The refund transaction.
        :rtype: recordset of `payment.transaction`
        """
        refund_tx = super()._send_refund_request(amount_to_refund=amount_to_refund)
        if self.provider_code != "liqpay":
            return refund_tx

        # sudo: the keys sign the request; only the system may read them.
        provider_sudo = self.provider_id.sudo()
        client = provider_sudo._liqpay_client()
        try:
            answer = client.refund(self.reference, -refund_tx.amount, self._liqpay_digits())
        except LiqPayError as error:
            if not error.uncertain:
                raise provider_sudo._liqpay_user_error(error) from error
            _logger.warning(
                "LiqPay: the refund %s of transaction %s has an unknown outcome (%s); "
                "it is left pending and checked with LiqPay",
                refund_tx.reference,
                self.reference,
                error.code,
            )
            # sudo: the vendor's answer, not the user's input
            refund_tx.sudo()._set_pending(
                state_message="LiqPay: " + provider_sudo._liqpay_error_message(error)
            )
            return refund_tx
        # sudo: the vendor's answer, not the user's input
        refund_tx.sudo()._liqpay_apply_refund_answer(answer)
        return refund_tx

    def _liqpay_apply_refund_answer(self, answer):
        """Apply LiqPay's answer about a refund to this refund transaction."""
        self.ensure_one()
        status = answer.get("status")
        if answer.get("payment_id") and not self.provider_reference:
            self.provider_reference = str(answer["payment_id"])
        self.liqpay_status = status
        if status in const.PAYMENT_STATUS_MAPPING["refunded"]:
            self._set_done()
        elif status in const.PAYMENT_STATUS_MAPPING["error"]:
            self._set_error("LiqPay: " + self._liqpay_failure_reason(answer))
        else:
            self._set_pending()

    # === BUSINESS METHODS - NOTIFICATIONS === #

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        """Override of `payment` to find the transaction based on LiqPay data.

        :param str provider_code: The code of the provider that handled the transaction.
        :param dict notification_data: The payment data sent by LiqPay (decoded `data`).
        :return: The transaction if found.
        :rtype: recordset of `payment.transaction`
        :raise ValidationError: If the data match no transaction.
        """
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code != "liqpay" or len(tx) == 1:
            return tx

        reference = notification_data.get("order_id")
        if not reference:
            raise ValidationError(_("LiqPay: received data without a transaction reference."))
        tx = self.search([("reference", "=", reference), ("provider_code", "=", "liqpay")])
        if not tx:
            raise ValidationError(
                _("LiqPay: no transaction found matching reference %s.", reference)
            )
        return tx

    def _process_notification_data(self, notification_data):
        """Override of `payment` to process the transaction based on LiqPay data.

        The same processing serves the callbacks, the return of the customer and
        the reconciliation: older notices are ignored, the amount and currency
        must be the transaction's, a paid transaction never goes back.

        Note: self.ensure_one()

        :param dict notification_data: The payment data (decoded `data` of a callback, or the
                                       answer of the status API).
        :return: None
        """
        super()._process_notification_data(notification_data)
        if self.provider_code != "liqpay":
            return
        # sudo: the vendor's answer, not the user's input
        self.sudo()._liqpay_apply(notification_data)

    @api.model
    def _liqpay_event_ms(self, data):
        """When LiqPay last changed the payment, in milliseconds (0 when unknown)."""
        times = []
        for key in ("end_date", "create_date", "refund_date_last"):
            try:
                times.append(int(data.get(key) or 0))
            except (TypeError, ValueError):
                continue
        return max(times, default=0)

    def _liqpay_failure_reason(self, data):
        return str(data.get("err_description") or data.get("err_code") or data.get("status") or "?")

    def _liqpay_set_error(self, message):
        """Set the transaction in error unless it is past that (paid, cancelled)."""
        if self.state in OPEN_STATES or self.state == "error":
            self._set_error("LiqPay: " + message)
        else:
            _logger.info(
                "LiqPay: transaction %s is %s; not set in error (%s)",
                self.reference,
                self.state,
                message,
            )

    def _liqpay_amount_matches(self, data):
        """Whether the amount and currency LiqPay reports are the transaction's.

        For a reversal the amount is not compared (it may be a partial refund).
        """
        if data.get("currency") != self.currency_id.name:
            return False
        if data.get("status") in const.PAYMENT_STATUS_MAPPING["refunded"]:
            return True
        try:
            amount = float(data.get("amount"))
        except (TypeError, ValueError):
            return False
        return self.currency_id.compare_amounts(amount, self.amount) == 0

    def _liqpay_apply(self, data):  # noqa: C901 - one branch per kind of status
        self.ensure_one()
        status = data.get("status")
        event_ms = self._liqpay_event_ms(data)
        if event_ms and self.liqpay_last_change_ms and event_ms < self.liqpay_last_change_ms:
            _logger.info(
                "LiqPay: an older notice (%s) for transaction %s ignored", status, self.reference
            )
            return
        if status in const.PAYMENT_STATUS_MAPPING["ignored"]:
            _logger.info("LiqPay: status %s of transaction %s ignored", status, self.reference)
            return
        if not self._liqpay_amount_matches(data):
            _logger.warning(
                "LiqPay: transaction %s: LiqPay reported %s %s (status %s), expected %s %s; "
                "the payment is not accepted",
                self.reference,
                data.get("amount"),
                data.get("currency"),
                status,
                self.amount,
                self.currency_id.name,
            )
            self._liqpay_set_error(
                _(
                    "LiqPay reported %(amount)s %(currency)s for this payment instead of "
                    "%(expected_amount)s %(expected_currency)s: the payment is not accepted; "
                    "check it in the LiqPay cabinet.",
                    amount=data.get("amount"),
                    currency=data.get("currency"),
                    expected_amount=format_amount(self.amount, self._liqpay_digits()),
                    expected_currency=self.currency_id.name,
                )
            )
            return

        values = {"liqpay_status": status}
        if event_ms:
            values["liqpay_last_change_ms"] = event_ms
        if data.get("payment_id") and not self.provider_reference:
            values["provider_reference"] = str(data["payment_id"])
        self.write(values)

        if status in const.PAYMENT_STATUS_MAPPING["done"]:
            self._set_done()
        elif status in const.PAYMENT_STATUS_MAPPING["sandbox"]:
            if self.provider_id._liqpay_is_test():
                self._set_done()
            else:
                _logger.warning(
                    "LiqPay: a test (sandbox) payment reported for transaction %s of a provider "
                    "in production; refused",
                    self.reference,
                )
                self._liqpay_set_error(
                    _(
                        "LiqPay reported a test (sandbox) payment while the provider is not in "
                        "test mode: no money was received."
                    )
                )
        elif status in const.PAYMENT_STATUS_MAPPING["error"]:
            self._liqpay_set_error(
                _("The payment failed: %(reason)s", reason=self._liqpay_failure_reason(data))
            )
        elif status in const.PAYMENT_STATUS_MAPPING["pending"]:
            if self.state == "draft":
                self._set_pending()
            else:
                _logger.info(
                    "LiqPay: status %s of transaction %s (%s) changes nothing",
                    status,
                    self.reference,
                    self.state,
                )
        elif status in const.PAYMENT_STATUS_MAPPING["refunded"]:
            self._liqpay_register_reversal(data)
        else:
            _logger.warning(
                "LiqPay: unknown status %s of transaction %s; nothing changed",
                status,
                self.reference,
            )

    def _liqpay_register_reversal(self, data):
        """LiqPay reversed (refunded) this payment: record the refund once.

        A refund transaction already made (by a refund from Odoo) is confirmed;
        otherwise one refund transaction is created, at most once, with LiqPay's
        payment id as its provider reference.
        """
        self.ensure_one()
        if self.state != "done":
            if self.state in OPEN_STATES:
                self._set_canceled("LiqPay: " + _("LiqPay reversed the payment."))
            return self.browse()
        refunds = self.child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
        open_refunds = refunds.filtered(lambda tx: tx.state in ("draft", "pending"))
        if open_refunds:
            open_refunds.liqpay_status = data.get("status")
            open_refunds._set_done()
            return open_refunds
        if refunds:
            _logger.info(
                "LiqPay: the reversal of transaction %s is already recorded", self.reference
            )
            return self.browse()
        amount = self.amount
        try:
            amount = min(float(data.get("refund_amount") or amount), amount)
        except (TypeError, ValueError):
            amount = self.amount
        refund_tx = self._create_child_transaction(
            amount,
            is_refund=True,
            provider_reference=str(data.get("payment_id") or self.provider_reference or ""),
            liqpay_status=data.get("status"),
        )
        refund_tx._set_done()
        return refund_tx

    def _liqpay_trigger_post_processing(self):
        """Run Odoo's post-processing of transactions now (orders, receipts)."""
        cron = self.env.ref("payment.cron_post_process_payment_tx", raise_if_not_found=False)
        if cron:
            cron._trigger()

    # === BUSINESS METHODS - RECONCILIATION === #

    def _liqpay_reconcile(self):
        """Ask LiqPay about this transaction and apply the answer like a callback.

        A refund transaction is confirmed when LiqPay reports its payment reversed.

        Note: self.ensure_one()

        :return: whether LiqPay knew the payment
        :rtype: bool
        :raise LiqPayError: when LiqPay could not answer (left for the next run)
        """
        self.ensure_one()
        # sudo: the vendor's answer, not the user's input
        tx_sudo = self.sudo()
        client = tx_sudo.provider_id._liqpay_client()
        if tx_sudo.operation == "refund":
            try:
                answer = client.status(tx_sudo.source_transaction_id.reference)
            except LiqPayError as error:
                if error.not_found:
                    return False
                raise
            if answer.get("status") in const.PAYMENT_STATUS_MAPPING["refunded"]:
                tx_sudo._liqpay_apply_refund_answer(answer)
            return True
        try:
            answer = client.status(tx_sudo.reference)
        except LiqPayError as error:
            if error.not_found:
                return False
            raise
        tx_sudo._process_notification_data(answer)
        return True

    @api.model
    def _cron_liqpay_reconcile_pending(self):
        """Ask LiqPay about the payments still draft or pending.

        Per LiqPay provider: its transactions created more than its
        `liqpay_reconcile_minutes` and less than 7 days ago, the least recently
        checked first, one savepoint each; an error is logged and the
        transaction left for the next run. Then Odoo's post-processing runs.
        """
        now = fields.Datetime.now()
        providers = self.env["payment.provider"].search(
            [("code", "=", "liqpay"), ("state", "!=", "disabled")]
        )
        changed = False
        for provider in providers:
            transactions = self.search(
                [
                    ("provider_id", "=", provider.id),
                    ("state", "in", ("draft", "pending")),
                    (
                        "create_date",
                        "<=",
                        now - timedelta(minutes=provider.liqpay_reconcile_minutes),
                    ),
                    ("create_date", ">=", now - timedelta(days=const.RECONCILE_MAX_AGE_DAYS)),
                ],
                order="liqpay_checked_at asc nulls first, id",
                limit=const.RECONCILE_BATCH_SIZE,
            )
            for tx in transactions:
                state = tx.state
                try:
                    with self.env.cr.savepoint():
                        tx._liqpay_reconcile()
                except LiqPayError as error:
                    _logger.warning(
                        "LiqPay: transaction %s not checked (%s: %s); left for the next run",
                        tx.reference,
                        error.code,
                        error.message,
                    )
                except (UserError, ValidationError) as error:
                    _logger.warning(
                        "LiqPay: transaction %s not checked (%s); left for the next run",
                        tx.reference,
                        error,
                    )
                except Exception:
                    _logger.exception(
                        "LiqPay: transaction %s not checked; left for the next run", tx.reference
                    )
                tx.liqpay_checked_at = now
                changed = changed or tx.state != state
        if changed:
            self._liqpay_trigger_post_processing()
        return changed
