from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    # Odoo's own setting (Website › Settings › Abandoned delay, per website):
    # after this many hours without a change a cart with the customer's
    # phone or e-mail is abandoned. The store's default is one hour.
    cart_abandoned_delay = fields.Float(default=1.0)
