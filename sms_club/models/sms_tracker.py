from odoo import fields, models


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    smsclub_id = fields.Char(
        string="SMS Club id",
        index="btree_not_null",
        help="The message id given by SMS Club.",
        readonly=True,
        copy=False,
        system_only=True,
    )
