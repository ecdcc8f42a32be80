from odoo import api, fields, models


class FiscalTax(models.Model):
    """A tax rate of a cash register as configured in the Checkbox cabinet
    (read with "Load tax rates"), and the Odoo taxes that map to it."""

    _name = "fiscal.tax"
    _inherit = ["fiscal.system.fields.mixin"]
    _description = "Checkbox Tax Rate"
    _order = "register_id, code"
    # read from Checkbox by "Load tax rates"; only the mapping to Odoo taxes is the user's
    _fiscal_system_records = True

    register_id = fields.Many2one(
        "fiscal.cash.register",
        "Cash register",
        required=True,
        ondelete="cascade",
        system_only=True,
        copy=False,
    )
    company_id = fields.Many2one(related="register_id.company_id", store=True)
    code = fields.Integer(
        required=True,
        system_only=True,
        copy=False,
        help="The tax code of the register in Checkbox.",
    )
    label = fields.Char(system_only=True, copy=False)
    symbol = fields.Char(system_only=True, copy=False, help="The letter printed on the receipt.")
    rate = fields.Float(digits=(5, 2), system_only=True, copy=False)
    no_vat = fields.Boolean(
        "Not a VAT payer rate", system_only=True, copy=False, help="The VAT-exempt rate (без ПДВ)."
    )
    tax_ids = fields.Many2many(
        "account.tax",
        "fiscal_tax_account_tax_rel",
        "fiscal_tax_id",
        "tax_id",
        string="Odoo taxes",
        domain="[('type_tax_use', '=', 'sale')]",
        help="Invoice and order lines with one of these taxes get this tax code.",
    )

    _sql_constraints = [
        ("register_code_uniq", "unique(register_id, code)", "A tax code appears once per register.")
    ]

    @api.depends("code", "label", "rate", "symbol")
    def _compute_display_name(self):
        for tax in self:
            tax.display_name = f"{tax.symbol or tax.code} {tax.label or ''} {tax.rate:g}%".strip()
