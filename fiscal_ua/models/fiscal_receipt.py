import json
import logging
import threading
import time
import uuid

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..checkbox import CHECK_URL, CheckboxError, line_sum, to_kopecks, to_quantity
from .fiscal_cash_register import parse_checkbox_datetime

_logger = logging.getLogger(__name__)

RECEIPT_TYPES = [
    ("sell", "Sale"),
    ("return", "Return"),
    ("prepayment", "Prepayment"),
    ("final", "Final payment"),
    ("service_in", "Cash in"),
    ("service_out", "Cash out"),
]
STATES = [("draft", "Draft"), ("sent", "Sent"), ("done", "Done"), ("error", "Error")]
SEND_PATHS = {
    "sell": "receipts/sell",
    "return": "receipts/sell",
    "prepayment": "prepayment-receipts",
    "service_in": "receipts/service",
    "service_out": "receipts/service",
}
NAME_LIMIT = 256
# uncertain outcomes after which a receipt is listed for a person
ATTENTION_AFTER_CHECKS = 5
# the scheduled action stops after this many seconds and asks to run again
CRON_TIME_BUDGET = 60.0


class FiscalReceipt(models.Model):
    """A fiscal receipt issued (or being issued) through Checkbox.

    Exactly once: the receipt's id (``uuid``) is derived from the database and
    the purpose (``purpose_key``: which document, what for) and stored before
    the request; a retry reuses it and first asks Checkbox whether it already
    has it. A partial unique index allows one receipt per purpose that is not
    in error, and the document row is locked while a receipt is issued.

    Every field is set by the system: receipts are created by the addon's
    actions (Fiscalize, Return receipt, paid orders) and never by hand."""

    _name = "fiscal.receipt"
    _inherit = ["fiscal.system.fields.mixin"]
    _description = "Fiscal Receipt"
    _fiscal_system_fields = "__all__"
    _fiscal_system_records = True
    _order = "id desc"
    _rec_names_search = ["name", "fiscal_code", "uuid"]

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    receipt_type = fields.Selection(RECEIPT_TYPES, "Type", required=True, readonly=True)
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, index=True, copy=False
    )
    uuid = fields.Char("Our id", required=True, readonly=True, copy=False, index=True)
    purpose_key = fields.Char("Purpose", readonly=True, copy=False, index=True)
    generation = fields.Integer(readonly=True, copy=False)
    checkbox_id = fields.Char("Checkbox id", readonly=True, copy=False)
    checkbox_status = fields.Char("Checkbox status", readonly=True, copy=False)
    register_id = fields.Many2one(
        "fiscal.cash.register", "Cash register", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(related="register_id.company_id", store=True)
    currency_id = fields.Many2one(related="register_id.company_id.currency_id")
    shift_id = fields.Many2one("fiscal.shift", readonly=True, index=True, copy=False)
    cashier_id = fields.Many2one("fiscal.cashier", readonly=True, copy=False)
    move_id = fields.Many2one(
        "account.move", "Invoice", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    sale_order_id = fields.Many2one(
        "sale.order", "Order", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    transaction_id = fields.Many2one("payment.transaction", "Payment transaction", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    related_receipt_id = fields.Many2one(
        "fiscal.receipt",
        "Related receipt",
        readonly=True,
        help="The sale receipt a return refers to, or the prepayment receipt of a final payment.",
    )
    amount_total = fields.Monetary("Total", readonly=True)
    payments_data = fields.Text("Payments (technical)", readonly=True)
    payment_summary = fields.Char("Payments", compute="_compute_payment_summary")
    fiscal_code = fields.Char("Fiscal number", readonly=True, copy=False, index="btree_not_null")
    fiscal_date = fields.Datetime("Fiscal date", readonly=True, copy=False)
    serial = fields.Integer("Number in shift", readonly=True, copy=False)
    prepayment_relation_id = fields.Char("Prepayment chain", readonly=True, copy=False)
    public_url = fields.Char("Receipt link", readonly=True, copy=False)
    tax_url = fields.Char("Tax service link", readonly=True, copy=False)
    qr_code = fields.Binary("QR code", compute="_compute_qr_code")
    payload = fields.Text("Request", readonly=True, copy=False)
    answer = fields.Text("Last answer", readonly=True, copy=False)
    error_message = fields.Text("Error", readonly=True, copy=False)
    attempt_count = fields.Integer("Attempts", readonly=True, copy=False)
    last_attempt_at = fields.Datetime("Last attempt", readonly=True, copy=False)
    check_count = fields.Integer(
        "Unconfirmed checks",
        readonly=True,
        copy=False,
        help="How many times in a row Checkbox could not confirm what happened to the receipt.",
    )
    last_check_at = fields.Datetime("Last check", readonly=True, copy=False)
    needs_attention = fields.Boolean(
        "Needs a person",
        readonly=True,
        copy=False,
        index=True,
        help="The scheduled action could not settle with Checkbox whether this receipt was "
        "issued. It keeps trying; a person may re-check it with Checkbox.",
    )
    link_sent = fields.Boolean("Link sent to the customer", readonly=True, copy=False)

    _sql_constraints = [("uuid_uniq", "unique(uuid)", "A receipt id is used once.")]

    def init(self):
        # One receipt per purpose (document and what for) that is not in error.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS fiscal_receipt_purpose_active_uniq "
                "ON fiscal_receipt (purpose_key) "
                "WHERE state != 'error' AND purpose_key IS NOT NULL"
            )
        )

    # ------------------------------------------------------------------ computes
    @api.depends("fiscal_code", "receipt_type", "uuid")
    def _compute_name(self):
        labels = dict(RECEIPT_TYPES)
        for receipt in self:
            number = receipt.fiscal_code or (receipt.uuid or "")[:8]
            receipt.name = f"{labels.get(receipt.receipt_type, '')} {number}".strip()

    @api.depends("fiscal_code", "receipt_type", "uuid")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # the stored name keeps one language for searching; people read the type in theirs
        labels = dict(self._fields["receipt_type"]._description_selection(self.env))
        for receipt in self:
            number = receipt.fiscal_code or (receipt.uuid or "")[:8]
            receipt.display_name = f"{labels.get(receipt.receipt_type, '')} {number}".strip()

    @api.depends("payments_data")
    def _compute_payment_summary(self):
        for receipt in self:
            parts = []
            for form, amount in receipt._payments():
                parts.append(f"{form.name} {amount:.2f}")
            receipt.payment_summary = ", ".join(parts)

    @api.depends("tax_url", "public_url")
    def _compute_qr_code(self):
        Report = self.env["ir.actions.report"]
        for receipt in self:
            value = receipt.tax_url or receipt.public_url
            receipt.qr_code = Report.barcode("QR", value, width=240, height=240) if value else False

    def _payments(self):
        """[(fiscal.payment.form, amount)] of the receipt."""
        self.ensure_one()
        Form = self.env["fiscal.payment.form"].sudo().with_context(active_test=False)
        return [
            (Form.browse(item["form_id"]), item["amount"])
            for item in json.loads(self.payments_data or "[]")
        ]

    @api.model
    def _payments_json(self, payments):
        merged = {}
        for form, amount in payments:
            merged[form.id] = merged.get(form.id, 0.0) + amount
        return json.dumps([{"form_id": fid, "amount": amt} for fid, amt in merged.items()])

    # ------------------------------------------------------------------ creation
    @api.model
    def _default_register(self, company):
        register = self.env["fiscal.cash.register"].search(
            [("company_id", "=", company.id)], limit=1
        )
        if not register:
            raise UserError(
                _(
                    "No cash register is set up for %(company)s: add one in Fiscal → "
                    "Configuration → Cash registers.",
                    company=company.display_name,
                )
            )
        return register

    @api.model
    def _new_uuid(self, purpose_key, generation):
        """Our receipt id: the same for the same purpose and generation in this
        database, so that a lost transaction cannot lead to a second receipt."""
        if not purpose_key:
            return str(uuid.uuid4())
        db_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"fiscal_ua:{db_uuid}:{purpose_key}:{generation}")
        )

    @api.model
    def _lock_documents(self, records, nowait=True):
        """Lock the rows of the documents a receipt is issued for, so that two
        users clicking at once cannot both issue one."""
        if not records:
            return
        query = SQL(
            "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE%s",
            SQL.identifier(records._table),
            tuple(records.ids),
            SQL(" NOWAIT") if nowait else SQL(),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _(
                    "Another user is issuing a fiscal receipt for %(document)s right now. "
                    "Wait a moment, then look at its receipts.",
                    document=", ".join(records.mapped("display_name")),
                )
            ) from None

    @api.model
    def _active_for(self, purpose_keys):
        return self.search([("purpose_key", "in", list(purpose_keys)), ("state", "!=", "error")])

    @api.model
    def _taken_elsewhere(self, purpose_key, receipt_uuid):
        """Whether a transaction that ended after this one started has made
        the receipt of this purpose (or used this id): it cannot be seen from
        this transaction. Asked while the document is locked, so that such a
        transaction has ended."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT 1 FROM fiscal_receipt WHERE uuid = %s "
                    "OR (purpose_key = %s AND state != 'error') LIMIT 1",
                    receipt_uuid,
                    purpose_key,
                )
            )
            return bool(cr.fetchone())

    @api.model
    def _create_for_purpose(self, vals):
        """Create the receipt of a purpose with its stable id; refuses when
        the purpose already has a receipt that is not in error."""
        key = vals["purpose_key"]
        if self._active_for([key]):
            raise UserError(_("This document already has a fiscal receipt for that purpose."))
        generation = self.sudo().search_count([("purpose_key", "=", key)])
        vals = dict(vals, generation=generation, uuid=self._new_uuid(key, generation))
        if self._taken_elsewhere(key, vals["uuid"]):
            raise UserError(
                _("Another user has just issued this receipt. Reload the page to see it.")
            )
        try:
            with self.env.cr.savepoint():
                # receipts are system records: the calling action checked the user's right
                receipt = self.sudo().create(vals)
        except psycopg2.errors.UniqueViolation:
            raise UserError(
                _("Another user has just issued this receipt. Reload the page to see it.")
            ) from None
        return receipt.with_env(self.env)

    def _fiscal_prepare(self):
        """Build and store the request before anything is sent: mapping
        problems (an unmapped tax, no payment form…) show as a UserError."""
        self.ensure_one()
        # the request is a system field, built from the document by this method only
        self.sudo().payload = json.dumps(self._build_payload(), ensure_ascii=False)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unsent(self):
        for receipt in self:
            if receipt.state != "draft" or receipt.attempt_count:
                raise UserError(
                    _(
                        "Receipt %(receipt)s was sent to Checkbox and cannot be deleted.",
                        receipt=receipt.display_name,
                    )
                )

    # ------------------------------------------------------------------ payload
    def _tax_codes(self, taxes):
        """Checkbox tax codes of a line with these Odoo taxes."""
        self.ensure_one()
        register = self.register_id
        taxes = taxes.flatten_taxes_hierarchy() if taxes else taxes
        if not taxes:
            return [register.untaxed_tax_id.code] if register.untaxed_tax_id else []
        codes, missing = [], self.env["account.tax"]
        for tax in taxes:
            fiscal_tax = register.tax_ids.filtered(lambda t, tax=tax: tax in t.tax_ids)[:1]
            if fiscal_tax:
                if fiscal_tax.code not in codes:
                    codes.append(fiscal_tax.code)
            else:
                missing |= tax
        if missing:
            raise UserError(
                _(
                    "Taxes %(taxes)s are not mapped to a tax rate of cash register %(register)s. "
                    "Map them in Fiscal → Configuration → Tax rates.",
                    taxes=", ".join(missing.mapped("name")),
                    register=register.display_name,
                )
            )
        return codes

    @staticmethod
    def _discount_entry(value, percent=0.0):
        """A line discount (positive kopecks) or extra charge (negative)."""
        if value > 0:
            name = f"Знижка {percent:g}%" if percent else "Округлення"
            return {"type": "DISCOUNT", "mode": "VALUE", "value": value, "name": name}
        return {"type": "EXTRA_CHARGE", "mode": "VALUE", "value": -value, "name": "Округлення"}

    def _goods(self, lines, total):
        """The ``goods`` and receipt ``discounts`` of a document.

        ``lines``: dicts with ``code``, ``name``, ``quantity``, ``price_unit``
        (tax included, before discount), ``total`` (tax included, after
        discount), ``discount`` (percent) and ``taxes``. Each good's sum equals
        the line total to the kopeck (a value discount or extra charge makes up
        the difference), negative lines become a receipt discount, and the
        last good absorbs the kopecks by which the lines differ from ``total``.
        """
        goods, nets = [], []
        receipt_discount = 0
        for line in lines:
            net = to_kopecks(line["total"])
            if net < 0:
                receipt_discount -= net
                continue
            quantity = to_quantity(line["quantity"])
            if net == 0 or quantity <= 0:
                continue
            price = to_kopecks(line["price_unit"])
            good = {
                "good": {
                    "code": line["code"],
                    "name": (line["name"] or line["code"])[:NAME_LIMIT],
                    "price": price,
                },
                "quantity": quantity,
            }
            codes = self._tax_codes(line["taxes"])
            if codes:
                good["good"]["tax"] = codes
            goods.append((good, line.get("discount") or 0.0, line_sum(price, quantity)))
            nets.append(net)
        if not goods:
            raise UserError(_("The document has no line with an amount to put on a receipt."))
        delta = sum(nets) - receipt_discount - to_kopecks(total)
        nets[-1] -= delta
        result = []
        for (good, percent, gross), net in zip(goods, nets, strict=True):
            if gross != net:
                good["discounts"] = [self._discount_entry(gross - net, percent)]
            result.append(good)
        discounts = []
        if receipt_discount:
            discounts.append(
                {"type": "DISCOUNT", "mode": "VALUE", "value": receipt_discount, "name": "Знижка"}
            )
        return result, discounts

    def _checkbox_payments(self, total_kopecks=None):
        """The ``payments`` list; with ``total_kopecks`` the last payment takes
        the rounding so that the payments equal the receipt total."""
        self.ensure_one()
        payments = [form._checkbox_payment(to_kopecks(amount)) for form, amount in self._payments()]
        if not payments:
            raise UserError(_("The receipt has no payment."))
        if total_kopecks is not None:
            payments[-1]["value"] += total_kopecks - sum(p["value"] for p in payments)
        return payments

    def _document_lines(self):
        self.ensure_one()
        if self.move_id:
            return self.move_id._fiscal_lines(), self.move_id.amount_total
        if self.sale_order_id:
            return self.sale_order_id._fiscal_lines(), self.sale_order_id.amount_total
        raise UserError(_("The receipt is linked to no invoice and no order."))

    def _footer(self):
        if self.move_id:
            return f"Рахунок {self.move_id.name}"
        if self.sale_order_id:
            return f"Замовлення {self.sale_order_id.name}"
        return None

    def _build_payload(self):
        """The JSON body of the receipt's request to Checkbox."""
        self.ensure_one()
        kind = self.receipt_type
        if kind in ("service_in", "service_out"):
            value = to_kopecks(self.amount_total)
            return {
                "id": self.uuid,
                "payment": {"type": "CASH", "value": value if kind == "service_in" else -value},
            }
        if kind == "final":
            return {"id": self.uuid, "payments": self._checkbox_payments()}
        lines, total = self._document_lines()
        goods, discounts = self._goods(lines, total)
        payload = {"id": self.uuid, "goods": goods}
        if discounts:
            payload["discounts"] = discounts
        goods_total = to_kopecks(total)
        if kind == "prepayment":
            payload["payments"] = self._checkbox_payments()
        else:
            payload["payments"] = self._checkbox_payments(goods_total)
        footer = self._footer()
        if footer:
            payload["footer"] = footer
        if kind == "return":
            payload["related_receipt_id"] = self.related_receipt_id.checkbox_id
            for good in payload["goods"]:
                good["is_return"] = True
        return payload

    def _fiscal_related(self):
        """The receipt this one refers to; when that one was refused and
        issued again, the receipt that replaced it (same purpose)."""
        self.ensure_one()
        related = self.related_receipt_id
        if related.state == "error" and related.purpose_key:
            return self._active_for([related.purpose_key])[:1] or related
        return related

    def _send_path(self):
        self.ensure_one()
        if self.receipt_type == "final":
            relation = self._fiscal_related().prepayment_relation_id
            return f"prepayment-receipts/{relation}"
        return SEND_PATHS[self.receipt_type]

    # ------------------------------------------------------------------ sending
    def _waiting_for(self):
        """Why the receipt cannot be sent yet (or False)."""
        self.ensure_one()
        related = self._fiscal_related()
        if self.receipt_type == "final" and not (
            related.state == "done" and related.prepayment_relation_id
        ):
            return _(
                "Waiting for the prepayment receipt %(receipt)s.", receipt=related.display_name
            )
        if self.receipt_type == "return" and related.state != "done":
            return _("Waiting for the sale receipt %(receipt)s.", receipt=related.display_name)
        return False

    def _fiscal_post(self, client):
        """Send the receipt (our id, stored payload) to an open shift."""
        self.ensure_one()
        register = self.register_id
        payload = json.loads(self.payload)
        register._ensure_open_shift(client)
        self.write(
            {
                "attempt_count": self.attempt_count + 1,
                "last_attempt_at": fields.Datetime.now(),
                "cashier_id": register.cashier_id.id,
            }
        )
        self.flush_recordset()
        try:
            try:
                return client.create_receipt(self._send_path(), payload)
            except CheckboxError as exc:
                if not exc.is_no_open_shift:
                    raise
            # The shift ended on Checkbox's side: open one and send the same id again.
            register._ensure_open_shift(client, trust_local=False)
            return client.create_receipt(self._send_path(), payload)
        except CheckboxError as exc:
            # a refusal from here is about the receipt itself, confirmed by a look-up
            exc.receipt_refused = exc.is_refused and not (exc.is_auth or exc.is_no_open_shift)
            raise

    def _fiscal_apply(self, data):
        """Record an answer of Checkbox about this receipt."""
        self.ensure_one()
        status = data.get("status")
        vals = {
            "checkbox_id": data.get("id") or self.uuid,
            "checkbox_status": status,
            "answer": json.dumps(data, ensure_ascii=False)[:20000],
        }
        for field, key in (("fiscal_code", "fiscal_code"), ("serial", "serial")):
            if data.get(key):
                vals[field] = data[key]
        if data.get("tax_url"):
            vals["tax_url"] = data["tax_url"]
        if data.get("pre_payment_relation_id"):
            vals["prepayment_relation_id"] = data["pre_payment_relation_id"]
        if data.get("fiscal_date"):
            vals["fiscal_date"] = parse_checkbox_datetime(data["fiscal_date"])
        shift_data = data.get("shift") or {}
        if isinstance(shift_data, dict) and shift_data.get("id"):
            shift = self.env["fiscal.shift"].search([("checkbox_id", "=", shift_data["id"])])
            vals["shift_id"] = (
                shift.id or self.register_id._sync_shift(dict(shift_data, status="OPENED")).id
            )
        if status == "DONE":
            vals.update(
                state="done",
                error_message=False,
                public_url=CHECK_URL.rstrip("/") + "/" + vals["checkbox_id"],
            )
        elif status in ("ERROR", "CANCELLED"):
            vals.update(
                state="error",
                error_message=self.register_id._receipt_refusal_message(data),
            )
        else:
            vals["state"] = "sent"
        if vals["state"] in ("done", "error"):
            vals.update(check_count=0, needs_attention=False)
        self.write(vals)

    def _fiscal_uncertain(self, reason):
        """The receipt could not be settled now (Checkbox gave no clear
        answer, or it could not be sent): it stays queued with the same id,
        looked up before any resend; after a few such checks in a row it is
        listed for a person."""
        self.ensure_one()
        count = self.check_count + 1
        limit = int(
            self.env["ir.config_parameter"].sudo().get_param("fiscal_ua.attention_after_checks")
            or ATTENTION_AFTER_CHECKS
        )
        if self.state == "sent" or self.attempt_count:
            message = _(
                "Checkbox has not confirmed this receipt yet: %(reason)s It is checked again "
                "automatically and is never issued twice.",
                reason=reason,
            )
        else:
            message = _(
                "The receipt could not be sent yet: %(reason)s It is sent again automatically, "
                "with the same id.",
                reason=reason,
            )
        if count >= limit:
            message = _(
                "%(message)s After %(count)s checks it still has no clear answer: it is listed "
                "in Fiscal → Needs a person.",
                message=message,
                count=count,
            )
        self.write(
            {"check_count": count, "needs_attention": count >= limit, "error_message": message}
        )

    def _fiscal_send(self):
        """Send (or check) the receipts. The outcome is recorded on each
        receipt; Checkbox errors are never raised from here. A receipt goes
        to "error" only when Checkbox refused it and a look-up by our id
        confirmed that it has no such receipt; any other failure keeps it
        queued for the scheduled action."""
        for user_receipt in self:
            # system fields are written here only; callers checked the user's right to act
            receipt = user_receipt.sudo()
            if receipt.state in ("done", "error"):
                continue
            receipt.last_check_at = fields.Datetime.now()
            waiting = receipt._waiting_for()
            if waiting:
                receipt.error_message = waiting
                continue
            if not receipt.payload:
                try:
                    receipt._fiscal_prepare()
                except UserError as exc:
                    # nothing was sent: the receipt cannot be built (e.g. an unmapped tax)
                    receipt.write({"state": "error", "error_message": str(exc)})
                    continue
            register = receipt.register_id
            try:
                client = register._checkbox_client()
            except UserError as exc:
                receipt._fiscal_uncertain(str(exc))
                continue
            sent_before = receipt.state == "sent" or receipt.attempt_count
            try:
                data = client.find_receipt(receipt.uuid) if sent_before else None
                if data is None:
                    data = receipt._fiscal_post(client)
                receipt._fiscal_apply(data)
                if receipt.state == "sent":
                    receipt._fiscal_apply(client.wait_receipt(data, register.receipt_wait))
            except CheckboxError as exc:
                text = register._checkbox_error_message(exc)
                _logger.info(
                    "fiscal_ua: receipt %s: %s (%s)",
                    receipt.id,
                    exc.code,
                    register._error_text(exc),
                )
                if getattr(exc, "receipt_refused", False) and receipt.state != "sent":
                    # Checkbox refused the receipt and confirmed it has no receipt with our id
                    receipt.write(
                        {"state": "error", "error_message": text, "needs_attention": False}
                    )
                else:
                    # no clear answer, a failure after Checkbox took the receipt, or one
                    # before it could be sent (sign-in, shift): queued for the next check
                    receipt._fiscal_uncertain(text)
            else:
                if receipt.state == "sent":
                    receipt._fiscal_uncertain(_("it has no fiscal number yet."))
                elif receipt.state == "done":
                    receipt.write({"check_count": 0, "needs_attention": False})
            if receipt.state == "done":
                receipt._fiscal_after_done()
        return self

    def _fiscal_after_done(self):
        """Send the receipt link to the customer (never fails the receipt)."""
        self.ensure_one()
        if self.link_sent or not self.register_id.send_receipt_link or not self.partner_id:
            return
        document = self.sale_order_id or self.move_id
        if not document:
            return
        try:
            with self.env.cr.savepoint():
                # the link goes to the customer as the system's message, whoever issued it
                self.link_sent = bool(document.sudo()._fiscal_send_receipt_link(self))
        except Exception as exc:  # noqa: BLE001 - the receipt is issued; the link can be resent
            _logger.warning(
                "fiscal_ua: receipt %s: link not sent: %s",
                self.id,
                self.register_id._error_text(exc),
            )

    def _fiscal_note_link_not_sent(self, document):
        """Tell the staff on ``document`` (the order or the invoice) that the
        customer wants no messages, so the receipt's link was not sent."""
        self.ensure_one()
        document.message_post(
            body=_(
                "The link of fiscal receipt %(receipt)s was not sent: the customer gets no "
                "messages (“Order messages by”: “No messages”).",
                receipt=self.display_name,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _result_action(self):
        """A notification telling the user what happened to the receipt."""
        self.ensure_one()
        register = self.register_id
        if self.state == "done":
            return register._notify(
                _("Receipt issued"),
                _("Fiscal receipt %(number)s is issued.", number=self.fiscal_code),
            )
        if self.state == "error":
            return register._notify(
                _("Receipt refused"),
                _(
                    "Checkbox refused the receipt: %(error)s The document is unchanged; the "
                    "receipt is listed in Fiscal → Receipts → Errors.",
                    error=self.error_message,
                ),
                "danger",
                sticky=True,
            )
        if self.state == "draft" and not self.attempt_count and self.error_message:
            # nothing reached Checkbox (no connection, no sign-in, no shift): say why
            return register._notify(
                _("Receipt not sent yet"), self.error_message, "warning", sticky=True
            )
        return register._notify(
            _("Receipt on its way"),
            _(
                "Checkbox has not confirmed the receipt yet. It is checked again automatically "
                "and never issued twice; its state shows on the document."
            ),
            "warning",
            sticky=True,
        )

    # ------------------------------------------------------------------ buttons
    def _check_fiscal_rights(self):
        """The caller may act on these receipts (Accountant, Administrator)."""
        self.check_access("write")

    def action_recheck(self):
        """Re-check with Checkbox: look the receipt up by our id and record
        what Checkbox knows; a receipt Checkbox does not have is sent again
        with the same id, so a second click (or a click while the scheduled
        action works) can never issue a second receipt."""
        self._check_fiscal_rights()
        pending = self.filtered(lambda r: r.state in ("draft", "sent"))
        if pending:
            # two clicks, or a click and the scheduled action, never work on one receipt at once
            query = SQL(
                "SELECT id FROM fiscal_receipt WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                tuple(pending.ids),
            )
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query, log_exceptions=False)
            except psycopg2.errors.LockNotAvailable:
                raise UserError(
                    _(
                        "This receipt is being checked with Checkbox right now. Wait a moment, "
                        "then reload the page."
                    )
                ) from None
            pending.invalidate_recordset()
            pending._fiscal_send()
        if len(self) == 1:
            return self._result_action()
        done = len(self.filtered(lambda r: r.state == "done"))
        return self.env["fiscal.cash.register"]._notify(
            _("Receipts checked"),
            _(
                "%(done)s of %(count)s receipts are issued; the others show what Checkbox "
                "answered.",
                done=done,
                count=len(self),
            ),
            "info",
        )

    def action_check(self):
        """The "Check now" button: same as Re-check with Checkbox."""
        self.ensure_one()
        return self.action_recheck()

    def _fiscal_adopt_earlier(self, client):
        """Before a receipt in error is issued again with a new id: ask
        Checkbox about the ids of this purpose that went out and were not
        refused by Checkbox itself. One that exists after all is recorded
        (and nothing new is issued). Raises UserError when Checkbox gives no
        clear answer."""
        self.ensure_one()
        earlier = (
            self.sudo()
            .search(
                [
                    ("purpose_key", "=", self.purpose_key),
                    ("state", "=", "error"),
                    ("attempt_count", ">", 0),
                ]
            )
            .filtered(lambda r: r.checkbox_status not in ("ERROR", "CANCELLED"))
        )
        for receipt in earlier:
            try:
                data = client.find_receipt(receipt.uuid)
            except CheckboxError as exc:
                raise UserError(
                    _(
                        "Checkbox could not confirm that receipt %(receipt)s was not issued: "
                        "%(error)s Nothing was issued; try again later.",
                        receipt=receipt.display_name,
                        error=receipt.register_id._checkbox_error_message(exc),
                    )
                ) from exc
            if data and data.get("status") not in ("ERROR", "CANCELLED"):
                receipt._fiscal_apply(data)
                if receipt.state == "sent":
                    receipt._fiscal_uncertain(_("it has no fiscal number yet."))
                return receipt
        return self.browse()

    def action_retry(self):
        """A new receipt (new id) for the purpose of a receipt in error."""
        self.ensure_one()
        self.check_access("create")
        self.check_access("write")
        if self.state != "error":
            raise UserError(_("Only a receipt in error can be issued again."))
        if self.move_id:
            self.env["fiscal.receipt"]._lock_documents(self.move_id)
        if self.sale_order_id:
            self.env["fiscal.receipt"]._lock_documents(self.sale_order_id)
        if self.purpose_key and self._active_for([self.purpose_key]):
            raise UserError(_("This document already has a fiscal receipt for that purpose."))
        register = self.register_id
        client = register._checkbox_client()
        adopted = self._fiscal_adopt_earlier(client)
        if adopted:
            action = adopted._result_action()
            action["params"]["title"] = _("Receipt found at Checkbox")
            return action
        receipt = self._create_for_purpose(
            {
                "purpose_key": self.purpose_key,
                "receipt_type": self.receipt_type,
                "register_id": self.register_id.id,
                "move_id": self.move_id.id,
                "sale_order_id": self.sale_order_id.id,
                "transaction_id": self.transaction_id.id,
                "partner_id": self.partner_id.id,
                "related_receipt_id": self.related_receipt_id.id,
                "amount_total": self.amount_total,
                "payments_data": self.payments_data,
            }
        )
        receipt._fiscal_send()
        action = receipt._result_action()
        action["params"]["next"] = {
            "type": "ir.actions.act_window",
            "res_model": "fiscal.receipt",
            "res_id": receipt.id,
            "views": [(False, "form")],
        }
        return action

    def action_download_pdf(self):
        self.ensure_one()
        self.check_access("read")
        if self.state != "done":
            raise UserError(_("Only an issued receipt has a PDF."))
        name = f"{self.fiscal_code or self.uuid}.pdf"
        Attachment = self.env["ir.attachment"].sudo()
        # one PDF per receipt, kept on the receipt (its readers read it)
        attachment = Attachment.search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=", name)],
            limit=1,
        )
        if not attachment:
            register = self.register_id
            try:
                pdf = register._checkbox_client().receipt_pdf(self.checkbox_id)
            except CheckboxError as exc:
                raise register._user_error(exc) from exc
            attachment = Attachment.create(
                {
                    "name": name,
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_send_to_customer(self):
        """Checkbox sends the receipt to the customer: by e-mail, else SMS."""
        self.ensure_one()
        self._check_fiscal_rights()
        if self.state != "done":
            raise UserError(_("Only an issued receipt can be sent."))
        partner = self.partner_id
        register = self.register_id
        client = register._checkbox_client()
        try:
            if partner.email:
                client.send_email(self.checkbox_id, [partner.email])
                where = partner.email
            elif partner.mobile or partner.phone:
                where = partner.mobile or partner.phone
                client.send_sms(self.checkbox_id, where)
            else:
                raise UserError(_("The customer has neither an e-mail address nor a phone."))
        except CheckboxError as exc:
            raise register._user_error(exc) from exc
        return register._notify(
            _("Receipt sent"), _("Checkbox sends the receipt to %(to)s.", to=where)
        )

    def action_open_link(self):
        self.ensure_one()
        self.check_access("read")
        if not self.public_url:
            raise UserError(_("The receipt has no link yet."))
        return {"type": "ir.actions.act_url", "url": self.public_url, "target": "new"}

    # ------------------------------------------------------------------ cron
    def _fiscal_trigger(self):
        """Have the scheduled action send these queued receipts soon."""
        if self:
            cron = self.env.ref("fiscal_ua.ir_cron_fiscal_receipts", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    @api.model
    def _cron_process_receipts(self, limit=200):
        """Send queued receipts and reconcile the unconfirmed ones (no
        answer, or no fiscal number yet), each in its own savepoint: one
        failure never stops the others. The receipts checked longest ago go
        first; when the time budget is spent, Odoo runs the job again at once
        for the rest."""
        budget_end = time.monotonic() + CRON_TIME_BUDGET
        # outside tests, each receipt's outcome is committed right after its Checkbox calls:
        # an answer of Checkbox is never lost with a later failure, and the row lock that
        # keeps two workers off one receipt is held only while that receipt is handled
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        domain = [("state", "in", ("draft", "sent"))]
        # the receipts checked longest ago first: a run cut short goes on where it stopped
        receipts = self.sudo().search(
            domain, order="last_check_at ASC NULLS FIRST, id", limit=limit
        )
        done = 0
        for receipt in receipts:
            if time.monotonic() > budget_end:
                break
            try:
                with self.env.cr.savepoint():
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM fiscal_receipt WHERE id = %s "
                            "AND state IN ('draft', 'sent') FOR NO KEY UPDATE SKIP LOCKED",
                            receipt.id,
                        )
                    )
                    if self.env.cr.fetchone():
                        receipt.invalidate_recordset()
                        receipt._fiscal_send()
            except Exception as exc:  # noqa: BLE001 - log and go on with the next receipt
                _logger.warning(
                    "fiscal_ua: receipt %s not processed: %s",
                    receipt.id,
                    receipt.register_id._error_text(exc),
                )
            done += 1
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()  # other workers may have changed shifts meanwhile
        # cut short by the time budget: Odoo runs the job again at once for the rest
        self.env["ir.cron"]._notify_progress(done=done, remaining=len(receipts) - done)
        return done
