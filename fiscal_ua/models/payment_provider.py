from odoo import fields, models


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    fiscal_by_acquirer = fields.Boolean(
        "Fiscal receipts issued by the acquirer",
        help="Tick when the acquirer issues the fiscal receipts of the payments made "
        "through it (its own software cash register, set up in the acquirer's cabinet). "
        "Then this store issues no receipt of its own for those payments, neither "
        "automatically nor by hand from the invoice, so the customer never gets two.",
    )
