import logging
import math
import time
from datetime import timedelta

from werkzeug import urls

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from odoo.addons.payment.const import CURRENCY_MINOR_UNITS

from .. import const
from ..controllers.main import LiqPayController
from ..liqpay import UNREACHABLE_CODES, LiqPayError, format_amount

_logger = logging.getLogger(__name__)

OPEN_STATES = ("draft", "pending", "authorized")
FAILURE_STATUSES = const.PAYMENT_STATUS_MAPPING["error"]


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
        """LiqPay's reason of a failure, without the provider's keys."""
        reason = data.get("err_description") or data.get("err_code") or data.get("status") or "?"
        # sudo: the keys are read to be removed from LiqPay's text, never shown
        return self.provider_id.sudo()._liqpay_scrub(reason)

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
        if not math.isfinite(amount):
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
            return
        else:
            _logger.warning(
                "LiqPay: unknown status %s of transaction %s; nothing changed",
                status,
                self.reference,
            )
            return
        if self.state == "done" and data.get("refund_amount") not in (None, ""):
            # a payment LiqPay still shows paid, partly refunded
            self._liqpay_sync_refunds(data)

    def _liqpay_register_reversal(self, data):
        """LiqPay reversed (refunded) this payment: match its refunds.

        An open payment is cancelled; for a paid one, see `_liqpay_sync_refunds`.
        """
        self.ensure_one()
        if self.state != "done":
            if self.state in OPEN_STATES:
                self._set_canceled("LiqPay: " + _("LiqPay reversed the payment."))
            return self.browse()
        return self._liqpay_sync_refunds(data)

    def _liqpay_refunded_total(self, data):
        """How much of this payment LiqPay has refunded in all, in major units.

        LiqPay's `refund_amount` is taken as the total of the payment's refunds; a
        "reversed" payment without it counts as refunded in full; otherwise nothing.
        """
        value = data.get("refund_amount")
        if value not in (None, ""):
            try:
                return max(0.0, min(float(value), self.amount))
            except (TypeError, ValueError):
                _logger.warning(
                    "LiqPay: transaction %s: unreadable refund_amount %r ignored",
                    self.reference,
                    value,
                )
        if data.get("status") in const.PAYMENT_STATUS_MAPPING["refunded"]:
            return self.amount
        return 0.0

    def _liqpay_refund_grace_deadline(self):
        """Refunds created before this time and not shown by LiqPay are in error."""
        minutes = max(
            self.provider_id.liqpay_reconcile_minutes * const.REFUND_GRACE_FACTOR,
            const.REFUND_GRACE_MIN_MINUTES,
        )
        return fields.Datetime.now() - timedelta(minutes=minutes)

    def _liqpay_sync_refunds(self, data):
        """Match LiqPay's refunded total of this paid transaction with its refunds.

        - the refunds not confirmed yet (pending, or in error because LiqPay did not
          show them in time), oldest first, are confirmed as long as LiqPay's total
          covers the confirmed refunds plus this one;
        - a pending refund still not covered after the grace period (4 × the
          provider's `liqpay_reconcile_minutes`, at least 1 hour) is set in error:
          LiqPay shows no such refund (it is confirmed if LiqPay shows it later);
        - what LiqPay refunded beyond all the refunds known (confirmed or pending) is
          recorded as one refund made in LiqPay's cabinet; the same notice again
          finds nothing more to record.

        Note: self.ensure_one()

        :param dict data: LiqPay's data of this payment (status answer or callback)
        :return: the refunds confirmed or recorded
        :rtype: recordset of `payment.transaction`
        """
        self.ensure_one()
        if self.state != "done" or self.operation == "refund":
            return self.browse()
        if data.get("currency") != self.currency_id.name:
            _logger.warning(
                "LiqPay: transaction %s: refunds in %s reported for a payment in %s; ignored",
                self.reference,
                data.get("currency"),
                self.currency_id.name,
            )
            return self.browse()
        # two notices at once must not both record the same refund: the second waits
        self.env.cr.execute(
            "SELECT id FROM payment_transaction WHERE id = %s FOR UPDATE", [self.id]
        )
        currency = self.currency_id
        refunded = self._liqpay_refunded_total(data)
        refunds = self.child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
        confirmed_total = -sum(refunds.filtered(lambda tx: tx.state == "done").mapped("amount"))
        unconfirmed = refunds.filtered(
            lambda tx: (
                tx.state in ("draft", "pending")
                or (tx.state == "error" and tx.liqpay_status not in FAILURE_STATUSES)
            )
        ).sorted("id")
        confirmed = self.browse()
        for refund in unconfirmed:
            if currency.compare_amounts(confirmed_total - refund.amount, refunded) <= 0:
                confirmed_total -= refund.amount
                confirmed |= refund
        if confirmed:
            confirmed.liqpay_status = data.get("status")
            confirmed._set_done()
            _logger.info(
                "LiqPay: refunds %s of transaction %s confirmed (LiqPay refunded %s in all)",
                ", ".join(confirmed.mapped("reference")),
                self.reference,
                refunded,
            )

        waiting = (unconfirmed - confirmed).filtered(lambda tx: tx.state in ("draft", "pending"))
        deadline = self._liqpay_refund_grace_deadline()
        for refund in waiting.filtered(lambda tx: tx.create_date <= deadline):
            _logger.warning(
                "LiqPay: refund %s of transaction %s not shown by LiqPay (refunded in all: %s, "
                "confirmed: %s); set in error",
                refund.reference,
                self.reference,
                refunded,
                confirmed_total,
            )
            refund._set_error(
                "LiqPay: "
                + _(
                    "LiqPay shows no such refund: it has refunded %(refunded)s %(currency)s of "
                    "this payment in all, which does not cover this refund on top of the "
                    "refunds confirmed (%(confirmed)s %(currency)s). Check the LiqPay cabinet; "
                    "if LiqPay shows the refund later, it is confirmed then.",
                    refunded=format_amount(refunded, self._liqpay_digits()),
                    confirmed=format_amount(confirmed_total, self._liqpay_digits()),
                    currency=currency.name,
                )
            )
            waiting -= refund

        excess = currency.round(refunded - confirmed_total + sum(waiting.mapped("amount")))
        if currency.compare_amounts(excess, 0) > 0:
            refund_tx = self._create_child_transaction(
                excess,
                is_refund=True,
                provider_reference=str(data.get("payment_id") or self.provider_reference or ""),
                liqpay_status=data.get("status"),
            )
            refund_tx._set_done(
                state_message="LiqPay: " + _("A refund made in the LiqPay cabinet.")
            )
            _logger.info(
                "LiqPay: a refund of %s made in LiqPay's cabinet recorded for transaction %s (%s)",
                excess,
                self.reference,
                refund_tx.reference,
            )
            confirmed |= refund_tx
        return confirmed

    def _liqpay_trigger_post_processing(self):
        """Run Odoo's post-processing of transactions now (orders, receipts)."""
        cron = self.env.ref("payment.cron_post_process_payment_tx", raise_if_not_found=False)
        if cron:
            cron._trigger()

    # === BUSINESS METHODS - RECONCILIATION === #

    def _liqpay_reconcile(self, timeout=None):
        """Ask LiqPay about this transaction and apply the answer like a callback.

        For a refund, LiqPay is asked about the refunded payment and its refunds are
        matched with LiqPay's refunded total (`_liqpay_sync_refunds`).

        Note: self.ensure_one()

        :param float timeout: seconds LiqPay has to answer (the client's default if None)
        :return: whether LiqPay knew the payment
        :rtype: bool
        :raise LiqPayError: when LiqPay could not answer (left for the next run)
        """
        self.ensure_one()
        # sudo: the vendor's answer, not the user's input
        tx_sudo = self.sudo()
        client = tx_sudo.provider_id._liqpay_client(timeout=timeout)
        is_refund = tx_sudo.operation == "refund"
        payment_sudo = tx_sudo.source_transaction_id if is_refund else tx_sudo
        try:
            answer = client.status(payment_sudo.reference)
        except LiqPayError as error:
            if error.not_found:
                return False
            raise
        if is_refund:
            payment_sudo._liqpay_sync_refunds(answer)
        else:
            tx_sudo._process_notification_data(answer)
        return True

    @api.model
    def _liqpay_reconcile_domain(self, providers, now):
        """The transactions the scheduled check asks LiqPay about."""
        domain = expression.OR(
            [
                [
                    ("provider_id", "=", provider.id),
                    (
                        "create_date",
                        "<=",
                        now - timedelta(minutes=provider.liqpay_reconcile_minutes),
                    ),
                ]
                for provider in providers
            ]
        )
        domain = expression.AND(
            [
                domain,
                [
                    ("state", "in", ("draft", "pending")),
                    ("create_date", ">=", now - timedelta(days=const.RECONCILE_MAX_AGE_DAYS)),
                ],
            ]
        )
        lastcall = self.env.context.get("lastcall")
        if lastcall:
            # run by the scheduler: those checked since its last run are not asked again
            # by this run's next batches
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("liqpay_checked_at", "=", False),
                        ("liqpay_checked_at", "<=", lastcall),
                    ],
                ]
            )
        return domain

    @api.model
    def _cron_liqpay_reconcile_pending(self):
        """Ask LiqPay about the payments (and refunds) still draft or pending.

        Of the LiqPay providers not disabled: the transactions created more than
        their `liqpay_reconcile_minutes` and less than 7 days ago, the least recently
        checked first, one savepoint each; an error is logged and the transaction
        left for the next run. Each request has a short timeout. The batch stops
        after `const.RECONCILE_TIME_BUDGET` seconds (the rest is reported as
        remaining to the scheduler, which commits and runs the next batch) or after
        `const.RECONCILE_MAX_UNREACHABLE` failures in a row saying LiqPay cannot be
        reached (the rest waits for the next run). Then Odoo's post-processing runs.

        :return: whether a transaction changed state
        :rtype: bool
        """
        started = time.monotonic()
        now = fields.Datetime.now()
        providers = self.env["payment.provider"].search(
            [("code", "=", "liqpay"), ("state", "!=", "disabled")]
        )
        if not providers:
            return False
        domain = self._liqpay_reconcile_domain(providers, now)
        transactions = self.search(
            domain,
            order="liqpay_checked_at asc nulls first, id",
            limit=const.RECONCILE_BATCH_SIZE,
        )
        changed = False
        done = unreachable = 0
        more_to_do = False
        for tx in transactions:
            if done and time.monotonic() - started >= const.RECONCILE_TIME_BUDGET:
                more_to_do = True
                break
            done += 1
            if tx.state not in ("draft", "pending"):
                continue  # settled with another one (a refund of the same payment)
            state = tx.state
            try:
                with self.env.cr.savepoint():
                    tx._liqpay_reconcile(timeout=const.RECONCILE_TIMEOUT)
                unreachable = 0
            except LiqPayError as error:
                _logger.warning(
                    "LiqPay: transaction %s not checked (%s: %s); left for the next run",
                    tx.reference,
                    error.code,
                    error.message,
                )
                unreachable = unreachable + 1 if error.code in UNREACHABLE_CODES else 0
            except (UserError, ValidationError) as error:
                _logger.warning(
                    "LiqPay: transaction %s not checked (%s); left for the next run",
                    tx.reference,
                    error,
                )
                unreachable = 0
            except Exception:
                _logger.exception(
                    "LiqPay: transaction %s not checked; left for the next run", tx.reference
                )
                unreachable = 0
            tx.liqpay_checked_at = now
            changed = changed or tx.state != state
            if unreachable >= const.RECONCILE_MAX_UNREACHABLE:
                _logger.warning(
                    "LiqPay cannot be reached (%s failures in a row): the scheduled check "
                    "stops; %s transactions wait for the next run",
                    unreachable,
                    len(transactions) - done,
                )
                break
        else:
            more_to_do = len(transactions) == const.RECONCILE_BATCH_SIZE
        remaining = 0
        if more_to_do:
            if self.env.context.get("lastcall"):
                remaining = self.search_count(domain)
            else:
                remaining = len(transactions) - done
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if changed:
            self._liqpay_trigger_post_processing()
        return changed
