import logging

import psycopg2

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField
from odoo.addons.access_roles.tools.credentials import redact
from odoo.addons.crm_order_flow.tools.phone import phone_e164

from ..smsclub import (
    DEFAULT_URL,
    KIND_AUTH,
    KIND_BROKEN,
    KIND_CONFIG,
    KIND_CONNECT,
    KIND_NO_MONEY,
    KIND_RATE,
    KIND_SERVER,
    KIND_TIMEOUT,
    KIND_UNAVAILABLE,
    KIND_UNREADABLE,
    SmsClubClient,
    SmsClubError,
)

_logger = logging.getLogger(__name__)

# Refusals of one number that SMS Club gives as a code, not as words
PHONE_REASON_CODES = ("invalid_phone", "incorrectPhones", "blackList")


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
    smsclub_balance = fields.Float(
        string="SMS Club balance", readonly=True, copy=False, system_only=True
    )
    smsclub_currency = fields.Char(
        string="SMS Club currency", readonly=True, copy=False, system_only=True
    )
    smsclub_balance_date = fields.Datetime(
        string="Balance checked on", readonly=True, copy=False, system_only=True
    )
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

    # ---------------------------------------------------------------- client
    def _smsclub_client(self, raise_error=True):
        """The SMS Club client of this company (the one place it is built);
        without a token: a UserError, or ``None`` with ``raise_error=False``."""
        self.ensure_one()
        token = self._get_credential("smsclub_token")
        if not token or not token.strip():
            if raise_error:
                raise UserError(self._smsclub_missing_token_text())
            return None
        return SmsClubClient(
            token, base_url=self.smsclub_url or DEFAULT_URL, timeout=self.smsclub_timeout or 20.0
        )

    # --------------------------------------------------------------- numbers
    def _smsclub_phone(self, number, partner=None):
        """``number`` in SMS Club's format (``380671234567``: the
        international number without "+"), after the store's phone rule: a
        number written the Ukrainian way is Ukrainian whatever the country of
        the contact; any other number is read in the contact's country, else
        in this company's. ``None`` when it is not a valid number."""
        self.ensure_one()
        country = (partner and partner.country_id) or self.country_id
        number = phone_e164(number, country.code or "UA")
        return number.lstrip("+") if number else None

    # ------------------------------------------- what users read (one place)
    def _smsclub_missing_token_text(self):
        return _("Set the SMS Club token of %(company)s in the settings first.", company=self.name)

    def _smsclub_bad_number_text(self, number):
        """Why a message cannot go to ``number`` (before SMS Club is asked)."""
        if not number:
            return _("The contact has no phone number.")
        return _(
            "Wrong number format: “%(number)s” is not a valid phone number "
            "(SMS Club needs 380XXXXXXXXX).",
            number=number,
        )

    def _smsclub_missing_sender_text(self, channel):
        """No sender chosen in the settings for ``channel`` (sms or viber)."""
        if channel == "sms":
            return _("Choose the SMS alpha name of SMS Club in the settings.")
        return _("Choose the Viber sender of SMS Club in the settings.")

    def _smsclub_kind_text(self, error):
        """What happened, in the user's language (never the library's text)."""
        status = error.status or ""
        texts = {
            KIND_CONFIG: _(
                "The request to SMS Club could not be made: check the SMS Club API address "
                "and the token in the settings."
            ),
            KIND_CONNECT: _("SMS Club could not be reached; nothing was sent."),
            KIND_TIMEOUT: _(
                "SMS Club did not answer in time after the request was sent: it may have been "
                "processed."
            ),
            KIND_BROKEN: _(
                "The connection to SMS Club broke after the request was sent: it may have been "
                "processed."
            ),
            KIND_RATE: _("SMS Club asked to slow down (too many requests); nothing was sent."),
            KIND_UNAVAILABLE: _("SMS Club was unavailable; nothing was sent."),
            KIND_SERVER: _(
                "SMS Club answered with a server error (HTTP %(status)s) after the request was "
                "sent: it may have been processed.",
                status=status,
            ),
            KIND_UNREADABLE: _(
                "SMS Club's answer could not be read: the request may have been processed."
            ),
            KIND_AUTH: _(
                "SMS Club refused the token (HTTP %(status)s): check it in the settings.",
                status=status or 401,
            ),
            KIND_NO_MONEY: _("Not enough money on the SMS Club account."),
        }
        if error.kind in texts:
            return texts[error.kind]
        if status:
            return _("SMS Club refused the request (HTTP %(status)s).", status=status)
        return _("SMS Club refused the request.")

    def _smsclub_failure_text(self, error=None, detail=None, phone_refused=False, gave_up=None):
        """The reason shown on a message: what happened in the user's language,
        with SMS Club's own words when it gave any (token removed). With
        ``gave_up`` (hours), the queue stopped trying after that long."""
        self.ensure_one()
        if gave_up:
            return _(
                "Not sent: SMS Club could not be reached for %(hours)s hours (%(reason)s)",
                hours=gave_up,
                reason=self._smsclub_failure_text(error, detail, phone_refused),
            )
        token = self._get_credential("smsclub_token")
        vendor = error.vendor_message if error is not None else None
        if error is None:
            if detail in PHONE_REASON_CODES:
                return {
                    "invalid_phone": _("SMS Club refused the number as invalid."),
                    "incorrectPhones": _("SMS Club refused the number as invalid."),
                    "blackList": _("The number is on SMS Club's stop list."),
                }[detail]
            if detail:
                return _("SMS Club: %(reason)s", reason=redact(detail, token))
            if phone_refused:
                return _("SMS Club did not accept the number and gave no reason.")
            return _(
                "SMS Club's answer did not mention this number: the message may have been "
                "processed."
            )
        text = self._smsclub_kind_text(error)
        if error.no_money:
            text = _(
                "%(what)s The message waits for a top-up and goes out with the queue after it.",
                what=text,
            )
        elif error.retry_later:
            text = _("%(what)s The queue sends the message again by itself.", what=text)
        if vendor:
            text = _("%(what)s SMS Club: %(reason)s", what=text, reason=redact(vendor, token))
        return text

    def _smsclub_user_error(self, error):
        """An SMS Club error as a message for the user, in the user's language
        (token removed, never the library's text)."""
        self.ensure_one()
        return UserError(self._smsclub_failure_text(error))

    # --------------------------------------------------------------- balance
    def _smsclub_store_balance(self, values):
        """Write the balance read from SMS Club, unless another transaction is
        writing this company (its value is as good)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE NOWAIT", self.id
                    ),
                    log_exceptions=False,
                )
                # sudo: the balance is written by the system only
                self.sudo().write(values)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            _logger.info("SMS Club balance of %s not stored: company busy", self.name)
            self.invalidate_recordset(list(values))
            return False
        return True

    def _smsclub_refresh_balance(self):
        """Read the balance of each SMS Club company; below the threshold the
        administrator gets an activity (once while it stays low). Returns
        ``{company: amount}``."""
        amounts = {}
        for company in self.filtered("smsclub_enabled"):
            try:
                money, currency = company._smsclub_client().balance()
            except SmsClubError as error:
                raise company._smsclub_user_error(error) from None
            company._smsclub_store_balance(
                {
                    "smsclub_balance": float(money),
                    "smsclub_currency": currency,
                    "smsclub_balance_date": fields.Datetime.now(),
                }
            )
            amounts[company] = float(money)
            if float(money) < company.smsclub_low_balance:
                company._smsclub_low_balance_activity(float(money), currency)
        return amounts

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
            amount = self._smsclub_refresh_balance()[self]
        except UserError as error:
            # not known: the messages are sent, SMS Club refuses them if the
            # money is really missing (nothing is lost either way)
            _logger.info("SMS Club balance of %s not read: %s", self.name, error)
            return False
        return amount < self.smsclub_min_balance

    def _smsclub_hold_reason(self):
        self.ensure_one()
        return _(
            "Waiting for a top-up: the SMS Club balance (%(amount).2f) is below %(minimum).2f.",
            amount=self.smsclub_balance,
            minimum=self.smsclub_min_balance,
        )

    def _smsclub_out_of_money(self):
        """SMS Club refused for lack of money: nothing was sent. The balance
        is read again before the next attempt (the queue waits while it is
        below the minimum) and the administrator is told."""
        self.ensure_one()
        self._smsclub_store_balance(
            {"smsclub_balance": 0.0, "smsclub_balance_date": fields.Datetime.now()}
        )
        self._smsclub_low_balance_activity(0.0, self.smsclub_currency)

    def _smsclub_low_balance_activity(self, amount, currency):
        self.ensure_one()
        user = (
            self.smsclub_alert_user_id
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env.user
        )
        summary = _("SMS Club balance is low")
        # sudo: the activity goes to the administrator whoever triggers it
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
                amount=amount,
                currency=currency or "",
                threshold=self.smsclub_low_balance,
            ),
            user_id=user.id,
        )
