from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    smsclub_message_ids = fields.One2many(
        "sms.club.message",
        "order_id",
        string="SMS / Viber messages",
        readonly=True,
        groups="access_roles.group_role_administrator,access_roles.group_role_manager,access_roles.group_role_sales,access_roles.group_role_marketer,access_roles.group_role_support,base.group_system",
    )
    smsclub_message_count = fields.Integer(
        string="SMS / Viber message count",
        compute="_compute_smsclub_message_count",
        groups="access_roles.group_role_administrator,access_roles.group_role_manager,access_roles.group_role_sales,access_roles.group_role_marketer,access_roles.group_role_support,base.group_system",
    )

    def _compute_smsclub_message_count(self):
        counts = dict(
            self.env["sms.club.message"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.smsclub_message_count = counts.get(order, 0)

    def action_view_smsclub_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sms_club.sms_club_message_action")
        action["domain"] = [("order_id", "=", self.id)]
        return action
