from odoo import api, fields, models

# The roles that read SMS Club messages (security/ir.model.access.csv).
MESSAGE_READERS = ",".join(
    [
        "access_roles.group_role_administrator",
        "access_roles.group_role_manager",
        "access_roles.group_role_sales",
        "access_roles.group_role_marketer",
        "access_roles.group_role_support",
        "base.group_system",
    ]
)


class SmsClubMessageMixin(models.AbstractModel):
    """The SMS / Viber messages of a document (an order, a contact): their
    count for the smart button and the list it opens. The inheriting model
    names the field of ``sms.club.message`` that points at it."""

    _name = "sms.club.message.mixin"
    _description = "Documents with SMS Club messages"
    _smsclub_link_field = None

    smsclub_message_count = fields.Integer(
        string="SMS / Viber message count",
        compute="_compute_smsclub_message_count",
        groups=MESSAGE_READERS,
    )

    @api.depends_context("uid")
    def _compute_smsclub_message_count(self):
        link = self._smsclub_link_field
        counts = dict(
            self.env["sms.club.message"]._read_group([(link, "in", self.ids)], [link], ["__count"])
        )
        for record in self:
            record.smsclub_message_count = counts.get(record, 0)

    def action_view_smsclub_messages(self):
        """Smart button: the SMS / Viber messages of this document (for the
        roles that read messages)."""
        self.ensure_one()
        self.check_access("read")
        self.env["sms.club.message"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("sms_club.sms_club_message_action")
        action["domain"] = [(self._smsclub_link_field, "=", self.id)]
        return action
