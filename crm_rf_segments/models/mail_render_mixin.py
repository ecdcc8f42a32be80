from odoo import api, models


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _order_flow_placeholder_models(self):
        # The segments' templates are limited to their placeholders, as the
        # order's are (rendered by substitution, nothing evaluated).
        return super()._order_flow_placeholder_models() + ("rf.segment.visit",)
