from odoo import api, fields, models

from .sms_club_message import STATES

FAILED_STATES = ("failed", "unknown", "expired", "undeliverable", "rejected")


class SaleOrderCustomerMessage(models.Model):
    _inherit = "sale.order.customer.message"

    channel = fields.Selection(
        selection_add=[("viber", "Viber only")], ondelete={"viber": "set null"}
    )
    smsclub_state = fields.Selection(
        STATES, string="SMS Club state", compute="_compute_smsclub_state"
    )
    smsclub_provider_id = fields.Char(string="SMS Club id", compute="_compute_smsclub_state")

    def _smsclub_rows(self):
        rows = (
            self.env["sms.club.message"]
            .sudo()
            .search([("mail_message_id", "in", self.message_id.ids)], order="id desc")
        )
        by_message = {}
        for row in rows:
            by_message.setdefault(row.mail_message_id.id, row)
        return by_message

    @api.depends("message_id")
    def _compute_smsclub_state(self):
        by_message = self._smsclub_rows()
        for log in self:
            row = by_message.get(log.message_id.id)
            log.smsclub_state = row.state if row else False
            log.smsclub_provider_id = row.provider_id if row else False

    def _compute_state(self):
        # SMS Club knows more than the chatter notification: a message it
        # accepted is sent, one it refused (or whose outcome is unknown) failed.
        res = super()._compute_state()
        by_message = self._smsclub_rows()
        for log in self:
            row = by_message.get(log.message_id.id)
            if not row or log.state == "scheduled":
                continue
            if row.state in ("sent", "delivered"):
                log.state = "sent"
            elif row.state in FAILED_STATES:
                log.state = "failed"
                log.failure_reason = row.failure_reason
        return res
