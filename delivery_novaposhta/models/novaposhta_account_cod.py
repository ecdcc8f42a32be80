from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_COD_TRANSFER_DAYS = 3


# The cash-on-delivery ledger's settings of an account, kept apart from the
# account's connection settings on purpose (one concern per file).
class NovaPoshtaAccount(models.Model):
    _inherit = "novaposhta.account"  # pylint: disable=consider-merging-classes-inherited

    cod_transfer_days = fields.Integer(
        string="Days to transfer cash on delivery",
        default=DEFAULT_COD_TRANSFER_DAYS,
        help="Cash on delivery that Nova Poshta collected and has not transferred after "
        "this many days is shown as late in the cash-on-delivery ledger.",
    )
    cod_auto_payment = fields.Boolean(
        string="Register payments automatically",
        help="When Nova Poshta reports the cash on delivery transferred to the store, the "
        "tracking sync registers the payment on the order's invoice by itself (only when "
        "the amount transferred is the amount expected and the order has a posted invoice).",
    )
    cod_journal_id = fields.Many2one(
        "account.journal",
        string="Journal of cash-on-delivery payments",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="The bank (or cash) journal that receives Nova Poshta's transfers. Empty: "
        "the default journal of a payment.",
    )

    cod_commission_account_id = fields.Many2one(
        "account.account",
        string="Account of NP commissions",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="When Nova Poshta withholds its commission from a transfer (the amount "
        "transferred plus the commission is the amount expected), the commission is written "
        "off to this expense account and the invoice is paid in full. Empty: the payment is "
        "the amount transferred and the rest stays due on the invoice.",
    )

    @api.constrains("cod_transfer_days", "cod_auto_payment", "cod_journal_id")
    def _check_cod_settings(self):
        for account in self:
            if account.cod_transfer_days < 0:
                raise ValidationError(
                    _("The days to transfer cash on delivery cannot be negative.")
                )
            if account.cod_auto_payment and not account.cod_journal_id:
                raise ValidationError(
                    _(
                        "Choose the journal of cash-on-delivery payments of account "
                        "%(account)s to register them automatically.",
                        account=account.name,
                    )
                )
