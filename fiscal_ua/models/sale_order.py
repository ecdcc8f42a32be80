import logging

from markupsafe import escape

from odoo import _, api, fields, models
from odoo.tools import float_compare, float_is_zero, format_amount

from ..checkbox import CHECK_URL
from .fiscal_groups import FISCAL_GROUPS, RECEIPT_READERS

_logger = logging.getLogger(__name__)

# The order facts fiscal_ua adds to the allowed placeholders of customer
# message templates (crm_order_flow's ``_order_flow_message_placeholders``).
FISCAL_MESSAGE_PLACEHOLDERS = ("fiscal_receipt_url",)
# The message with the receipt link, by SMS and by e-mail (editable, not
# updated with the module): the one matching the customer's channel goes out.
RECEIPT_LINK_TEMPLATES = (
    "fiscal_ua.sms_template_receipt_link",
    "fiscal_ua.mail_template_receipt_link",
)
# the receipt id of the link shown in the preview of a message template
SAMPLE_RECEIPT_ID = "0b6f4e2a-7c1d-4f3e-9a58-2d4c6e8f1a3b"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    fiscal_receipt_ids = fields.One2many(
        "fiscal.receipt",
        "sale_order_id",
        "Fiscal receipts",
        readonly=True,
        groups=RECEIPT_READERS,
    )
    fiscal_receipt_count = fields.Integer(
        "Fiscal receipts count", compute="_compute_fiscal_receipt_count", groups=RECEIPT_READERS
    )
    fiscal_payment_form_id = fields.Many2one(
        "fiscal.payment.form",
        "Expected payment form",
        groups=FISCAL_GROUPS,
        copy=False,
        help="How the customer pays when no online payment tells it, e.g. Післяплата (cash on "
        "delivery): a form with the policy 'at shipping' gets its receipt when the order "
        "is shipped.",
    )
    fiscal_receipt_url = fields.Char(
        "Receipt link",
        compute="_compute_fiscal_receipt_url",
        help="The public link of the order's latest issued fiscal receipt: the page where the "
        "customer sees the receipt.",
    )

    def _compute_fiscal_receipt_count(self):
        data = self.env["fiscal.receipt"]._read_group(
            [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
        )
        counts = {order.id: count for order, count in data}
        for order in self:
            order.fiscal_receipt_count = counts.get(order.id, 0)

    def _compute_fiscal_receipt_url(self):
        # the link is public (it is sent to the customer): whoever reads the order may
        # see it in a message, so it is read as the system, from the order's own receipts
        receipts = (
            self.env["fiscal.receipt"]
            .sudo()
            .search(
                [
                    ("sale_order_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("public_url", "!=", False),
                ],
                order="fiscal_date desc, id desc",
            )
        )
        for order in self:
            latest = receipts.filtered(lambda r, order=order: r.sale_order_id == order)[:1]
            order.fiscal_receipt_url = latest.public_url or False

    # ------------------------------------------------------ message placeholders
    @api.model
    def _order_flow_message_placeholders(self):
        return super()._order_flow_message_placeholders() + FISCAL_MESSAGE_PLACEHOLDERS

    @api.model
    def _order_flow_sample_message_values(self):
        values = super()._order_flow_sample_message_values()
        values["fiscal_receipt_url"] = f"{CHECK_URL.rstrip('/')}/{SAMPLE_RECEIPT_ID}"
        return values

    # ------------------------------------------------------------------ payload parts
    def _fiscal_lines(self):
        """The order lines as receipt lines (see fiscal.receipt._goods)."""
        self.ensure_one()
        lines = []
        product_lines = self.order_line.filtered(
            lambda sol: not sol.display_type and not sol.is_downpayment
        )
        for line in product_lines:
            if float_is_zero(line.product_uom_qty, precision_rounding=line.product_uom.rounding):
                continue
            price_unit = line.price_unit
            if line.tax_id:
                price_unit = line.tax_id.compute_all(
                    line.price_unit,
                    currency=self.currency_id,
                    quantity=1.0,
                    product=line.product_id,
                    partner=self.partner_id,
                )["total_included"]
            product = line.product_id
            lines.append(
                {
                    "code": product.default_code or product.barcode or str(product.id),
                    "name": product.name or (line.name or "").split("\n")[0],
                    "quantity": line.product_uom_qty,
                    "price_unit": price_unit,
                    "total": line.price_total,
                    "discount": line.discount,
                    "taxes": line.tax_id,
                }
            )
        return lines

    def _fiscal_done_transactions(self):
        """The confirmed online payments of the order, one by one."""
        self.ensure_one()
        return self.transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "validation"
        )

    def _fiscal_transaction_payments(self, default_form):
        """[(fiscal.payment.form, amount)]: each confirmed online payment with
        the payment form of its provider (``default_form`` when it has none),
        for the payment lines of a receipt. What the customer has paid in
        all is the order's ``paid_amount``."""
        self.ensure_one()
        Form = self.env["fiscal.payment.form"].sudo()
        return [
            (Form._for_transaction(tx) or default_form, tx.amount)
            for tx in self._fiscal_done_transactions()
        ]

    def _fiscal_has_invoice_receipt(self):
        self.ensure_one()
        return bool(
            self.env["fiscal.receipt"].search_count(
                [
                    ("move_id", "in", self.invoice_ids.ids),
                    ("receipt_type", "=", "sell"),
                    ("state", "!=", "error"),
                ]
            )
        )

    def _fiscal_chain(self):
        """The prepayment receipt of the order, if any: the live one, else the
        latest refused one (the chain is started: the rest waits for it to
        be issued again rather than becoming a second sale receipt)."""
        self.ensure_one()
        receipts = self.env["fiscal.receipt"].search(
            [("sale_order_id", "=", self.id), ("receipt_type", "=", "prepayment")],
            order="id desc",
        )
        return receipts.filtered(lambda r: r.state != "error")[:1] or receipts[:1]

    def _fiscal_queue(self, key, vals):
        """Create the receipt of ``key`` unless the purpose has one already."""
        Receipt = self.env["fiscal.receipt"].sudo()
        if Receipt._active_for([key]):
            return Receipt
        register = Receipt._default_register(self.company_id)
        vals = dict(
            vals,
            purpose_key=key,
            register_id=register.id,
            sale_order_id=self.id,
            partner_id=self.partner_id.id,
        )
        vals["payments_data"] = Receipt._payments_json(vals.pop("payments"))
        return Receipt._create_for_purpose(vals)

    def _fiscal_on_transaction_done(self, transaction):
        """An online payment arrived: queue the receipt the payment form's
        policy asks for (sale receipt when the order is fully paid,
        prepayment receipt for a partial payment, final receipt for the rest)."""
        Form = self.env["fiscal.payment.form"].sudo()
        receipts = self.env["fiscal.receipt"].sudo()
        form = Form._for_transaction(transaction)
        for order in self.sudo():
            by_acquirer = order._fiscal_done_transactions().filtered(
                lambda tx: tx.provider_id.fiscal_by_acquirer
            )
            if by_acquirer:
                # The acquirer issued the receipt of its payments: a receipt
                # of the store for this order would count them twice (a sale
                # receipt names every payment of the order). A person issues
                # what is left, if anything.
                order._fiscal_note_by_acquirer(transaction, by_acquirer)
                continue
            if not form or form.policy in ("none", "on_shipping"):
                continue
            if order.currency_id.name != "UAH" or order.state != "sale":
                continue
            self.env["fiscal.receipt"]._lock_documents(order, nowait=False)
            if order._fiscal_has_invoice_receipt():
                continue
            if receipts.search_count(
                [("transaction_id", "=", transaction.id), ("state", "!=", "error")], limit=1
            ):
                # This payment has its receipt: the payment processed again
                # (a second post-processing) is no new payment.
                continue
            paid = order.paid_amount
            rounding = order.currency_id.rounding
            full = float_compare(paid, order.amount_total, precision_rounding=rounding) >= 0
            chain = order._fiscal_chain()
            if chain:
                receipts |= order._fiscal_queue(
                    f"chain:order:{order.id}:tx:{transaction.id}",
                    {
                        "receipt_type": "final",
                        "related_receipt_id": chain.id,
                        "transaction_id": transaction.id,
                        "amount_total": transaction.amount,
                        "payments": [(form, transaction.amount)],
                    },
                )
            elif full:
                payments = order._fiscal_transaction_payments(form)
                receipts |= order._fiscal_queue(
                    f"sell:order:{order.id}",
                    {
                        "receipt_type": "sell",
                        "transaction_id": transaction.id,
                        "amount_total": order.amount_total,
                        "payments": payments,
                    },
                )
            elif form.policy == "prepayment":
                receipts |= order._fiscal_queue(
                    f"prepayment:order:{order.id}",
                    {
                        "receipt_type": "prepayment",
                        "transaction_id": transaction.id,
                        "amount_total": order.amount_total,
                        "payments": [(form, transaction.amount)],
                    },
                )
        receipts._fiscal_trigger()
        return receipts

    def _fiscal_on_shipped(self):
        """The order left the warehouse: cash-on-delivery orders whose
        payment form asks for a receipt at shipping get it now (the final
        receipt when a prepayment receipt exists)."""
        receipts = self.env["fiscal.receipt"].sudo()
        for order in self.sudo():
            form = order.fiscal_payment_form_id
            if not form or form.policy != "on_shipping" or order.currency_id.name != "UAH":
                continue
            self.env["fiscal.receipt"]._lock_documents(order, nowait=False)
            if order._fiscal_has_invoice_receipt():
                continue
            rest = order.amount_total - order.paid_amount
            if float_compare(rest, 0.0, precision_rounding=order.currency_id.rounding) <= 0:
                continue
            by_acquirer = order._fiscal_done_transactions().filtered(
                lambda tx: tx.provider_id.fiscal_by_acquirer
            )
            if by_acquirer:
                # The acquirer fiscalized the prepayment with its own cash
                # register: the receipt of the rest must follow from that one,
                # which this store cannot chain to. A person issues it.
                order._fiscal_note_by_acquirer(None, by_acquirer, rest=rest)
                continue
            chain = order._fiscal_chain()
            if chain:
                receipts |= order._fiscal_queue(
                    f"chain:order:{order.id}:shipping",
                    {
                        "receipt_type": "final",
                        "related_receipt_id": chain.id,
                        "amount_total": rest,
                        "payments": [(form, rest)],
                    },
                )
                continue
            payments = order._fiscal_transaction_payments(form) + [(form, rest)]
            receipts |= order._fiscal_queue(
                f"sell:order:{order.id}",
                {"receipt_type": "sell", "amount_total": order.amount_total, "payments": payments},
            )
        receipts._fiscal_trigger()
        return receipts

    def _fiscal_note_by_acquirer(self, transaction, by_acquirer, rest=None):
        """Tell the staff on the order, once per payment, that the store
        issued no receipt because ``by_acquirer`` (payments of the order
        through providers that issue their own receipts) were fiscalized by
        the acquirer: for ``transaction`` when it is one of them, else that
        the receipt of what was paid otherwise (``transaction``, or ``rest``
        paid on delivery) is to be issued by hand."""
        self.ensure_one()
        providers = ", ".join(sorted(set(by_acquirer.provider_id.mapped("name"))))
        if transaction and transaction in by_acquirer:
            body = _(
                "No fiscal receipt issued by the store for payment %(payment)s: %(provider)s "
                "issues the receipts of its payments.",
                payment=transaction.reference,
                provider=providers,
            )
        elif transaction:
            body = _(
                "Payment %(payment)s got no automatic receipt: part of the order was "
                "fiscalized by %(provider)s, so issue the receipt of this payment by hand.",
                payment=transaction.reference,
                provider=providers,
            )
        else:
            body = _(
                "The prepayment was fiscalized by %(provider)s: issue the receipt of the rest "
                "paid on delivery (%(rest)s) by hand.",
                provider=providers,
                rest=format_amount(self.env, rest, self.currency_id),
            )
        said = str(escape(body))
        if any(said in (message.body or "") for message in self.message_ids):
            return  # the same payment processed again: said once
        self.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _fiscal_send_receipt_link(self, receipt):
        """Send the customer the public link of ``receipt`` the way the order
        flow sends every customer message (``_order_flow_send_customer_message``):
        by the customer's channel (SMS/Viber through Odoo's SMS queue, or
        e-mail), within the company's sending window (else it waits for it),
        logged in the order's customer messages, from the editable templates
        "Fiscal receipt link". A customer who wants no messages gets none: a
        note on the order says so. Returns the log entries of the messages
        made (empty when none was)."""
        self.ensure_one()
        Log = self.env["sale.order.customer.message"]
        if not self._order_flow_preferred_medium():
            receipt._fiscal_note_link_not_sent(self)
            return Log
        logs = Log
        for xmlid in RECEIPT_LINK_TEMPLATES:
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if template:
                # One link per receipt, even when two receipts (a prepayment
                # and the final one) fall in the same status visit.
                logs |= self._order_flow_send_customer_message(
                    template, occasion=f"{receipt._name},{receipt.id}"
                )
        return logs

    def action_view_fiscal_receipts(self):
        self.ensure_one()
        self.check_access("read")
        self.env["fiscal.receipt"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("fiscal_ua.fiscal_receipt_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action
