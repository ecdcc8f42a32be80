import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField
from odoo.addons.access_roles.tools.credentials import redact

from ..novaposhta import DEFAULT_PRINT_URL, DEFAULT_URL, NovaPoshtaClient, NovaPoshtaError
from ..novaposhta import client as np_client
from .system_fields import refuse_system_fields

_logger = logging.getLogger(__name__)

KEY_WARNING_DAYS = 30
# Set by the system only (refused for every role on create and write).
SYSTEM_FIELDS = ("key_warned_on",)


class NovaPoshtaAccount(models.Model):
    """A Nova Poshta business account: its API key and the sender data
    used on its waybills."""

    _name = "novaposhta.account"
    _inherit = ["access.credential.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Nova Poshta Account"
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self._default_company_id()
    )
    api_key = CredentialField("API key", help="The 32-character key of the NP business cabinet.")
    api_key_masked = fields.Char(string="Key", compute="_compute_api_key_masked")
    api_key_expiry = fields.Date(
        string="Key valid until",
        tracking=True,
        help="NP keys are issued for a year: administrators are warned 30 days before this date.",
    )
    key_state = fields.Selection(
        [("ok", "Valid"), ("soon", "Expires soon"), ("expired", "Expired"), ("unknown", "Unknown")],
        string="Key status",
        compute="_compute_key_state",
    )
    key_warned_on = fields.Date(string="Expiry warning sent on", readonly=True, copy=False)
    api_url = fields.Char(
        string="API endpoint",
        required=True,
        default=DEFAULT_URL,
        help="NP's JSON endpoint. Change it only to point at a test server.",
    )
    print_url = fields.Char(
        string="Label print address",
        required=True,
        default=DEFAULT_PRINT_URL,
        help="Root of NP's cabinet print pages; labels are fetched by the server.",
    )
    timeout = fields.Float(
        string="Timeout (seconds)", default=15.0, help="Per request, for every NP call."
    )
    sender_ref = fields.Char(string="Sender counterparty", help="NP Ref of the sender.")
    sender_name = fields.Char(string="Sender")
    contact_ref = fields.Char(string="Contact person", help="NP Ref of the sender's contact.")
    contact_name = fields.Char(string="Contact name")
    sender_phone = fields.Char(string="Sender phone")
    sender_city_id = fields.Many2one("novaposhta.city", string="Sender city")
    sender_warehouse_id = fields.Many2one(
        "novaposhta.warehouse",
        string="Sender branch",
        domain="[('city_id', '=', sender_city_id)]",
        help="The branch where parcels are handed over (the waybill's sender address).",
    )

    def _default_company_id(self):
        return self.env.company

    def _compute_api_key_masked(self):
        for account in self:
            account.api_key_masked = account._get_credential_masked("api_key")

    @api.depends("api_key_expiry")
    def _compute_key_state(self):
        today = fields.Date.context_today(self)
        for account in self:
            expiry = account.api_key_expiry
            if not expiry:
                account.key_state = "unknown"
            elif expiry < today:
                account.key_state = "expired"
            elif expiry <= today + timedelta(days=KEY_WARNING_DAYS):
                account.key_state = "soon"
            else:
                account.key_state = "ok"

    # -------------------------------------------------------------- the client
    def _np_client(self, stats=None):
        """The one place where a client is built (the key stays server-side)."""
        self.ensure_one()
        key = self._get_credential("api_key")
        if not key:
            raise UserError(
                _(
                    "The Nova Poshta account “%(account)s” has no API key. An administrator "
                    "enters it in Sales › Nova Poshta › Accounts.",
                    account=self.name,
                )
            )
        return NovaPoshtaClient(
            key,
            url=self.api_url,
            print_url=self.print_url,
            timeout=(min(5.0, self.timeout or 15.0), self.timeout or 15.0),
            stats=stats,
        )

    def _np_error_text(self, error):
        """NP's (or our) message, with the key removed (for the log)."""
        key = self._get_credential("api_key") if len(self) == 1 else False
        return redact(str(error), key) if key else redact(str(error))

    def _np_problem_text(self, error):
        """What went wrong, in the user's language: each kind of transport
        fault has its own words; NP's refusals carry NP's own text and code;
        an Odoo error keeps its message."""
        if not isinstance(error, NovaPoshtaError):
            return self._np_error_text(error.args[0] if error.args else error)
        status = error.status or ""
        texts = {
            np_client.KIND_TIMEOUT: _("Nova Poshta did not answer in time."),
            np_client.KIND_UNREACHABLE: _(
                "Nova Poshta cannot be reached (no connection could be made; nothing was sent)."
            ),
            np_client.KIND_CONNECTION: _(
                "The connection to Nova Poshta was cut before its answer came."
            ),
            np_client.KIND_RATE_LIMIT: _(
                "Nova Poshta refuses requests for the moment: too many requests (HTTP 429)."
            ),
            np_client.KIND_SERVER: _(
                "Nova Poshta's server failed (HTTP %(status)s).", status=status
            ),
            np_client.KIND_MALFORMED: _("Nova Poshta sent an answer that cannot be read."),
            np_client.KIND_EMPTY: _("Nova Poshta sent an empty answer."),
            np_client.KIND_HTML: _(
                "Nova Poshta sent a web page instead of data (maintenance or a network error page)."
            ),
            np_client.KIND_INCOMPLETE: _(
                "Nova Poshta's answer lacks what was asked for (%(detail)s).",
                detail=self._np_error_text(error),
            ),
            np_client.KIND_HTTP: _(
                "Nova Poshta refused the request (HTTP %(status)s): %(detail)s",
                status=status,
                detail=self._np_error_text(error),
            ),
        }
        return texts.get(
            error.kind, _("Nova Poshta: %(message)s", message=self._np_error_text(error))
        )

    def _np_user_error(self, error):
        """The one place where NP errors become a user message."""
        self.ensure_one()
        if isinstance(error, NovaPoshtaError) and error.is_key_expired:
            self._np_warn_key("expired")
            return UserError(
                _(
                    "The API key of the Nova Poshta account “%(account)s” has expired. An "
                    "administrator must enter a new key.",
                    account=self.name,
                )
            )
        if isinstance(error, NovaPoshtaError) and error.is_auth:
            return UserError(
                _(
                    "Nova Poshta refused the API key of the account “%(account)s”. An "
                    "administrator must check the key.",
                    account=self.name,
                )
            )
        return UserError(self._np_problem_text(error))

    # ----------------------------------------------------------------- buttons
    def _np_check_admin(self):
        """The account's buttons use its key: administrators only (the only
        role that may change accounts)."""
        self.check_access("write")

    def action_fetch_sender(self):
        """Fill the sender counterparty and contact person from NP."""
        self._np_check_admin()
        for account in self:
            client = account._np_client()
            try:
                senders = client.get_sender_counterparties()
                if not senders:
                    raise UserError(_("Nova Poshta knows no sender counterparty for this key."))
                contacts = client.get_contact_persons(senders[0]["Ref"])
            except NovaPoshtaError as error:
                raise account._np_user_error(error) from error
            contact = contacts[0] if contacts else {}
            account.write(
                {
                    "sender_ref": senders[0]["Ref"],
                    "sender_name": senders[0].get("Description"),
                    "contact_ref": contact.get("Ref") or False,
                    "contact_name": contact.get("Description") or False,
                    "sender_phone": account.sender_phone
                    or (contact.get("Phones") or "").split(",")[0].strip()
                    or False,
                }
            )
        return True

    def action_test_connection(self):
        self.ensure_one()
        self._np_check_admin()
        try:
            self._np_client().get_sender_counterparties()
        except NovaPoshtaError as error:
            raise self._np_user_error(error) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Nova Poshta accepted the key of “%(account)s”.", account=self.name),
            },
        }

    def action_sync_directories(self):
        """Sync NP's cities, branches and parcel lockers with this account's
        key now: the first pages here, the rest by the scheduled action
        (which continues where this stopped)."""
        self.ensure_one()
        self._np_check_admin()
        City = self.env["novaposhta.city"].sudo()
        cursor = City._cron_sync_directories(account=self.sudo(), pages_per_run=4)
        if not cursor:
            raise UserError(_("The account “%(account)s” has no API key.", account=self.name))
        if cursor.get("error"):
            raise UserError(cursor["error"])
        if cursor["stage"] == "done":
            message = _(
                "Cities, branches and parcel lockers are synced: %(cities)s cities, "
                "%(branches)s branches and parcel lockers on offer.",
                cities=City.search_count([]),
                branches=self.env["novaposhta.warehouse"].sudo().search_count([]),
            )
        else:
            cron = self.env.ref("delivery_novaposhta.ir_cron_np_directories")
            # sudo: the administrator starts the scheduled action that continues.
            cron.sudo()._trigger()
            message = _(
                "The directory sync has started; the scheduled action continues it in the "
                "background (it resumes where this run stopped)."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": message, "sticky": False},
        }

    # ----------------------------------------------------------- key expiry
    def _np_admin_users(self):
        users = self.env.ref("access_roles.group_role_administrator").users.filtered(
            lambda user: (
                user.active and not user.share and user.id != self.env.ref("base.user_root").id
            )
        )
        return users[:1] or self.env.ref("base.user_admin")

    def _np_warn_key(self, reason="soon"):
        """An activity for an administrator on the account (once a day)."""
        today = fields.Date.context_today(self)
        for account in self.sudo():
            if account.key_warned_on == today:
                continue
            if reason == "expired":
                summary = _("Nova Poshta API key expired")
            else:
                summary = _("Nova Poshta API key expires soon")
            note = _(
                "The API key of the Nova Poshta account “%(account)s” is valid until "
                "%(date)s. Issue a new key in the NP business cabinet and enter it here.",
                account=account.name,
                date=account.api_key_expiry or "?",
            )
            account.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=account._np_admin_users()[:1].id,
            )
            account.key_warned_on = today

    @api.model
    def _cron_check_key_expiry(self):
        limit = fields.Date.context_today(self) + timedelta(days=KEY_WARNING_DAYS)
        accounts = self.search([("api_key_expiry", "!=", False), ("api_key_expiry", "<=", limit)])
        for account in accounts:
            account._np_warn_key(
                "expired" if account.api_key_expiry < fields.Date.context_today(self) else "soon"
            )
        return True

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            refuse_system_fields(self, vals, SYSTEM_FIELDS, on_create=True)
        return super().create(vals_list)

    def write(self, vals):
        refuse_system_fields(self, vals, SYSTEM_FIELDS)
        if "api_key" in vals:
            # A new key: its expiry must be entered again and warned anew.
            vals = dict(vals, key_warned_on=False)
        return super().write(vals)
