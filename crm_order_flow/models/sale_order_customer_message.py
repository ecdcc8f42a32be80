from odoo import _, api, fields, models
from odoo.exceptions import AccessError

MEDIUMS = [("sms", "SMS / Viber"), ("email", "Email")]
CHANNELS = [
    ("viber_sms", "Viber, then SMS"),
    ("sms", "SMS only"),
    ("email", "Email only"),
    ("none", "No messages"),
]


class SaleOrderCustomerMessage(models.Model):
    """One customer message sent (or waiting for the sending window) for an
    order: by an automation rule from a template, or written by a person from
    the order (“Message the customer”). For the rules it is the memory behind
    “one message per order, template and status visit”; it shows staff what
    the customer got, from whom, and whether it went out. The messages are
    sent, and logged here, by the order's messaging path
    (``sale_order_messaging.py``)."""

    _name = "sale.order.customer.message"
    _description = "Order Customer Message"
    _order = "create_date desc, id desc"
    _rec_name = "template_name"

    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, system_only=True, copy=False
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    visit_id = fields.Many2one(
        "sale.order.stage.history",
        string="Status visit",
        ondelete="set null",
        index=True,
        system_only=True,
        copy=False,
    )
    stage_id = fields.Many2one(
        "sale.order.stage", string="Status", ondelete="set null", system_only=True, copy=False
    )
    kind = fields.Selection(
        [("rule", "Automation rule"), ("manual", "Written by a person")],
        string="Sent by",
        default="rule",
        required=True,
        system_only=True,
        copy=False,
    )
    author_id = fields.Many2one(
        "res.users",
        ondelete="set null",
        system_only=True,
        copy=False,
        help="Who wrote the message on the order (empty: an automation rule sent it).",
    )
    # Empty for a message written by a person: the rule “once per template
    # and status visit” is about templates only.
    template_ref = fields.Char(string="Template reference", system_only=True, copy=False)
    template_name = fields.Char(string="Template", system_only=True, copy=False)
    medium = fields.Selection(MEDIUMS, required=True, system_only=True, copy=False)
    channel = fields.Selection(CHANNELS, string="Customer's channel", system_only=True, copy=False)
    message_id = fields.Many2one("mail.message", ondelete="set null", system_only=True, copy=False)
    body = fields.Html(related="message_id.body", string="Text")
    automation_id = fields.Many2one(
        "base.automation",
        string="Automation rule",
        ondelete="set null",
        system_only=True,
        copy=False,
    )
    scheduled_date = fields.Datetime(
        string="Waits until",
        help="Created outside the sending window: goes out when the window opens.",
        system_only=True,
        copy=False,
    )
    state = fields.Selection(
        [
            ("scheduled", "Waiting for the sending window"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        compute="_compute_state",
    )
    failure_reason = fields.Char(compute="_compute_state")

    _sql_constraints = [
        (
            "once_per_visit",
            "unique(order_id, visit_id, template_ref)",
            "This message was already sent for this status visit of the order.",
        ),
    ]

    @api.depends("template_name", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for log in self:
            log.display_name = log.template_name or kinds.get(log.kind) or ""

    @api.depends("message_id", "scheduled_date")
    def _compute_state(self):
        schedules = (
            self.env["mail.message.schedule"]
            .sudo()
            .search([("mail_message_id", "in", self.message_id.ids)])
        )
        scheduled_messages = schedules.mail_message_id
        for log in self:
            log.failure_reason = False
            if not log.message_id:
                log.state = "failed"
                log.failure_reason = _("The message was deleted.")
                continue
            if log.message_id in scheduled_messages:
                log.state = "scheduled"
                continue
            notifications = log.message_id.sudo().notification_ids.filtered(
                lambda n, log=log: n.res_partner_id == log.order_id.partner_id
            )
            statuses = set(notifications.mapped("notification_status"))
            if statuses & {"exception", "bounce"}:
                log.state = "failed"
                failed = notifications.filtered(
                    lambda n: n.notification_status in ("exception", "bounce")
                )[:1]
                log.failure_reason = failed.failure_reason or dict(
                    failed._fields["failure_type"]._description_selection(self.env)
                ).get(failed.failure_type)
            elif statuses and statuses <= {"sent"}:
                log.state = "sent"
            else:
                log.state = "queued"

    def action_send_now(self):
        """Send messages waiting for the sending window right away: for the
        people who process the orders (their salesperson, managers)."""
        self.check_access("read")
        self.order_id.check_access("write")
        if not self.env.su and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                _(
                    "Only the salesperson of the order or a manager may send its waiting "
                    "messages now."
                )
            )
        schedules = (
            self.env["mail.message.schedule"]
            .sudo()
            .search([("mail_message_id", "in", self.message_id.ids)])
        )
        schedules.force_send()
        self.sudo().write({"scheduled_date": False})
        return True
