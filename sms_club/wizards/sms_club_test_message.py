from uuid import uuid4

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.sms_club_message import CHANNELS
from ..smsclub import SmsClubError


class SmsClubTestMessage(models.TransientModel):
    """Settings › SMS Club › "Send a test message": a staff phone number and
    a text, sent at once by the company's channel; SMS Club's answer is shown
    and the message is followed like any other (SMS / Viber messages)."""

    _name = "sms.club.test.message"
    _description = "SMS Club Test Message"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    number = fields.Char(string="Phone number", required=True, help="For example +380501112233.")
    body = fields.Text(string="Text", required=True, default=lambda self: self._default_body())
    channel = fields.Selection(
        CHANNELS, required=True, default=lambda self: self._default_channel()
    )

    @api.model
    def _default_body(self):
        return _("Test message from %(company)s through SMS Club.", company=self.env.company.name)

    @api.model
    def _default_channel(self):
        preference = self.env.company.order_flow_default_channel
        return preference if preference in ("viber", "viber_sms") else "sms"

    def _check_sender(self):
        self.ensure_one()
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators can send SMS Club test messages."))
        if self.company_id not in self.env.user.company_ids and not self.env.is_superuser():
            raise AccessError(_("You cannot send messages for this company."))
        if not self.company_id.smsclub_enabled:
            raise UserError(_("Turn on “Send SMS through SMS Club” and save first."))

    def _send_call(self, client, phone):
        company = self.company_id
        sender = company.smsclub_sms_sender_id.name
        viber_sender = company.smsclub_viber_sender_id.name
        channel = self.channel
        if channel != "sms" and not viber_sender:
            if channel == "viber":
                raise UserError(company._smsclub_missing_sender_text("viber"))
            channel = "sms"
        if channel == "sms":
            if not sender:
                raise UserError(company._smsclub_missing_sender_text("sms"))
            return channel, client.send_sms([phone], self.body, sender)[0]
        fallback = channel == "viber_sms" and bool(sender)
        result = client.send_viber(
            [phone],
            self.body,
            viber_sender,
            sms_sender=sender if fallback else None,
            sms_message=self.body if fallback else None,
            lifetime=company.smsclub_viber_lifetime,
        )[0]
        return channel, result

    def action_send(self):
        """Send the test message now and say what SMS Club answered."""
        self._check_sender()
        company = self.company_id
        phone = company._smsclub_phone(self.number)
        if not phone:
            raise UserError(company._smsclub_bad_number_text(self.number))
        client = company._smsclub_client()
        try:
            channel, result = self._send_call(client, phone)
        except SmsClubError as error:
            raise company._smsclub_user_error(error) from None
        outcome, detail = result.outcome_for(phone)
        if outcome != "accepted":
            reason = company._smsclub_failure_text(
                result.error, detail, phone_refused=outcome == "refused"
            )
            raise UserError(_("The test message was not sent: %(reason)s", reason=reason))
        # sudo: the message is followed like the others; its journal is the system's
        self.env["sms.club.message"].sudo().create(
            {
                "sms_uuid": uuid4().hex,
                "company_id": company.id,
                "number": self.number,
                "phone": phone,
                "body": self.body,
                "channel": channel,
                "state": "sent",
                "provider_id": detail,
                "provider_status": "ENROUTE",
                "sent_date": fields.Datetime.now(),
                "attempt_count": 1,
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Test message sent"),
                "message": _(
                    "SMS Club accepted the message to %(phone)s (id %(id)s, %(channel)s).",
                    phone=phone,
                    id=detail,
                    channel=dict(self._fields["channel"]._description_selection(self.env))[channel],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
