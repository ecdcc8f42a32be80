from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from ..smsclub import SmsClubError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smsclub_enabled = fields.Boolean(related="company_id.smsclub_enabled", readonly=False)
    smsclub_url = fields.Char(related="company_id.smsclub_url", readonly=False)
    smsclub_token = fields.Char(
        related="company_id.smsclub_token", readonly=False, groups="base.group_system"
    )
    smsclub_timeout = fields.Float(related="company_id.smsclub_timeout", readonly=False)
    smsclub_sms_sender_id = fields.Many2one(
        related="company_id.smsclub_sms_sender_id", readonly=False
    )
    smsclub_viber_sender_id = fields.Many2one(
        related="company_id.smsclub_viber_sender_id", readonly=False
    )
    smsclub_viber_lifetime = fields.Integer(
        related="company_id.smsclub_viber_lifetime", readonly=False
    )
    smsclub_balance = fields.Float(related="company_id.smsclub_balance")
    smsclub_currency = fields.Char(related="company_id.smsclub_currency")
    smsclub_balance_date = fields.Datetime(related="company_id.smsclub_balance_date")
    smsclub_low_balance = fields.Float(related="company_id.smsclub_low_balance", readonly=False)
    smsclub_min_balance = fields.Float(related="company_id.smsclub_min_balance", readonly=False)
    smsclub_alert_user_id = fields.Many2one(
        related="company_id.smsclub_alert_user_id", readonly=False
    )

    def _smsclub_company(self):
        """The company of these settings, for an administrator; SMS Club must
        be on (saved)."""
        self.ensure_one()
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators can use the SMS Club settings."))
        if not self.company_id.smsclub_enabled:
            raise UserError(_("Turn on “Send SMS through SMS Club” and save first."))
        return self.company_id

    def action_smsclub_fetch_senders(self):
        """Read the account's SMS alpha names and Viber senders from SMS Club."""
        company = self._smsclub_company()
        client = company._smsclub_client()
        names = {}
        try:
            names["sms"] = client.sms_senders()
        except SmsClubError as error:
            raise company._smsclub_user_error(error) from None
        try:
            names["viber"] = client.viber_senders()
        except SmsClubError:
            names["viber"] = None  # no Viber on this account: keep the list as it is
        # sudo: the sender names are SMS Club's list, written by the system only
        Sender = self.env["sms.club.sender"].sudo().with_context(active_test=False)
        for kind, kind_names in names.items():
            if kind_names is None:
                continue
            existing = Sender.search([("company_id", "=", company.id), ("kind", "=", kind)])
            for name in kind_names:
                found = existing.filtered(lambda s, name=name: s.name == name)
                if found:
                    found.active = True
                else:
                    Sender.create({"name": name, "kind": kind, "company_id": company.id})
            existing.filtered(lambda s, kind_names=kind_names: s.name not in kind_names).write(
                {"active": False}
            )
            field = "smsclub_sms_sender_id" if kind == "sms" else "smsclub_viber_sender_id"
            if not company[field].active and kind_names:
                company[field] = Sender.search(
                    [("company_id", "=", company.id), ("kind", "=", kind)], limit=1
                )
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_smsclub_refresh_balance(self):
        """Read the balance from SMS Club now."""
        self._smsclub_company()._smsclub_refresh_balance()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_smsclub_open_test(self):
        """Open the small form that sends a test message (number and text)."""
        company = self._smsclub_company()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sms_club.sms_club_test_message_action"
        )
        action["context"] = {"default_company_id": company.id}
        return action
