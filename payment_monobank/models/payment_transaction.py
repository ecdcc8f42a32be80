import logging
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.payment import utils as payment_utils

from .. import const
from ..controllers.main import MonobankController
from ..monobank import MonobankError
from ..monobank import client as monobank_client

_logger = logging.getLogger(__name__)


def _as_int(value):
    """An integer amount or code from monobank's JSON, ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _parse_date(value):
    """monobank's ISO 8601 time → a naive UTC datetime to the second (``None`` if unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    monobank_page_url = fields.Char(
        string="monobank Payment Page",
        help="The payment page of the monobank invoice created for this transaction.",
        readonly=True,
        copy=False,
    )
    monobank_modified_date = fields.Datetime(
        string="monobank Last Update",
        help="The modification time of the last monobank status applied to this transaction; "
        "an older notification arriving later is ignored.",
        readonly=True,
        copy=False,
    )
    monobank_checked_date = fields.Datetime(
        string="monobank Last Check",
        help="When the scheduled action last asked monobank for the status of this transaction.",
        readonly=True,
        copy=False,
    )

    # === AMOUNTS === #

    def _monobank_to_kopecks(self, amount):
        """An amount of the transaction's currency in kopecks (minor units)."""
        return payment_utils.to_minor_currency_units(amount, self.currency_id)

    def _monobank_from_kopecks(self, kopecks):
        return payment_utils.to_major_currency_units(kopecks, self.currency_id)

    def _monobank_format_kopecks(self, kopecks):
        amount = self._monobank_from_kopecks(kopecks)
        return f"{amount:.2f} {self.currency_id.name}"

    # === RENDERING (the payment page) === #

    def _get_specific_rendering_values(self, processing_values):
        """Override of `payment` to create the monobank invoice and return the values of the
        redirect form (a GET form to the invoice's payment page).

        The invoice is created once per transaction: rendering the form again reuses its page.

        Note: self.ensure_one() from `_get_processing_values`

        :param dict processing_values: The generic and specific processing values of the tx
        :return: ``api_url`` (the page without its query) and ``url_params`` (the page's query
            parameters as (name, value) pairs, sent as hidden inputs: a GET form replaces the
            query string of its action)
        :rtype: dict
        :raise ValidationError: if the invoice could not be created
        """
        res = super()._get_specific_rendering_values(processing_values)
        if self.provider_code != "monobank":
            return res
        if not (self.provider_reference and self.monobank_page_url):
            self._monobank_create_invoice()
        return self._monobank_redirect_values(self.monobank_page_url)

    @api.model
    def _monobank_redirect_values(self, page_url):
        parts = urlsplit(page_url)
        return {
            "api_url": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            "url_params": parse_qsl(parts.query, keep_blank_values=True),
        }

    def _monobank_create_invoice(self):
        """Create the monobank invoice of the transaction and keep its id and payment page.

        A refusal (monobank answered and created nothing) raises and leaves the transaction as
        it was (draft). An uncertain outcome (no answer in time, the connection broke, a 5xx,
        an unreadable answer) also raises, after setting the transaction in error: its invoice
        id is unknown, so it can never be reconciled, and the customer starts a new payment
        (an invoice whose page was never shown cannot be paid by anybody).
        """
        self.ensure_one()
        payload = self._monobank_prepare_invoice_payload()
        try:
            answer = self.provider_id._monobank_client().create_invoice(payload)
        except MonobankError as error:
            _logger.warning(
                "monobank: no payment page for transaction %s: %s", self.reference, error
            )
            if error.uncertain:
                message = _("monobank: the payment page was not created, try again.")
                # sudo: the vendor's (missing) answer, not the user's input
                self.sudo()._set_error(message)
                raise ValidationError(message) from error
            raise self.provider_id._monobank_user_error(error) from error
        # sudo: the vendor's answer, not the user's input
        self.sudo().write(
            {"provider_reference": answer["invoiceId"], "monobank_page_url": answer["pageUrl"]}
        )

    def _monobank_prepare_invoice_payload(self):
        """The JSON of ``POST /api/merchant/invoice/create`` for this transaction."""
        self.ensure_one()
        ccy = const.SUPPORTED_CURRENCIES.get(self.currency_id.name)
        if not ccy:
            message = "monobank: " + _(
                "payments in %(currency)s are not accepted, only in UAH.",
                currency=self.currency_id.name,
            )
            raise ValidationError(message)
        amount = self._monobank_to_kopecks(self.amount)
        base_url = self.provider_id.get_base_url()
        redirect_url = urljoin(base_url, MonobankController._return_url)
        destination = self._monobank_destination()
        return {
            "amount": amount,
            "ccy": ccy,
            "merchantPaymInfo": {
                "reference": self.reference,
                "destination": destination,
                "comment": destination,
                "basketOrder": self._monobank_basket_order(amount),
            },
            "redirectUrl": f"{redirect_url}?{urlencode({'ref': self.reference})}",
            "webHookUrl": urljoin(base_url, MonobankController._webhook_url),
            "validity": const.INVOICE_VALIDITY,
            "paymentType": "debit",
        }

    def _monobank_destination(self):
        """The purpose of the payment shown on monobank's page, in the customer's language."""
        self.ensure_one()
        tx = self.with_context(lang=self.partner_lang or self.env.lang)
        return tx._monobank_destination_text()

    def _monobank_destination_text(self):
        return _("Payment %(reference)s", reference=self.reference)

    def _monobank_basket_items(self):
        """Hook: the lines of the invoice's ``basketOrder`` (the basket monobank shows and may
        put on its own fiscal receipt).

        Each line is a dict ``{"name", "qty", "sum", "code"}`` with the optional ``"unit"`` and
        ``"icon"``; ``sum`` is the line total in kopecks. The lines must add up to the amount
        of the transaction. This addon knows only the transaction, so its one line is the
        transaction itself; a sale-aware addon overrides this method to list the order lines.

        Note: self.ensure_one()

        :return: the basket lines
        :rtype: list[dict]
        """
        self.ensure_one()
        return self._monobank_default_basket_items()

    def _monobank_default_basket_items(self):
        """The one basket line of the transaction itself."""
        self.ensure_one()
        return [
            {
                "name": self._monobank_destination(),
                "qty": 1,
                "sum": self._monobank_to_kopecks(self.amount),
                "code": self.reference,
            }
        ]

    def _monobank_basket_order(self, amount):
        """The basket of :meth:`_monobank_basket_items`; when its lines do not add up to
        ``amount`` (kopecks), the one line of the transaction (logged)."""
        items = self._monobank_basket_items()
        total = sum(_as_int(item.get("sum")) or 0 for item in items or [])
        if items and total == amount:
            return items
        _logger.warning(
            "monobank: the basket of transaction %s adds up to %s kopecks instead of %s; "
            "the transaction is sent as one line",
            self.reference,
            total,
            amount,
        )
        return self._monobank_default_basket_items()

    # === NOTIFICATIONS (webhook, return, reconciliation) === #

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        """Override of `payment` to find the transaction by our reference (monobank's
        ``reference``), or else by the invoice id.

        :raise ValidationError: if the data match no transaction
        """
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code != "monobank" or len(tx) == 1:
            return tx
        reference = notification_data.get("reference")
        invoice_id = notification_data.get("invoiceId")
        tx = self.browse()
        if isinstance(reference, str) and reference:
            # a notice is about a payment (its refunds show in its cancelList), never a refund
            tx = self.search(
                [
                    ("reference", "=", reference),
                    ("provider_code", "=", "monobank"),
                    ("operation", "!=", "refund"),
                ]
            )
        if not tx and isinstance(invoice_id, str) and invoice_id:
            tx = self.search(
                [
                    ("provider_reference", "=", invoice_id),
                    ("provider_code", "=", "monobank"),
                    ("operation", "!=", "refund"),
                ],
                limit=1,
            )
        if not tx:
            message = "monobank: " + _(
                "No transaction found matching reference %s.", reference or invoice_id
            )
            raise ValidationError(message)
        return tx

    def _process_notification_data(self, notification_data):
        """Override of `payment` to apply a monobank invoice status (callback or status answer).

        An older status than the last one applied (``modifiedDate``) is ignored; the amount and
        currency are checked against the transaction (a mismatch sets it in error: nothing is
        paid); ``created``/``processing``/``hold`` → pending, ``success`` → done,
        ``failure`` → error, ``expired`` → canceled, ``reversed`` → done with a refund;
        refunds listed in ``cancelList`` update (or create, once) the refund transactions.

        Note: self.ensure_one()
        """
        super()._process_notification_data(notification_data)
        if self.provider_code != "monobank":
            return
        # sudo: the vendor's answer, not the user's input, is written on the transaction
        tx = self.sudo()
        data = notification_data
        invoice_id = data.get("invoiceId")
        if tx.provider_reference and invoice_id and invoice_id != tx.provider_reference:
            _logger.warning(
                "monobank: a status of invoice %s is not the one of transaction %s (%s): ignored",
                invoice_id,
                tx.reference,
                tx.provider_reference,
            )
            return
        modified = _parse_date(data.get("modifiedDate"))
        if modified and tx.monobank_modified_date and modified < tx.monobank_modified_date:
            _logger.info(
                "monobank: an older status (%s of %s) of transaction %s is ignored",
                data.get("status"),
                modified,
                tx.reference,
            )
            return
        values = {}
        if modified:
            values["monobank_modified_date"] = modified
        if invoice_id and not tx.provider_reference:
            values["provider_reference"] = invoice_id
        if values:
            tx.write(values)

        mismatch = tx._monobank_amount_mismatch(data)
        if mismatch:
            if tx.state in ("draft", "pending", "authorized"):
                tx._set_error(mismatch)
            else:
                _logger.warning(
                    "monobank: transaction %s (%s): %s: ignored", tx.reference, tx.state, mismatch
                )
            return
        tx._monobank_apply_status(data)

    def _monobank_apply_status(self, data):
        """Move the transaction to the state of monobank's status (only forward: a repeated
        or late status changes nothing)."""
        status = data.get("status")
        if status in const.STATUS_PENDING:
            if self.state == "draft":
                self._set_pending()
        elif status == const.STATUS_DONE:
            if self.state in ("draft", "pending", "authorized", "error"):
                self._set_done()
            self._monobank_sync_refunds(data)
        elif status == const.STATUS_FAILED:
            if self.state in ("draft", "pending"):
                reason = data.get("failureReason") or data.get("errCode") or status
                self._set_error("monobank: " + _("the payment failed: %s", reason))
        elif status == const.STATUS_EXPIRED:
            if self.state in ("draft", "pending"):
                self._set_canceled("monobank: " + _("the payment page expired unpaid."))
        elif status == const.STATUS_REVERSED:
            if self.state in ("draft", "pending", "authorized", "error"):
                self._set_done()
            self._monobank_sync_refunds(data)
        else:
            _logger.warning(
                "monobank: unknown status %r for transaction %s", status, self.reference
            )
            if self.state in ("draft", "pending"):
                self._set_error("monobank: " + _("unknown payment status: %s", status))

    def _monobank_amount_mismatch(self, data):
        """Why monobank's amount or currency differs from the transaction's (``None`` when
        they match)."""
        self.ensure_one()
        status = data.get("status")
        paid = status in (const.STATUS_DONE, const.STATUS_REVERSED)
        expected_ccy = const.SUPPORTED_CURRENCIES.get(self.currency_id.name)
        ccy = _as_int(data.get("ccy"))
        if (paid or "ccy" in data) and ccy != expected_ccy:
            return "monobank: " + _(
                "the payment currency (code %(ccy)s) differs from the transaction currency "
                "(%(currency)s); nothing is recorded as paid.",
                ccy=data.get("ccy"),
                currency=self.currency_id.name,
            )
        expected = self._monobank_to_kopecks(self.amount)
        amount = _as_int(data.get("amount"))
        if (paid or "amount" in data) and amount != expected:
            return self._monobank_amount_message(amount, expected)
        final = _as_int(data.get("finalAmount"))
        if status == const.STATUS_DONE and self.state != "done" and final is not None:
            refunded = sum(
                _as_int(entry.get("amount")) or 0
                for entry in data.get("cancelList") or []
                if isinstance(entry, dict) and entry.get("status") == "success"
            )
            if final not in (expected, expected - refunded):
                return self._monobank_amount_message(final, expected)
        return None

    def _monobank_amount_message(self, amount, expected):
        return "monobank: " + _(
            "the payment amount (%(paid)s) differs from the transaction amount (%(expected)s); "
            "nothing is recorded as paid.",
            paid=self._monobank_format_kopecks(amount) if amount is not None else "?",
            expected=self._monobank_format_kopecks(expected),
        )

    # === REFUNDS === #

    @api.model
    def _monobank_refund_key(self, invoice_id, entry):
        """The provider reference of the refund transaction of a ``cancelList`` entry."""
        ext_ref = entry.get("extRef")
        if ext_ref:
            return f"{invoice_id}-{ext_ref}"
        return f"{invoice_id}-{entry.get('createdDate')}-{entry.get('amount')}"

    def _monobank_sync_refunds(self, data):
        """Apply the refunds of monobank's ``cancelList`` to the refund transactions of this
        paid transaction: those made from Odoo are found by their reference (``extRef``),
        the others (made in monobank's cabinet) are created once, found again by their
        provider reference. A ``reversed`` invoice whose refunds do not cover the amount gets
        one refund transaction for the rest, once."""
        self.ensure_one()
        if self.state != "done":
            return
        invoice_id = data.get("invoiceId") or self.provider_reference
        refunds = self.child_transaction_ids.filtered(lambda t: t.operation == "refund")
        for entry in data.get("cancelList") or []:
            if not isinstance(entry, dict):
                continue
            target = const.REFUND_STATUS_MAPPING.get(entry.get("status"))
            ext_ref = entry.get("extRef")
            key = self._monobank_refund_key(invoice_id, entry)
            refund = refunds.filtered(
                lambda t, ext_ref=ext_ref, key=key: (
                    (ext_ref and t.reference == ext_ref) or t.provider_reference == key
                )
            )[:1]
            if not refund:
                kopecks = _as_int(entry.get("amount"))
                if target in (None, "error") or not kopecks or kopecks <= 0:
                    continue
                refund = self._create_child_transaction(
                    self._monobank_from_kopecks(kopecks), is_refund=True, provider_reference=key
                )
                refunds |= refund
            elif not refund.provider_reference:
                refund.provider_reference = key
            refund._monobank_set_refund_state(target)
        if data.get("status") == const.STATUS_REVERSED:
            key = f"{invoice_id}-reversed"
            counted = refunds.filtered(lambda t: t.state not in ("error", "cancel"))
            rest = self.currency_id.round(self.amount + sum(counted.mapped("amount")))
            if self.currency_id.compare_amounts(rest, 0) > 0 and not refunds.filtered(
                lambda t: t.provider_reference == key
            ):
                refund = self._create_child_transaction(
                    rest, is_refund=True, provider_reference=key
                )
                refund._set_done("monobank: " + _("the payment was reversed."))

    def _monobank_set_refund_state(self, target):
        """Move a refund transaction to the state of monobank's refund status.

        A refund in error that monobank lists as a success later (it was set in error while
        monobank had no record of it yet) is done: monobank's word on the money wins."""
        self.ensure_one()
        if target == "done" and self.state in ("draft", "pending", "error"):
            self._set_done()
        elif target == "pending" and self.state == "draft":
            self._set_pending()
        elif target == "error" and self.state in ("draft", "pending"):
            self._set_error("monobank: " + _("the refund failed: nothing was refunded."))

    def _send_refund_request(self, amount_to_refund=None):
        """Override of `payment` to ask monobank for the refund (``invoice/cancel``, with the
        refund transaction's reference as ``extRef`` and its amount).

        A refusal raises (nothing is recorded); an uncertain outcome leaves the refund pending:
        the reconciliation finds it in monobank's ``cancelList`` by its ``extRef``, or sets it
        in error when monobank still has no record of it after a grace period
        (:meth:`_monobank_refund_grace_over`).

        Note: self.ensure_one()
        """
        refund_tx = super()._send_refund_request(amount_to_refund=amount_to_refund)
        if self.provider_code != "monobank":
            return refund_tx
        kopecks = self._monobank_to_kopecks(-refund_tx.amount)
        try:
            answer = self.provider_id._monobank_client().cancel_invoice(
                self.provider_reference, refund_tx.reference, amount=kopecks
            )
        except MonobankError as error:
            if not error.uncertain:
                raise self.provider_id._monobank_user_error(error) from error
            _logger.warning(
                "monobank: refund %s of transaction %s is not confirmed: %s",
                refund_tx.reference,
                self.reference,
                error,
            )
            # sudo: the vendor's (missing) answer, not the user's input
            refund_tx.sudo()._set_pending(
                "monobank: " + _("the refund is not confirmed yet; it will be checked.")
            )
            return refund_tx
        # sudo: the vendor's answer, not the user's input
        refund_sudo = refund_tx.sudo()
        refund_sudo.provider_reference = self._monobank_refund_key(
            self.provider_reference, {"extRef": refund_tx.reference}
        )
        refund_sudo._monobank_set_refund_state(
            const.REFUND_STATUS_MAPPING.get(answer.get("status"))
        )
        return refund_tx

    # === RECONCILIATION === #

    def _monobank_reconcile(self, timeout=None):
        """Ask monobank for the status of this transaction's invoice and apply it as a
        notification (the same processing as the webhook). For a refund transaction, the
        invoice of the refunded payment is asked; a refund monobank still has no record of
        once its grace period is over (:meth:`_monobank_refund_grace_over`) is set in error
        (nothing was refunded); should monobank list it as a success later, it is done then.

        Note: self.ensure_one()

        :param float timeout: seconds to wait for monobank (the client's default when not given)
        :return: whether monobank was asked
        :rtype: bool
        :raise MonobankError: if monobank could not answer
        """
        self.ensure_one()
        # sudo: the vendor's answer, not the user's input, is written on the transaction
        tx = self.sudo()
        source = tx.source_transaction_id if tx.operation == "refund" else tx
        if source.provider_code != "monobank" or not source.provider_reference:
            return False
        tx.monobank_checked_date = fields.Datetime.now()
        client = source.provider_id._monobank_client(timeout=timeout)
        data = client.invoice_status(source.provider_reference)
        source._handle_notification_data("monobank", data)
        if tx != source and tx.state in ("draft", "pending"):
            known = any(
                isinstance(entry, dict)
                and (
                    entry.get("extRef") == tx.reference
                    or self._monobank_refund_key(source.provider_reference, entry)
                    == tx.provider_reference
                )
                for entry in data.get("cancelList") or []
            )
            if not known and tx._monobank_refund_grace_over():
                tx._set_error(
                    "monobank: " + _("monobank has no record of this refund: nothing was refunded.")
                )
            elif not known:
                _logger.info(
                    "monobank: refund %s is not listed by monobank yet; it stays %s",
                    tx.reference,
                    tx.state,
                )
        return True

    def _monobank_refund_grace_over(self):
        """Whether this refund is old enough to be set in error when monobank has no record
        of it: created more than ``REFUND_GRACE_FACTOR`` times the provider's delay
        (``monobank_reconcile_minutes``) ago, and at least ``REFUND_GRACE_MIN_MINUTES``.
        Before that, monobank may not list yet a refund it received (the answer to the
        request was lost).

        Note: self.ensure_one()
        """
        self.ensure_one()
        minutes = max(
            self.provider_id.monobank_reconcile_minutes * const.REFUND_GRACE_FACTOR,
            const.REFUND_GRACE_MIN_MINUTES,
        )
        created = self.create_date or fields.Datetime.now()
        return created <= fields.Datetime.now() - timedelta(minutes=minutes)

    def _monobank_checked_recently(self):
        """Whether monobank was asked about this transaction less than
        ``RETURN_CHECK_INTERVAL`` seconds ago."""
        self.ensure_one()
        limit = fields.Datetime.now() - timedelta(seconds=const.RETURN_CHECK_INTERVAL)
        return bool(self.monobank_checked_date and self.monobank_checked_date > limit)

    @api.model
    def _monobank_reconcile_domain(self, provider, now):
        """The transactions of ``provider`` the scheduled check asks monobank about: still
        draft or pending, created more than the provider's ``monobank_reconcile_minutes`` ago
        and less than ``RECONCILE_MAX_AGE_DAYS`` days ago, with an invoice (or refunds), not
        asked about since the scheduled action's previous run (its ``lastcall``, given by the
        scheduler: the batches of one run do not ask about the same transaction twice)."""
        minutes = max(provider.monobank_reconcile_minutes, 0)
        domain = [
            ("provider_id", "=", provider.id),
            ("state", "in", ("draft", "pending")),
            ("create_date", "<=", now - timedelta(minutes=minutes)),
            ("create_date", ">=", now - timedelta(days=const.RECONCILE_MAX_AGE_DAYS)),
            "|",
            ("provider_reference", "!=", False),
            ("operation", "=", "refund"),
        ]
        lastcall = self.env.context.get("lastcall")
        if lastcall:
            domain += [
                "|",
                ("monobank_checked_date", "=", False),
                ("monobank_checked_date", "<", lastcall),
            ]
        return domain

    @api.model
    def _cron_monobank_reconcile_pending(self):
        """Scheduled action: ask monobank for the status of the transactions of
        :meth:`_monobank_reconcile_domain` (the least recently checked first), one savepoint
        per transaction; a failure is logged and the transaction is left for the next run.
        Then Odoo's post-processing runs.

        The run keeps within the scheduler's time limit: monobank is given
        ``RECONCILE_TIMEOUT`` seconds per request, a batch stops after about
        ``RECONCILE_TIME_BUDGET`` seconds or ``RECONCILE_BATCH`` transactions and reports its
        progress (the scheduler commits it and runs the next batch), and the run stops after
        ``RECONCILE_MAX_UNREACHABLE`` failures in a row to reach monobank (it is down: the rest
        waits for the next run).
        """
        now = fields.Datetime.now()
        deadline = time.monotonic() + const.RECONCILE_TIME_BUDGET
        providers = self.env["payment.provider"].search(
            [("code", "=", "monobank"), ("state", "!=", "disabled")]
        )
        applied = False
        done = remaining = 0
        for provider in providers:
            domain = self._monobank_reconcile_domain(provider, now)
            txs = self.search(
                domain,
                order="monobank_checked_date asc nulls first, id",
                limit=const.RECONCILE_BATCH,
            )
            left = self.search_count(domain)
            unreachable = 0
            for tx in txs:
                if done and time.monotonic() > deadline:
                    break
                asked, reached = tx._monobank_reconcile_one(now)
                applied = applied or asked
                done += 1
                left -= 1
                unreachable = 0 if reached else unreachable + 1
                if unreachable >= const.RECONCILE_MAX_UNREACHABLE:
                    _logger.warning(
                        "monobank: %s requests in a row failed to reach monobank; the "
                        "remaining transactions of provider %s are left for the next run",
                        unreachable,
                        provider.id,
                    )
                    left = 0
                    break
            remaining += max(left, 0)
        if applied:
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _monobank_reconcile_one(self, now):
        """The scheduled check of one transaction, in its own savepoint; a failure is logged
        and the transaction is left for the next run.

        Note: self.ensure_one()

        :param datetime now: the time of the run, recorded as the check's time
        :return: whether monobank was asked, and whether it was reached (``False``: no
            connection, no answer in time, a broken connection, a 5xx or 429)
        :rtype: tuple(bool, bool)
        """
        self.ensure_one()
        asked, reached = False, True
        try:
            with self.env.cr.savepoint():
                asked = self._monobank_reconcile(timeout=const.RECONCILE_TIMEOUT)
        except MonobankError as error:
            reached = not (
                error.kind
                in (
                    monobank_client.KIND_CONNECTION,
                    monobank_client.KIND_TIMEOUT,
                    monobank_client.KIND_BROKEN,
                )
                or (error.status and (error.status >= 500 or error.status == 429))
            )
            _logger.warning(
                "monobank: the status of transaction %s could not be checked: %s",
                self.reference,
                error,
            )
        except (UserError, ValidationError) as error:
            _logger.warning(
                "monobank: the status of transaction %s could not be checked: %s",
                self.reference,
                error,
            )
        except Exception:
            _logger.exception(
                "monobank: the status of transaction %s could not be applied", self.reference
            )
        # sudo: the system's own bookkeeping, also after a failure (rolled back above)
        self.sudo().monobank_checked_date = now
        return asked, reached
