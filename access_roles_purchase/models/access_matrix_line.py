from odoo import api, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class AccessMatrixLine(models.TransientModel):
    _inherit = "access.matrix.line"

    @api.model
    def _odoo_rule_labels(self):
        labels = super()._odoo_rule_labels()
        labels["purchase.purchase_user_account_move_rule"] = _lt("Vendor bills and refunds only")
        return labels
