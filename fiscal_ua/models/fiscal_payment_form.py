from odoo import api, fields, models

KINDS = [
    ("cash", "Cash"),
    ("card", "Card"),
    ("online", "Online acquiring"),
    ("cod", "Cash on delivery"),
]
POLICIES = [
    ("on_payment", "Receipt when the order is fully paid"),
    ("prepayment", "Prepayment receipt for a partial payment, final receipt for the rest"),
    ("on_shipping", "Receipt at shipping (cash on delivery)"),
    ("none", "No receipt (issued elsewhere, e.g. by the carrier)"),
]


class FiscalPaymentForm(models.Model):
    """A payment form of the tax service ("Готівка", "Інтернет еквайринг",
    "Післяплата"…) and which Odoo journals and payment providers it stands
    for, with the fiscalization policy of payments made that way."""

    _name = "fiscal.payment.form"
    _inherit = ["fiscal.system.fields.mixin"]
    _description = "Fiscal Payment Form"
    _order = "sequence, id"

    name = fields.Char(
        "Label on the receipt",
        required=True,
        help="Sent to Checkbox as the payment label: the tax service's name of the payment "
        "form, in Ukrainian (Готівка, Переказ з картки, Інтернет еквайринг, Післяплата).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the form in every company."
    )
    kind = fields.Selection(KINDS, required=True, default="card")
    code = fields.Integer(
        "Payment form code",
        help="Code of the tax service's payment form: 0 for cash, 1 for cashless forms.",
    )
    checkbox_type = fields.Selection(
        [("CASH", "Cash"), ("CASHLESS", "Cashless")],
        string="Checkbox payment type",
        compute="_compute_checkbox_type",
        store=True,
    )
    policy = fields.Selection(
        POLICIES,
        string="Fiscalization policy",
        required=True,
        default="on_payment",
        help="When paid orders get their receipt automatically. Invoices can always be "
        "fiscalized by hand.",
    )
    journal_ids = fields.Many2many(
        "account.journal",
        "fiscal_payment_form_journal_rel",
        "form_id",
        "journal_id",
        string="Journals",
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="Payments registered in these journals are paid with this form.",
    )
    provider_ids = fields.Many2many(
        "payment.provider",
        "fiscal_payment_form_provider_rel",
        "form_id",
        "provider_id",
        string="Payment providers",
        help="Online payments through these providers are paid with this form.",
    )

    @api.depends("kind")
    def _compute_checkbox_type(self):
        for form in self:
            form.checkbox_type = "CASH" if form.kind == "cash" else "CASHLESS"

    @api.model
    def _company_domain(self, company):
        return [("company_id", "in", (False, company.id))]

    @api.model
    def _for_journal(self, journal):
        """The payment form of payments made in ``journal`` (or nothing)."""
        if not journal:
            return self.browse()
        return self.search(
            [("journal_ids", "in", journal.ids)] + self._company_domain(journal.company_id),
            limit=1,
        )

    @api.model
    def _for_transaction(self, transaction):
        """The payment form of an online payment: by its provider, else by
        the provider's journal."""
        provider = transaction.provider_id
        form = self.search(
            [("provider_ids", "in", provider.ids)] + self._company_domain(transaction.company_id),
            limit=1,
        )
        return form or self._for_journal(provider.journal_id)

    def _checkbox_payment(self, kopecks):
        """One entry of a receipt's ``payments`` list."""
        self.ensure_one()
        return {
            "type": self.checkbox_type,
            "value": kopecks,
            "label": self.name,
            "code": self.code,
        }
