from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MAX_STEPS = 3


class SaleCartRecoveryStep(models.Model):
    """One reminder of the chain sent to a customer who left a cart: when
    (hours after the cart's last change) and what (an SMS template, sent by
    Viber then SMS after the customer's channel, and/or an e-mail template)."""

    _name = "sale.cart.recovery.step"
    _description = "Cart Reminder Step"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    delay_hours = fields.Float(
        string="Hours after the cart's last change",
        required=True,
        default=1.0,
        help="The reminder goes out this many hours after the customer last changed the "
        "cart (never before the cart counts as abandoned), within the sending window.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS / Viber template",
        domain=[("model", "=", "sale.order")],
        ondelete="restrict",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain=[("model", "=", "sale.order")],
        ondelete="restrict",
    )

    @api.constrains("active", "delay_hours", "sms_template_id", "mail_template_id")
    def _check_step(self):
        for step in self:
            if step.delay_hours < 0:
                raise ValidationError(_("The delay of a reminder cannot be negative."))
            if not (step.sms_template_id or step.mail_template_id):
                raise ValidationError(
                    _("Choose an SMS template or an e-mail template for the reminder.")
                )
        if self.search_count([]) > MAX_STEPS:
            raise ValidationError(
                _("The chain has at most %(count)s active reminders.", count=MAX_STEPS)
            )

    @api.constrains("sms_template_id", "mail_template_id")
    def _check_templates(self):
        # A template of another model would be rendered on the records of
        # that model that have the carts' ids, as superuser, onto the order.
        for step in self.sudo():
            for template in (step.sms_template_id, step.mail_template_id):
                if template and template.model != "sale.order":
                    raise ValidationError(
                        _(
                            "The template “%(template)s” is not a template of orders: choose "
                            "one made for orders.",
                            template=template.display_name,
                        )
                    )

    @api.model
    def _chain(self):
        """The active reminders, in the order they go out (at most three)."""
        return self.search([], limit=MAX_STEPS)
