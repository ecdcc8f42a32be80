"""The cash-on-delivery ledger of Nova Poshta waybills.

One line per waybill with cash on delivery: what is expected (the waybill's
``cod_amount``), what NP reports (collected, transferred, the transfer's
date, status, document number and commission, from the tracking answer),
and the payment registered in Odoo for that transfer (``cod_payment_id``,
one at most). The discrepancies (late transfer, no payment, amounts that
differ, no invoice to pay) are flags the reconciliation screen filters on.

Every field here is written by the system only: the waybill refuses any
write outside ``sudo()`` (see ``NovaPoshtaWaybill.write``)."""

import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero

from ..novaposhta import parse_date, to_float
from .novaposhta_waybill import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

# Waybills whose payment the scheduled action registers in one run.
COD_AUTO_BATCH = 200
# A payment in these states holds no money: the transfer may be registered again.
DEAD_PAYMENT_STATES = ("draft", "canceled", "rejected")
# Who may see the payment side of the ledger (reading it needs invoicing rights).
ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


# One concern of the waybill per file, on purpose (the ledger is read and
# extended apart from the waybill's life at NP).
class NovaPoshtaWaybill(models.Model):
    _inherit = "novaposhta.waybill"  # pylint: disable=consider-merging-classes-inherited

    currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", readonly=True
    )
    cod_collected_amount = fields.Monetary(
        string="Collected by NP",
        readonly=True,
        help="The cash on delivery Nova Poshta took from the recipient.",
    )
    cod_collected_date = fields.Date(string="Collected on", readonly=True, index=True)
    cod_transfer_amount = fields.Monetary(
        string="Transferred by NP",
        readonly=True,
        help="The amount of the money transfer Nova Poshta reports (LastAmountTransferGM).",
    )
    cod_transfer_date = fields.Date(string="Transferred on", readonly=True, index=True)
    cod_transfer_status = fields.Char(
        string="Transfer status at NP",
        readonly=True,
        help="Nova Poshta's last status of the money transfer (LastTransactionStatusGM).",
    )
    cod_transfer_number = fields.Char(
        string="Transfer document",
        readonly=True,
        help="The number of Nova Poshta's money-transfer document, when NP gives it "
        "(RedeliveryNum).",
    )
    cod_commission = fields.Monetary(
        string="NP commission",
        readonly=True,
        help="The commission Nova Poshta reports for the money transfer "
        "(LastAmountReceivedCommissionGM).",
    )
    cod_due_date = fields.Date(
        string="Transfer due by",
        compute="_compute_cod_due_date",
        store=True,
        help="Collected cash on delivery not transferred by this day is late (the account's "
        "days to transfer after the collection).",
    )
    cod_payment_id = fields.Many2one(
        "account.payment",
        string="Payment in Odoo",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=ACCOUNTING_GROUPS,
    )
    cod_payment_amount = fields.Monetary(
        string="Payment registered",
        compute="_compute_cod_payment",
        store=True,
        groups=ACCOUNTING_GROUPS,
    )
    cod_paid = fields.Boolean(
        string="Payment registered in Odoo",
        compute="_compute_cod_payment",
        store=True,
        help="A posted payment of Odoo is linked to this transfer.",
    )
    cod_not_paid = fields.Boolean(
        string="Transferred, no payment",
        compute="_compute_cod_flags",
        store=True,
        help="Nova Poshta transferred the money but no payment is registered in Odoo.",
    )
    cod_amount_differs = fields.Boolean(
        string="Amounts differ",
        compute="_compute_cod_flags",
        store=True,
        help="The amount transferred differs from the amount expected, or the payment "
        "registered from the amount transferred.",
    )
    cod_no_invoice = fields.Boolean(
        string="No invoice to pay",
        compute="_compute_cod_flags",
        store=True,
        help="Transferred, not registered, and the order has no posted invoice left to pay.",
    )
    cod_problem = fields.Char(
        string="Registration problem",
        readonly=True,
        help="Why the payment of this transfer could not be registered (last attempt).",
    )

    def init(self):
        result = super().init()
        # One Odoo payment is the payment of one transfer at most.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS novaposhta_waybill_cod_payment_unique "
            "ON novaposhta_waybill (cod_payment_id) WHERE cod_payment_id IS NOT NULL"
        )
        return result

    # ------------------------------------------------------------- computes
    @api.depends("cod_transfer_state", "cod_collected_date", "account_id.cod_transfer_days")
    def _compute_cod_due_date(self):
        for waybill in self:
            waybill.cod_due_date = (
                fields.Date.add(
                    waybill.cod_collected_date, days=waybill.account_id.cod_transfer_days
                )
                if waybill.cod_transfer_state == "collected" and waybill.cod_collected_date
                else False
            )

    @api.depends("cod_payment_id.state", "cod_payment_id.amount")
    def _compute_cod_payment(self):
        for waybill in self:
            # sudo: whether the transfer is paid is shown to every reader of the ledger.
            payment = waybill.sudo().cod_payment_id
            live = payment and payment.state not in DEAD_PAYMENT_STATES
            waybill.cod_paid = bool(live)
            waybill.cod_payment_amount = payment.amount if live else 0.0

    @api.depends(
        "cod_amount",
        "cod_transfer_state",
        "cod_transfer_amount",
        "cod_commission",
        "cod_paid",
        "cod_payment_amount",
        "order_id.order_line.invoice_lines.move_id.state",
        "order_id.order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_cod_flags(self):
        for waybill in self:
            transferred = waybill.cod_transfer_state == "transferred" and bool(waybill.cod_amount)
            rounding = waybill.currency_id.rounding or 0.01
            received = waybill._np_cod_received_amount()
            expected = float_compare(received, waybill.cod_amount, precision_rounding=rounding) == 0
            differs = transferred and (
                not (expected or waybill._np_cod_commission_withheld())
                or (
                    waybill.cod_paid
                    and float_compare(
                        waybill.cod_payment_amount, received, precision_rounding=rounding
                    )
                    != 0
                )
            )
            waybill.cod_not_paid = transferred and not waybill.cod_paid
            waybill.cod_amount_differs = bool(differs)
            waybill.cod_no_invoice = (
                transferred and not waybill.cod_paid and not waybill._np_cod_open_invoices()
            )

    def _np_cod_received_amount(self):
        """What NP transferred: its amount, or the cash on delivery itself
        when NP reports the transfer without an amount."""
        self.ensure_one()
        return self.cod_transfer_amount or self.cod_amount

    def _np_cod_commission_withheld(self):
        """NP kept its commission out of the transfer: the amount transferred
        plus the commission is the cash on delivery expected."""
        self.ensure_one()
        rounding = self.currency_id.rounding or 0.01
        return bool(
            self.cod_transfer_amount
            and self.cod_commission
            and float_compare(
                self.cod_transfer_amount, self.cod_amount, precision_rounding=rounding
            )
            != 0
            and float_compare(
                self.cod_transfer_amount + self.cod_commission,
                self.cod_amount,
                precision_rounding=rounding,
            )
            == 0
        )

    def _np_cod_open_invoices(self):
        """The order's posted customer invoices with something left to pay."""
        self.ensure_one()
        # sudo: which invoices are open is part of the ledger every reader sees.
        invoices = self.sudo().order_id.order_line.invoice_lines.move_id
        return invoices.filtered(
            lambda move: (
                move.state == "posted"
                and move.move_type == "out_invoice"
                and not float_is_zero(
                    move.amount_residual, precision_rounding=move.currency_id.rounding or 0.01
                )
            )
        )

    # ------------------------------------------------------- tracking answers
    def _np_tracking_vals(self, item, table):
        vals = super()._np_tracking_vals(item, table)
        code = str(item.get("StatusCode") or "").strip()
        if code == "3" and self.status_code not in (False, "3"):
            return vals  # NP lost sight of a known number: keep what we know
        for key, value in self._np_cod_vals(item, vals).items():
            current = self[key]
            if current != value and not (not current and not value):
                vals[key] = value
        return vals

    def _np_cod_vals(self, item, vals):
        """The ledger's facts in a tracking item (``vals``: what the item
        already changes on the waybill)."""
        self.ensure_one()
        if not vals.get("cod_amount", self.cod_amount):
            return {}
        state = vals.get("cod_transfer_state", self.cod_transfer_state)
        today = fields.Date.context_today(self)
        new = {}
        if state in ("collected", "transferred"):
            new["cod_collected_amount"] = (
                to_float(item.get("RedeliverySum"))
                or to_float(item.get("AfterpaymentOnGoodsCost"))
                or self.cod_collected_amount
                or vals.get("cod_amount", self.cod_amount)
            )
            new["cod_collected_date"] = (
                parse_date(item.get("RecipientDateTime"))
                or parse_date(item.get("ActualDeliveryDate"))
                or self.cod_collected_date
                or today
            )
        transfer = to_float(item.get("LastAmountTransferGM"))
        if transfer:
            new["cod_transfer_amount"] = transfer
        transfer_date = parse_date(item.get("LastTransactionDateTimeGM"))
        if transfer_date:
            new["cod_transfer_date"] = transfer_date
        elif state == "transferred" and not self.cod_transfer_date:
            new["cod_transfer_date"] = today  # NP gave no date: the day we learnt it
        status = str(item.get("LastTransactionStatusGM") or "").strip()
        if status:
            new["cod_transfer_status"] = status[:250]
        number = str(item.get("RedeliveryNum") or "").strip()
        if number and number != "0":
            new["cod_transfer_number"] = number[:64]
        commission = to_float(item.get("LastAmountReceivedCommissionGM"))
        if commission:
            new["cod_commission"] = commission
        return new

    # ------------------------------------------------------ registering
    @api.model
    def _np_cod_check_rights(self):
        """Registering a payment is an accountant's act: the caller must be
        able to create payments and change invoices (Odoo's own rights)."""
        try:
            self.env["account.payment"].check_access("create")
            self.env["account.move"].check_access("write")
        except AccessError as error:
            raise AccessError(
                _(
                    "Registering the payment of a cash-on-delivery transfer needs the "
                    "rights to register payments on invoices (the Accountant role)."
                )
            ) from error

    def action_np_cod_register_payment(self):
        """Button and list action of the ledger: register the payment of
        Nova Poshta's transfer on the order's invoice, once. One waybill: a
        refusal is shown as a message; several: one result per waybill."""
        self._np_cod_check_rights()
        self.check_access("read")
        if len(self) == 1:
            payment, created = self._np_cod_register()
            message = (
                _(
                    "Payment %(payment)s registered for waybill %(number)s.",
                    payment=payment.name,
                    number=self.name,
                )
                if created
                else _(
                    "Waybill %(number)s already has payment %(payment)s.",
                    number=self.name,
                    payment=payment.name,
                )
            )
            return self.env["sale.order"]._np_notify(message, "success" if created else "info")
        lines = []
        done = 0
        for waybill in self:
            try:
                with self.env.cr.savepoint():
                    payment, created = waybill._np_cod_register()
                done += created
                lines.append(
                    _("%(number)s: payment %(payment)s", number=waybill.name, payment=payment.name)
                    if created
                    else _(
                        "%(number)s: already paid by %(payment)s",
                        number=waybill.name,
                        payment=payment.name,
                    )
                )
            except UserError as error:
                lines.append(_("%(number)s: %(reason)s", number=waybill.name, reason=error.args[0]))
        message = _(
            "%(done)s of %(total)s payments registered. %(lines)s",
            done=done,
            total=len(self),
            lines="; ".join(lines),
        )
        return self.env["sale.order"]._np_notify(
            message, "success" if done == len(self) else "warning"
        )

    def _np_cod_lock(self):
        """Lock the waybill's row for this transaction without waiting:
        False when another transaction holds it or changed it meanwhile."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM novaposhta_waybill WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                        self.id,
                    ),
                    log_exceptions=False,
                )
        except CONCURRENCY_ERRORS:
            return False
        self.invalidate_recordset()
        return True

    def _np_cod_register(self, auto=False):
        """Register the payment of this waybill's transfer on its order's
        invoice, as the current user (a person's click: their own rights on
        invoices and payments apply; the scheduled action: the system).
        → ``(payment, created)``; a payment already registered for the
        transfer is returned as it is (never a second one). Raises
        UserError with what to do when it cannot be registered."""
        self.ensure_one()
        if not self._np_cod_lock():
            raise UserError(
                _(
                    "The payment of waybill %(number)s is being registered by someone else "
                    "right now. Wait a moment and look again.",
                    number=self.name,
                )
            )
        # sudo: the waybill's ledger facts are the system's record; the
        # payment below is created with the caller's own rights.
        waybill = self.sudo()
        if waybill.cod_paid:
            return self.env["account.payment"].browse(waybill.cod_payment_id.id), False
        if waybill.cod_transfer_state != "transferred" or not waybill.cod_amount:
            raise UserError(
                _(
                    "Nova Poshta has not reported the cash on delivery of waybill %(number)s "
                    "as transferred to the store yet.",
                    number=waybill.name,
                )
            )
        currency = waybill.currency_id
        rounding = currency.rounding or 0.01
        amount = waybill._np_cod_received_amount()
        if auto and waybill.cod_amount_differs:
            raise UserError(
                _(
                    "Nova Poshta transferred %(transferred)s for waybill %(number)s, "
                    "%(expected)s was expected: a person registers this payment.",
                    transferred=currency.format(amount),
                    number=waybill.name,
                    expected=currency.format(waybill.cod_amount),
                )
            )
        order_name = waybill.order_id.name
        invoices = self.env["account.move"].browse(waybill._np_cod_open_invoices().ids)
        if not invoices:
            raise UserError(
                _(
                    "Order %(order)s has no posted invoice left to pay: create and post its "
                    "invoice, then register the payment of waybill %(number)s.",
                    order=order_name,
                    number=waybill.name,
                )
            )
        if invoices.currency_id != currency:
            raise UserError(
                _(
                    "The invoice of order %(order)s is not in %(currency)s: register the "
                    "payment of waybill %(number)s on the invoice itself.",
                    order=order_name,
                    currency=currency.name,
                    number=waybill.name,
                )
            )
        residual = sum(invoices.mapped("amount_residual"))
        if float_compare(amount, residual, precision_rounding=rounding) > 0:
            raise UserError(
                _(
                    "Nova Poshta transferred %(transferred)s for waybill %(number)s but only "
                    "%(due)s is left to pay on the invoices of order %(order)s: register it on "
                    "the invoice itself.",
                    transferred=currency.format(amount),
                    number=waybill.name,
                    due=currency.format(residual),
                    order=order_name,
                )
            )
        # The caller's own rights on the invoice (not sudo).
        invoices.check_access("write")
        journal = waybill.account_id.cod_journal_id
        communication = " ".join(
            filter(
                None,
                [
                    _("Nova Poshta cash on delivery"),
                    waybill.name,
                    waybill.cod_transfer_number or "",
                ],
            )
        )
        wizard_vals = {
            "amount": amount,
            "payment_date": waybill.cod_transfer_date or fields.Date.context_today(self),
            "communication": communication,
            "group_payment": True,
        }
        if journal:
            wizard_vals["journal_id"] = journal.id
        commission_account = waybill.account_id.cod_commission_account_id
        if waybill._np_cod_commission_withheld():
            if auto and not commission_account:
                raise UserError(
                    _(
                        "Nova Poshta withheld its commission of %(commission)s from the transfer "
                        "of waybill %(number)s: set the account of NP commissions on the Nova "
                        "Poshta account, or register this payment by hand.",
                        commission=currency.format(waybill.cod_commission),
                        number=waybill.name,
                    )
                )
            if commission_account and (
                float_compare(
                    amount + waybill.cod_commission, residual, precision_rounding=rounding
                )
                == 0
            ):
                # the invoice is paid in full; the commission is the store's expense
                wizard_vals.update(
                    {
                        "payment_difference_handling": "reconcile",
                        "writeoff_account_id": commission_account.id,
                        "writeoff_label": _("Nova Poshta commission"),
                    }
                )
        wizard = (
            self.env["account.payment.register"]
            .with_company(waybill.company_id)
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(wizard_vals)
        )
        payments = wizard._create_payments()
        payment = payments[:1]
        # sudo: the link is a system field of the ledger; the payment was made
        # with the caller's rights above.
        waybill.write({"cod_payment_id": payment.id, "cod_problem": False})
        # sudo: a system note on the order (the accountant may not post on orders).
        waybill.order_id.message_post(
            body=_(
                "Payment %(payment)s of %(amount)s registered for the cash on delivery of "
                "Nova Poshta waybill %(number)s.",
                payment=payment.name,
                amount=currency.format(amount),
                number=waybill.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return payment, True

    # --------------------------------------------------- scheduled action
    @api.model
    def _cron_sync_tracking(self, limit=None, stats=None):
        stats = super()._cron_sync_tracking(limit=limit, stats=stats)
        self._np_cod_auto_register(stats)
        return stats

    @api.model
    def _np_cod_auto_register(self, stats=None):
        """Register the payments of the transfers of accounts whose policy
        asks for it, one savepoint per waybill; a waybill that cannot be
        registered keeps the reason (shown in the ledger; noted on its order
        once) and is tried again at the next run."""
        stats = stats if stats is not None else {}
        # sudo: the scheduled action registers the payments as the system.
        waybills = self.sudo().search(
            [
                ("cod_not_paid", "=", True),
                ("account_id.cod_auto_payment", "=", True),
            ],
            order="cod_transfer_date, id",
            limit=COD_AUTO_BATCH,
        )
        for waybill in waybills:
            if not waybill._np_cod_lock():
                # a person (or another run) is registering it, or registered
                # it since this run began: theirs stands
                stats["cod_busy"] = stats.get("cod_busy", 0) + 1
                continue
            try:
                with self.env.cr.savepoint():
                    _payment, created = waybill.with_company(waybill.company_id)._np_cod_register(
                        auto=True
                    )
                stats["cod_registered"] = stats.get("cod_registered", 0) + int(created)
                continue
            except UserError as error:
                reason = error.args[0]
            except Exception as error:  # noqa: BLE001 - one bad waybill never stops the rest
                _logger.warning(
                    "Nova Poshta cash on delivery of %s not registered: %s",
                    waybill.name,
                    error,
                    exc_info=True,
                )
                reason = str(error)
            stats["cod_left"] = stats.get("cod_left", 0) + 1
            try:
                waybill._np_cod_note_problem(reason)
            except CONCURRENCY_ERRORS:
                stats["cod_busy"] = stats.get("cod_busy", 0) + 1
        return stats

    def _np_cod_note_problem(self, reason):
        """Keep why the automatic registration failed; a new reason is
        noted on the order once."""
        self.ensure_one()
        reason = (reason or "")[:250]
        if self.cod_problem == reason:
            return
        with self.env.cr.savepoint():
            # sudo: the scheduled action's own record and note.
            self.sudo().write({"cod_problem": reason})
            self.sudo().order_id.message_post(
                body=Markup("%s<br/>%s")
                % (
                    _("The payment of Nova Poshta's cash on delivery was not registered:"),
                    reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
