import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField
from odoo.addons.access_roles.tools.credentials import redact

from ..smsclub import DEFAULT_URL, SmsClubClient, SmsClubError

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "access.credential.mixin"]

    order_flow_default_channel = fields.Selection(
        selection_add=[("viber", "Viber only")], ondelete={"viber": "set default"}
    )
    smsclub_enabled = fields.Boolean(
        string="Send SMS through SMS Club",
        help="SMS of this company (templates, automation rules, composer, chatter) go out "
        "through SMS Club instead of Odoo's IAP service.",
    )
    smsclub_url = fields.Char(string="SMS Club API address", default=DEFAULT_URL)
    smsclub_token = CredentialField("SMS Club token")
    smsclub_timeout = fields.Float(
        string="SMS Club timeout (s)", default=20.0, help="Longest wait for one answer."
    )
    smsclub_sms_sender_id = fields.Many2one(
        "sms.club.sender",
        string="SMS alpha name",
        domain="[('company_id', '=', id), ('kind', '=', 'sms')]",
    )
    smsclub_viber_sender_id = fields.Many2one(
        "sms.club.sender",
        string="Viber sender",
        domain="[('company_id', '=', id), ('kind', '=', 'viber')]",
    )
    smsclub_viber_lifetime = fields.Integer(
        string="Viber lifetime (s)",
        default=43200,
        help="How long Viber tries before the SMS fallback is sent (60 to 86400 seconds).",
    )
    smsclub_balance = fields.Float(string="SMS Club balance", readonly=True)
    smsclub_currency = fields.Char(string="SMS Club currency", readonly=True)
    smsclub_balance_date = fields.Datetime(string="Balance checked on", readonly=True)
    smsclub_low_balance = fields.Float(
        string="Low balance threshold",
        default=100.0,
        help="Below this balance the administrator gets an activity.",
    )
    smsclub_min_balance = fields.Float(
        string="Stop sending below",
        default=5.0,
        help="While the SMS Club balance is below this amount, messages wait in the queue "
        "instead of being refused by SMS Club; they go out after a top-up. 0: never wait.",
    )
    smsclub_alert_user_id = fields.Many2one(
        "res.users",
        string="Balance alerts to",
        help="Receives the low balance activity; empty: the administrator.",
    )

    def _smsclub_client(self):
        """The SMS Club client of this company (the one place it is built)."""
        self.ensure_one()
        token = self._get_credential("smsclub_token")
        if not token:
            raise UserError(
                _("Set the SMS Club token of %(company)s in the settings first.", company=self.name)
            )
        return SmsClubClient(
            token, base_url=self.smsclub_url or DEFAULT_URL, timeout=self.smsclub_timeout or 20.0
        )

    def _smsclub_user_error(self, error):
        """An SMS Club error as a message for the user (token removed)."""
        self.ensure_one()
        text = redact(str(error), self._get_credential("smsclub_token"))
        if isinstance(error, SmsClubError) and error.is_auth:
            return UserError(
                _("SMS Club refused the token: check it in the settings. (%(error)s)", error=text)
            )
        return UserError(_("SMS Club: %(error)s", error=text))

    def _smsclub_refresh_balance(self):
        """Read the balance of each SMS Club company; below the threshold the
        administrator gets an activity (once while it stays low)."""
        for company in self.filtered("smsclub_enabled"):
            try:
                money, currency = company._smsclub_client().balance()
            except (SmsClubError, UserError) as error:
                if isinstance(error, SmsClubError):
                    raise company._smsclub_user_error(error) from error
                raise
            company.sudo().write(
                {
                    "smsclub_balance": float(money),
                    "smsclub_currency": currency,
                    "smsclub_balance_date": fields.Datetime.now(),
                }
            )
            if float(money) < company.smsclub_low_balance:
                company._smsclub_low_balance_activity()

    def _smsclub_sending_on_hold(self):
        """Whether this company's messages must wait for a top-up: the last
        balance read is below the minimum, and still is when read again."""
        self.ensure_one()
        if (
            not self.smsclub_min_balance
            or not self.smsclub_balance_date
            or self.smsclub_balance >= self.smsclub_min_balance
        ):
            return False
        try:
            self._smsclub_refresh_balance()
        except UserError as error:
            _logger.info("SMS Club balance of %s not read: %s", self.name, error)
            return True
        return self.smsclub_balance < self.smsclub_min_balance

    def _smsclub_out_of_money(self):
        """SMS Club refused for lack of money: hold the queue until the
        balance read again shows a top-up."""
        self.ensure_one()
        self.sudo().write({"smsclub_balance": 0.0, "smsclub_balance_date": fields.Datetime.now()})
        self._smsclub_low_balance_activity()

    def _smsclub_low_balance_activity(self):
        self.ensure_one()
        user = (
            self.smsclub_alert_user_id
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env.user
        )
        summary = _("SMS Club balance is low")
        partner = self.sudo().partner_id
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        if partner.activity_ids.filtered(lambda a: a.summary == summary and a.user_id == user):
            return
        partner.activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=_(
                "The SMS Club balance of %(company)s is %(amount).2f %(currency)s, below the "
                "threshold of %(threshold).2f. Top it up so that customer messages keep going "
                "out.",
                company=self.name,
                amount=self.smsclub_balance,
                currency=self.smsclub_currency or "",
                threshold=self.smsclub_low_balance,
            ),
            user_id=user.id,
        )
