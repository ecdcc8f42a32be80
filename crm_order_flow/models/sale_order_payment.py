"""Payment of the order in the order flow: what is paid (``paid_amount``),
what is due, the payment status, and how the customer pays (online or cash on
delivery).

``paid_amount`` is the paid fact of the whole suite: the entry validations
(payment secured), the automation rules on payment, the customer messages
(amount due) and the other addons (fiscal receipts, carriers' cash on
delivery) read it and never count payments themselves. What counts as paid
is extended in one place, ``_order_flow_paid_amount`` (``delivery_novaposhta``
adds the cash on delivery the carrier transferred)."""

from odoo import api, fields, models
from odoo.tools import float_compare

PAYMENT_STATES = [
    ("not_paid", "Not paid"),
    ("partial", "Partly paid"),
    ("paid", "Paid"),
]
COD_STATES = [
    ("none", "No cash on delivery"),
    ("expected", "Cash on delivery expected"),
    ("collected", "Collected by the carrier"),
    ("transferred", "Money transferred to the store"),
]
PAYMENT_KINDS = [
    ("online", "Online payment"),
    ("cod", "Cash on delivery"),
]


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # What the customer paid: the one paid fact of the suite (see the module's
    # docstring). Odoo's own ``amount_paid`` (sale) stays as it is, for Odoo's
    # online payment (prepayment on the portal): it sums the order's online
    # payment transactions, authorised or done. ``paid_amount`` differs on
    # purpose: it counts what is paid of the order's posted customer invoices
    # (payments registered by the accountant, whatever their way), deducts
    # credit notes, counts an online payment once (not again through the
    # invoice it paid) and takes an authorised but not captured payment as
    # not paid yet; delivery_novaposhta adds the cash on delivery the carrier
    # transferred.
    paid_amount = fields.Monetary(
        system_only=True,
        copy=False,
        string="Paid",
        compute="_compute_order_payment",
        store=True,
        help="Confirmed online payments on the order plus payments reconciled with "
        "its customer invoices.",
    )
    amount_due = fields.Monetary(
        string="Amount due",
        compute="_compute_amount_due",
    )
    order_payment_state = fields.Selection(
        PAYMENT_STATES,
        system_only=True,
        copy=False,
        string="Payment status",
        compute="_compute_order_payment",
        store=True,
        index=True,
    )

    payment_on_delivery = fields.Boolean(
        string="Cash on delivery agreed",
        tracking=True,
        help="The customer pays on delivery (cash on delivery): the order may go to "
        "assembly before it is paid. Carriers may read it to collect the amount due.",
    )
    order_payment_kind = fields.Selection(
        PAYMENT_KINDS,
        string="Payment",
        compute="_compute_order_payment_kind",
        inverse="_inverse_order_payment_kind",
        readonly=False,
        help="Online payment: the customer gets a payment link once the order is agreed. "
        "Cash on delivery: the order may go to assembly before it is paid.",
    )
    delivery_cod_state = fields.Selection(
        COD_STATES,
        system_only=True,
        string="Cash on delivery",
        default="none",
        required=True,
        copy=False,
        tracking=True,
    )

    @api.depends(
        "amount_total",
        "order_line.price_total",
        "currency_id",
        "transaction_ids.state",
        "transaction_ids.amount",
        "transaction_ids.invoice_ids",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_order_payment(self):
        for order in self:
            paid = order._order_flow_paid_amount()
            currency = order.currency_id or order.company_id.currency_id
            total = order.amount_total
            order.paid_amount = paid
            rounding = currency.rounding or 0.01
            if float_compare(paid, 0.0, precision_rounding=rounding) <= 0:
                state = "not_paid"
            elif float_compare(paid, total, precision_rounding=rounding) >= 0:
                state = "paid"
            else:
                state = "partial"
            order.order_payment_state = state

    @api.depends("amount_total", "paid_amount", "order_line.price_total")
    def _compute_amount_due(self):
        for order in self:
            due = max(order.amount_total - order.paid_amount, 0.0)
            order.amount_due = order.currency_id.round(due) if order.currency_id else due

    def _order_flow_paid_amount(self):
        """What the customer paid for the order, in the order's currency:
        confirmed online payments of the order that are not yet counted
        through an invoice, plus what is paid of its posted customer invoices
        (credit notes deducted).

        The one extension point of the paid fact: an addon that knows of
        another way of paying adds it here with ``super()`` (and adds what it
        depends on to ``_compute_order_payment``); ``paid_amount``,
        ``amount_due`` and ``order_payment_state`` follow. Other code reads
        ``paid_amount``, never this method."""
        self.ensure_one()
        order = self.sudo()
        invoices = order.order_line.invoice_lines.move_id.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        )
        paid = 0.0
        for invoice in invoices:
            amount = invoice.currency_id._convert(
                invoice.amount_total - invoice.amount_residual,
                order.currency_id,
                order.company_id,
                invoice.invoice_date or fields.Date.today(),
            )
            paid += -amount if invoice.move_type == "out_refund" else amount
        for tx in order.transaction_ids.filtered(lambda t: t.state == "done"):
            if tx.invoice_ids & invoices:
                continue  # already counted through the invoice it paid
            paid += tx.currency_id._convert(
                tx.amount, order.currency_id, order.company_id, fields.Date.today()
            )
        return paid

    @api.depends("payment_on_delivery", "require_payment")
    def _compute_order_payment_kind(self):
        for order in self:
            if order.payment_on_delivery:
                order.order_payment_kind = "cod"
            else:
                order.order_payment_kind = "online" if order.require_payment else False

    def _inverse_order_payment_kind(self):
        for order in self:
            order.write(order._order_flow_payment_kind_vals(order.order_payment_kind))

    @api.model
    def _order_flow_payment_kind_vals(self, kind):
        """The order fields that say how the customer pays: online (the
        payment link of Odoo's online payment) or cash on delivery."""
        if kind == "cod":
            return {"payment_on_delivery": True, "require_payment": False}
        if kind == "online":
            return {"payment_on_delivery": False, "require_payment": True}
        return {"payment_on_delivery": False}

    # ------------------------------------------------------------ payment link
    def _order_flow_link_amount(self):
        """What the customer's payment link asks for now: the prepayment still
        due when the order asks for a partial prepayment (Odoo's prepayment
        percentage), else the whole amount due. Zero when nothing is due."""
        self.ensure_one()
        # Payments the customer made that the provider has not confirmed yet
        # (pending, or authorized and not captured) are not asked for again:
        # a second tap on the link while the first payment is being
        # confirmed must not charge the customer twice.
        on_the_way = sum(
            tx.currency_id._convert(
                tx.amount, self.currency_id, self.company_id, fields.Date.today()
            )
            for tx in self.sudo().transaction_ids
            if tx.state in ("pending", "authorized") and tx.operation != "refund"
        )
        due = self.amount_due - on_the_way
        if self.require_payment and 0 < self.prepayment_percent < 1:
            prepayment_due = self._get_prepayment_required_amount() - self.paid_amount - on_the_way
            if prepayment_due > 0:
                due = min(due, self.currency_id.round(prepayment_due))
        rounding = self.currency_id.rounding or 0.01
        if float_compare(due, 0.0, precision_rounding=rounding) <= 0:
            return 0.0
        return self.currency_id.round(due)

    def _order_flow_link_provider(self, amount):
        """The payment provider whose page the payment link opens: the one set
        in the company's settings when it is enabled (or in test mode) and
        takes the order's currency, else the first provider able to take the
        payment by redirection to its own page. An empty recordset when there
        is none (the link then opens the order's page on the customer portal)."""
        self.ensure_one()
        # sudo: the customer following the link has no right to read providers;
        # only the provider's id and flow are used, nothing of the customer's input.
        Provider = self.env["payment.provider"].sudo()
        chosen = self.company_id.sudo().order_flow_payment_provider_id
        if (
            chosen.state in ("enabled", "test")
            # published, as Odoo asks of any provider offered to customers: a
            # provider in test mode takes no real money and must not reach them
            # unless an administrator published it on purpose
            and chosen.is_published
            and chosen.company_id == self.company_id
            and chosen.redirect_form_view_id
            and (
                not chosen._get_supported_currencies()
                or self.currency_id in chosen._get_supported_currencies()
            )
        ):
            return chosen
        compatible = Provider._get_compatible_providers(
            self.company_id.id,
            self.partner_invoice_id.id,
            amount,
            currency_id=self.currency_id.id,
            sale_order_id=self.id,
        )
        return compatible.filtered(lambda p: p.redirect_form_view_id and p.is_published)[:1]
