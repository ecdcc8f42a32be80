from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class RfSegment(models.Model):
    _name = "rf.segment"
    _description = "Customer segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical name, used by the shipped campaign rules.",
    )
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS template",
        domain=[("model", "=", "rf.segment.visit")],
        help="Sent by the segment's campaign rules to customers reached by SMS or Viber.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain=[("model", "=", "rf.segment.visit")],
        help="Sent by the segment's campaign rules to customers reached by e-mail.",
    )
    customer_ids = fields.One2many("rf.customer", "segment_id", string="Customer records")
    customer_count = fields.Integer(compute="_compute_figures", string="Customers")
    revenue = fields.Float(
        compute="_compute_figures",
        help="Total of the completed orders of the segment's customers.",
    )

    _sql_constraints = [("code_uniq", "unique(code)", "The segment's code must be unique.")]

    def write(self, vals):
        # The code is what the shipped campaign rules' conditions test: only
        # administrators change it (the Marketer edits names and templates).
        if (
            "code" in vals
            and not self.env.su
            and not self.env.user.has_group("base.group_system")
            and any(segment.code != vals["code"] for segment in self)
        ):
            raise AccessError(
                self.env._(
                    "Only administrators can change the technical code of a segment: "
                    "the campaign rules depend on it."
                )
            )
        return super().write(vals)

    @api.constrains("sms_template_id", "mail_template_id")
    def _check_templates(self):
        # A template of another model would be rendered on the records of
        # that model that have the visits' ids (e.g. orders), as superuser,
        # onto the visit's messages.
        for segment in self.sudo():
            for template in (segment.sms_template_id, segment.mail_template_id):
                if template and template.model != "rf.segment.visit":
                    raise ValidationError(
                        self.env._(
                            "The template “%(template)s” is not a template of segment "
                            "campaigns: choose one made for the customer segments.",
                            template=template.display_name,
                        )
                    )

    def _compute_figures(self):
        # sudo: aggregated figures of the segment, for roles without access to orders.
        groups = (
            self.env["rf.customer"]
            .sudo()
            ._read_group(
                [("segment_id", "in", self.ids)], ["segment_id"], ["__count", "revenue:sum"]
            )
        )
        figures = {segment.id: (count, revenue) for segment, count, revenue in groups}
        for segment in self:
            segment.customer_count, segment.revenue = figures.get(segment.id, (0, 0.0))

    def action_view_customers(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_rf_segments.rf_customer_action")
        action["domain"] = [("segment_id", "=", self.id)]
        action["context"] = {}
        return action
