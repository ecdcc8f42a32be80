from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from .fiscal_groups import FISCAL_GROUPS

FISCAL_STATES = [
    ("none", "Not fiscalized"),
    ("pending", "Receipt pending"),
    ("done", "Fiscalized"),
    ("error", "Receipt error"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    fiscal_receipt_ids = fields.One2many(
        "fiscal.receipt", "move_id", "Fiscal receipts", readonly=True, groups=FISCAL_GROUPS
    )
    fiscal_receipt_count = fields.Integer(
        "Fiscal receipts count", compute="_compute_fiscal_state", groups=FISCAL_GROUPS
    )
    fiscal_state = fields.Selection(
        FISCAL_STATES, "Fiscal receipt", compute="_compute_fiscal_state", groups=FISCAL_GROUPS
    )

    def _fiscal_all_receipts(self):
        """Receipts of the invoice and order-level receipts of its orders."""
        self.ensure_one()
        orders = self.line_ids.sale_line_ids.order_id
        return self.fiscal_receipt_ids | orders.fiscal_receipt_ids.filtered(lambda r: not r.move_id)

    @api.depends("fiscal_receipt_ids.state")
    def _compute_fiscal_state(self):
        for move in self:
            receipts = move._fiscal_all_receipts() if move.id else self.env["fiscal.receipt"]
            receipts = receipts.filtered(
                lambda r: r.receipt_type in ("sell", "return", "prepayment", "final")
            )
            move.fiscal_receipt_count = len(receipts)
            states = set(receipts.mapped("state"))
            if "done" in states:
                move.fiscal_state = "done"
            elif states & {"draft", "sent"}:
                move.fiscal_state = "pending"
            elif "error" in states:
                move.fiscal_state = "error"
            else:
                move.fiscal_state = "none"

    # ------------------------------------------------------------------ payload parts
    def _fiscal_lines(self):
        """The invoice lines as receipt lines (see fiscal.receipt._goods)."""
        self.ensure_one()
        lines = []
        for line in self.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
            if float_is_zero(
                line.quantity, precision_rounding=line.product_uom_id.rounding or 0.001
            ):
                continue
            price_unit = line.price_unit
            if line.tax_ids:
                price_unit = line.tax_ids.compute_all(
                    line.price_unit,
                    currency=line.currency_id,
                    quantity=1.0,
                    product=line.product_id,
                    partner=line.partner_id,
                )["total_included"]
            product = line.product_id
            lines.append(
                {
                    "code": product.default_code or product.barcode or str(product.id or line.id),
                    "name": product.name if product else (line.name or "").split("\n")[0],
                    "quantity": abs(line.quantity),
                    "price_unit": abs(price_unit),
                    "total": line.price_total * (1 if line.quantity >= 0 else -1),
                    "discount": line.discount,
                    "taxes": line.tax_ids,
                }
            )
        return lines

    def _fiscal_payments(self, register):
        """[(fiscal.payment.form, amount)] of the invoice: from the payments
        reconciled with it (their transaction's provider or their journal),
        the rest with the register's default payment form."""
        self.ensure_one()
        Form = self.env["fiscal.payment.form"]
        payments = []
        remaining = self.amount_total
        for partial in self._get_all_reconciled_invoice_partials():
            if partial.get("is_exchange"):
                continue
            counterpart = partial["aml"]
            payment = counterpart.move_id.origin_payment_id
            form = Form.browse()
            transaction = payment.payment_transaction_id if payment else False
            if transaction and transaction.provider_id.fiscal_by_acquirer:
                raise UserError(
                    _(
                        "Invoice %(invoice)s was paid through %(provider)s, which issues the "
                        "fiscal receipts of its payments itself: the customer has a receipt "
                        "already.",
                        invoice=self.name,
                        provider=transaction.provider_id.name,
                    )
                )
            if transaction:
                form = Form._for_transaction(transaction)
            form = form or Form._for_journal(counterpart.journal_id)
            if not form:
                continue
            amount = min(partial["amount"], remaining)
            if amount > 0:
                payments.append((form, amount))
                remaining -= amount
        if float_compare(remaining, 0.0, precision_rounding=self.currency_id.rounding) > 0:
            if not register.default_payment_form_id:
                raise UserError(
                    _(
                        "Cannot tell how invoice %(invoice)s was paid: map the journal of its "
                        "payment to a payment form, or set a default payment form on cash "
                        "register %(register)s.",
                        invoice=self.name,
                        register=register.display_name,
                    )
                )
            payments.append((register.default_payment_form_id, remaining))
        return payments

    def _fiscal_check_document(self, move_type):
        self.ensure_one()
        if self.state != "posted" or self.move_type != move_type:
            raise UserError(
                _(
                    "Only a posted customer invoice can be fiscalized, and a return receipt is "
                    "issued from a posted credit note."
                )
            )
        if self.currency_id.name != "UAH":
            raise UserError(
                _(
                    "Receipts are issued in hryvnias; invoice %(invoice)s is in %(currency)s.",
                    invoice=self.name,
                    currency=self.currency_id.name,
                )
            )
        if float_is_zero(self.amount_total, precision_rounding=self.currency_id.rounding):
            raise UserError(_("Invoice %(invoice)s has no amount.", invoice=self.name))

    # ------------------------------------------------------------------ buttons
    def action_fiscalize(self):
        """Issue the sale receipt of a posted customer invoice."""
        self.ensure_one()
        if self.move_type == "out_refund":
            return self.action_fiscal_return()
        Receipt = self.env["fiscal.receipt"]
        Receipt.check_access("create")
        self._fiscal_check_document("out_invoice")
        orders = self.line_ids.sale_line_ids.order_id
        Receipt._lock_documents(self)
        key = f"sell:move:{self.id}"
        existing = Receipt._active_for([key])
        if existing:
            raise UserError(
                _(
                    "Invoice %(invoice)s already has fiscal receipt %(receipt)s.",
                    invoice=self.name,
                    receipt=existing[:1].display_name,
                )
            )
        order_receipts = Receipt.search(
            [
                ("sale_order_id", "in", orders.ids),
                ("move_id", "=", False),
                ("state", "!=", "error"),
                ("receipt_type", "in", ("sell", "prepayment", "final")),
            ]
        )
        if order_receipts:
            raise UserError(
                _(
                    "Order %(order)s was fiscalized when it was paid (receipt %(receipt)s); "
                    "its invoice needs no second receipt.",
                    order=order_receipts[:1].sale_order_id.name,
                    receipt=order_receipts[:1].display_name,
                )
            )
        register = Receipt._default_register(self.company_id)
        register._checkbox_client()  # configuration problems show before anything is saved
        receipt = Receipt._create_for_purpose(
            {
                "purpose_key": key,
                "receipt_type": "sell",
                "register_id": register.id,
                "move_id": self.id,
                "sale_order_id": orders[:1].id if len(orders) == 1 else False,
                "partner_id": self.partner_id.id,
                "amount_total": self.amount_total,
                "payments_data": Receipt._payments_json(self._fiscal_payments(register)),
            }
        )
        # mapping problems show before anything is saved or sent
        receipt._fiscal_prepare()
        receipt._fiscal_send()
        return receipt._result_action()

    def action_fiscal_return(self):
        """Issue the return receipt of a posted credit note; it refers to the
        sale receipt of the reversed invoice."""
        self.ensure_one()
        Receipt = self.env["fiscal.receipt"]
        Receipt.check_access("create")
        self._fiscal_check_document("out_refund")
        origin = self.reversed_entry_id
        original = (
            origin._fiscal_all_receipts().filtered(
                lambda r: r.receipt_type == "sell" and r.state == "done"
            )[:1]
            if origin
            else Receipt
        )
        if not original:
            raise UserError(
                _(
                    "Credit note %(note)s does not reverse a fiscalized invoice: a return "
                    "receipt refers to the sale receipt of the original invoice.",
                    note=self.name,
                )
            )
        if (
            float_compare(
                self.amount_total,
                original.amount_total,
                precision_rounding=self.currency_id.rounding,
            )
            > 0
        ):
            raise UserError(_("The credit note is larger than the original receipt."))
        Receipt._lock_documents(self)
        key = f"return:move:{self.id}"
        if Receipt._active_for([key]):
            raise UserError(_("Credit note %(note)s already has a return receipt.", note=self.name))
        original.register_id._checkbox_client()
        form = original._payments()[0][0]
        receipt = Receipt._create_for_purpose(
            {
                "purpose_key": key,
                "receipt_type": "return",
                "register_id": original.register_id.id,
                "move_id": self.id,
                "sale_order_id": original.sale_order_id.id,
                "partner_id": self.partner_id.id,
                "related_receipt_id": original.id,
                "amount_total": self.amount_total,
                "payments_data": Receipt._payments_json([(form, self.amount_total)]),
            }
        )
        receipt._fiscal_prepare()
        receipt._fiscal_send()
        return receipt._result_action()

    def action_view_fiscal_receipts(self):
        self.ensure_one()
        self.check_access("read")
        self.env["fiscal.receipt"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("fiscal_ua.fiscal_receipt_action")
        action["domain"] = [("id", "in", self._fiscal_all_receipts().ids)]
        action["context"] = {}
        return action

    def _fiscal_send_receipt_link(self, receipt):
        """Post the receipt link to the customer on the invoice (e-mail): a
        receipt of an invoice without an order (an order's receipt goes by the
        order's customer messages). A customer who wants no messages (“Order
        messages by”: “No messages”, or the company's default channel) gets
        none: a note on the invoice says so. Returns the message sent."""
        self.ensure_one()
        partner = receipt.partner_id
        channel = partner.order_notify_channel or self.company_id.order_flow_default_channel
        if channel == "none":
            receipt._fiscal_note_link_not_sent(self)
            return self.env["mail.message"]
        env = self.with_context(lang=partner.lang or self.env.lang).env
        body = env._(
            "Your fiscal receipt %(number)s: %(url)s",
            number=receipt.fiscal_code,
            url=receipt.public_url,
        )
        return self.message_post(
            body=body,
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
