"""A customer's stay in a segment, and the segment's campaign message.

A visit is opened each time a customer enters a segment (the nightly
recomputation or a completed/returned order moved the customer) and closed
when the customer leaves it: the history of moves (from, to, date). The
segments' campaign rules (``base.automation`` on this model: on creation =
entering the segment, on time after ``date_in`` = staying N days) send the
segment's template with ``_rf_send_segment_message``: by the customer's
channel (crm_order_flow's choice on the contact), in the company's sending
window, once per rule and visit, never to a customer who opted out.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.crm_order_flow.tools import error_text

from .base_automation import current_rule_id

# The placeholders of the segments' message templates, each a field of the visit.
MESSAGE_PLACEHOLDERS = (
    "customer_first_name",
    "segment_name",
    "store_name",
    "promo_line",
)


class RfSegmentVisit(models.Model):
    _name = "rf.segment.visit"
    _inherit = ["mail.thread", "order.flow.placeholder.mixin"]
    _description = "Customer's stay in a segment"
    _order = "date_in desc, id desc"
    _rec_name = "segment_id"

    customer_id = fields.Many2one(
        "rf.customer",
        string="Customer record",
        required=True,
        index=True,
        ondelete="cascade",
        system_only=True,
        copy=False,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", ondelete="cascade", system_only=True, copy=False
    )
    segment_id = fields.Many2one(
        "rf.segment", required=True, ondelete="cascade", system_only=True, copy=False
    )
    previous_segment_id = fields.Many2one(
        "rf.segment", string="From segment", ondelete="set null", system_only=True, copy=False
    )
    date_in = fields.Datetime(
        string="Entered", required=True, default=fields.Datetime.now, system_only=True, copy=False
    )
    date_out = fields.Datetime(string="Left", system_only=True, copy=False)
    is_current = fields.Boolean(
        string="Current", compute="_compute_is_current", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, system_only=True, copy=False
    )
    message_log_ids = fields.One2many(
        "rf.segment.message", "visit_id", string="Campaign messages", readonly=True
    )
    # Placeholders of the templates.
    customer_first_name = fields.Char(
        string="Customer's first name", compute="_compute_customer_first_name"
    )
    segment_name = fields.Char(related="segment_id.name", string="Segment name")
    store_name = fields.Char(related="company_id.name", string="Store name")
    promo_line = fields.Char(related="company_id.order_flow_promo_line")

    @api.depends("date_out")
    def _compute_is_current(self):
        for visit in self:
            visit.is_current = not visit.date_out

    @api.depends("partner_id.name")
    def _compute_customer_first_name(self):
        for visit in self:
            partner = visit.partner_id
            name = (partner.name or "").strip() if partner and not partner.is_company else ""
            visit.customer_first_name = name.split()[0] if name else ""

    # ------------------------------------------------ template placeholders
    @api.model
    def _order_flow_message_placeholders(self):
        return MESSAGE_PLACEHOLDERS

    @api.model
    def _order_flow_sample_message_values(self):
        company = self.env.company
        return {
            "customer_first_name": _("Olena"),
            "segment_name": _("Loyal"),
            "store_name": company.name,
            "promo_line": company.order_flow_promo_line
            or _("10% off your next order with the code SAMPLE10"),
        }

    # ------------------------------------------------------------ messages
    def _rf_message_decision(self, automation=None):
        """What the segment's campaign message does for this visit: a dict
        with ``result`` 'send', 'held' (until ``send_at``) or 'skip' (with
        ``reason``; ``silent`` when nothing is worth logging), ``medium`` and
        ``template``."""
        self.ensure_one()
        partner, segment = self.partner_id, self.segment_id
        company = self.company_id or self.env.company
        if not self.is_current:
            return {"result": "skip", "silent": True, "reason": _("The customer left the segment.")}
        # sudo: the log is the campaigns' memory ("once per segment visit").
        if (
            self.env["rf.segment.message"]
            .sudo()
            .search_count(
                [
                    ("visit_id", "=", self.id),
                    ("automation_id", "=", automation.id if automation else False),
                    ("state", "in", ("sent", "held")),
                ],
                limit=1,
            )
        ):
            return {"result": "skip", "silent": True, "reason": _("Already sent in this visit.")}
        if not partner:
            return {"result": "skip", "reason": _("The customer has no contact.")}
        if partner.rf_marketing_opt_out:
            return {"result": "skip", "reason": _("The customer opted out of marketing messages.")}
        if partner._order_flow_channel_for(company) == "none":
            return {
                "result": "skip",
                "reason": _("The customer does not want messages (channel “No messages”)."),
            }
        mediums = partner._order_flow_mediums_for(company)
        if "sms" in mediums and segment.sms_template_id:
            medium, template = "sms", segment.sms_template_id
            if self._rf_phone_blacklisted(partner):
                return {"result": "skip", "reason": _("The customer's phone is blacklisted.")}
        elif "email" in mediums and segment.mail_template_id:
            medium, template = "email", segment.mail_template_id
            if partner.is_blacklisted:
                return {"result": "skip", "reason": _("The customer's e-mail is blacklisted.")}
        elif not mediums:
            return {
                "result": "skip",
                "reason": _("The customer has neither a valid phone number nor an e-mail."),
            }
        else:
            return {
                "result": "skip",
                "reason": _("The segment has no template for the customer's channel."),
            }
        send_at = company._order_flow_next_send_time()
        return {
            "result": "held" if send_at else "send",
            "medium": medium,
            "template": template,
            "send_at": send_at,
        }

    def _rf_phone_blacklisted(self, partner):
        """Whether the customer's number is on Odoo's SMS blacklist."""
        number = partner.phone_sanitized
        # sudo: the blacklist is read to honour it, whoever runs the rule.
        return bool(
            number
            and self.env["phone.blacklist"].sudo().search_count([("number", "=", number)], limit=1)
        )

    def _rf_send_segment_message(self, automation=None):
        """Send each visit's customer the segment's template (the entry point
        of the segments' campaign rules). Returns the log entries created."""
        Log = self.env["rf.segment.message"].sudo()
        logs = Log.browse()
        if automation is None and current_rule_id():
            automation = self.env["base.automation"].browse(current_rule_id())
        for visit in self:
            # Serialise concurrent runs of rules on the same visit.
            self.env.cr.execute(
                "SELECT id FROM rf_segment_visit WHERE id = %s FOR UPDATE", [visit.id]
            )
            decision = visit._rf_message_decision(automation)
            values = {
                "visit_id": visit.id,
                "automation_id": automation.id if automation else False,
            }
            if decision["result"] == "skip":
                if not decision.get("silent"):
                    logs |= Log.create(dict(values, state="skipped", reason=decision["reason"]))
                continue
            medium, send_at = decision["medium"], decision["send_at"]
            try:
                with self.env.cr.savepoint():
                    # sudo: the message is the rule's work; the template is
                    # rendered by substitution when made of the allowed
                    # placeholders alone (crm_order_flow's mail_render_mixin.py).
                    message = visit.sudo()._rf_post_message(
                        medium, decision["template"].sudo(), send_at
                    )
            except (UserError, AccessError) as error:
                logs |= Log.create(dict(values, state="skipped", reason=error_text(error)))
                continue
            logs |= Log.create(
                dict(
                    values,
                    state="held" if send_at else "sent",
                    medium=medium,
                    template_name=decision["template"].sudo().name,
                    message_id=message[:1].id,
                    scheduled_date=send_at or False,
                )
            )
        return logs

    def _rf_post_message(self, medium, template, scheduled_date=None):
        """Odoo's SMS queue (the SMS provider chooses Viber or SMS after the
        customer's preference) or an e-mail, on the visit's chatter."""
        self.ensure_one()
        kwargs = {}
        if scheduled_date:
            kwargs["scheduled_date"] = fields.Datetime.to_string(scheduled_date)
        if medium == "sms":
            return self._message_sms_with_template(
                template=template, partner_ids=self.partner_id.ids, put_in_queue=True, **kwargs
            )
        return self.message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
            **kwargs,
        )

    @api.model
    def _rf_stay_deadline(self, days):
        """The entry date of the visits that have stayed ``days`` days now."""
        return fields.Datetime.now() - timedelta(days=days)
