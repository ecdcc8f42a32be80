from odoo import fields, models

from .sale_order_automation_log import RETENTION_DEFAULT, RETENTION_PARAM


# The automation journal's setting, apart from the other order-flow settings
# (res_config_settings.py).
class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    order_flow_log_retention_days = fields.Integer(
        string="Keep the automation journal (days)",
        config_parameter=RETENTION_PARAM,
        default=RETENTION_DEFAULT,
        help="Entries of the automation journal older than this are deleted every day.",
    )
