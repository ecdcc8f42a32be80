import hashlib
import json
import logging
import threading
import uuid
from datetime import datetime

import psycopg2.errors
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField
from odoo.addons.access_roles.tools.credentials import redact

from ..checkbox import PRODUCTION_URL, TEST_URL, CheckboxClient, CheckboxError
from ..checkbox.client import report_totals

_logger = logging.getLogger(__name__)

KYIV = pytz.timezone("Europe/Kyiv")
CLIENT_NAME = "UA Store Order Suite (Odoo fiscal_ua)"
CLIENT_VERSION = "18.0.1.0.0"
OPEN_STATUSES = ("CREATED", "OPENING", "OPENED")


def kyiv_now():
    return datetime.now(pytz.utc).astimezone(KYIV)


def parse_checkbox_datetime(value):
    """A Checkbox timestamp (ISO 8601 with offset) as a naive UTC datetime."""
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo:
        moment = moment.astimezone(pytz.utc).replace(tzinfo=None)
    return moment


class FiscalCashRegister(models.Model):
    """A Checkbox software cash register (ПРРО) of the company."""

    _name = "fiscal.cash.register"
    _description = "Cash Register (Checkbox)"
    _inherit = ["access.credential.mixin", "fiscal.system.fields.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    mode = fields.Selection(
        [("test", "Test"), ("production", "Production")],
        required=True,
        default="test",
        help="Test registers use Checkbox's test environment; their receipts are not fiscal.",
    )
    base_url = fields.Char(
        "API URL",
        groups="base.group_system",
        copy=False,
        help="Leave empty for Checkbox's own address of the mode ("
        + PRODUCTION_URL
        + " or "
        + TEST_URL
        + ").",
    )
    license_key = CredentialField("Licence key")
    license_key_set = fields.Boolean("Licence key entered", compute="_compute_license_key_set")
    cashier_id = fields.Many2one(
        "fiscal.cashier",
        domain="[('company_id', '=', company_id)]",
        help="The cashier who signs the receipts of this register.",
    )
    tax_ids = fields.One2many("fiscal.tax", "register_id", "Tax rates")
    untaxed_tax_id = fields.Many2one(
        "fiscal.tax",
        "Rate for lines without tax",
        domain="[('register_id', '=', id)]",
        help="Tax code given to lines that carry no Odoo tax: usually the VAT-exempt rate "
        "(без ПДВ). Empty: such lines are sent without a tax code.",
    )
    default_payment_form_id = fields.Many2one(
        "fiscal.payment.form",
        "Default payment form",
        help="Used for an invoice whose payments do not tell how it was paid.",
    )
    shift_ids = fields.One2many(
        "fiscal.shift", "register_id", "Shifts", system_only=True, copy=False
    )
    current_shift_id = fields.Many2one(
        "fiscal.shift", "Current shift", compute="_compute_current_shift_id"
    )
    request_timeout = fields.Float(
        "Request timeout (s)", default=20.0, help="Longest wait for one answer of Checkbox."
    )
    receipt_wait = fields.Float(
        "Wait for the fiscal number (s)",
        default=10.0,
        help="How long a user waits for the fiscal number after sending a receipt; later "
        "answers are picked up by the scheduled action.",
    )
    close_time = fields.Float(
        "Close shift at (Kyiv time)",
        default=23.75,
        help="From this time of day (Europe/Kyiv) the scheduled action closes the open shift "
        "(Z-report), so that a shift never passes midnight.",
    )
    send_receipt_link = fields.Boolean(
        "Send the receipt link to the customer",
        default=True,
        help="After fiscalization, send the public link of the receipt to the customer "
        "through the order's message channel.",
    )

    @api.depends("mode")
    def _compute_license_key_set(self):
        for register in self:
            register.license_key_set = bool(register._get_credential("license_key"))

    @api.depends("shift_ids.status")
    def _compute_current_shift_id(self):
        for register in self:
            register.current_shift_id = register._open_shift_record()

    @api.constrains("request_timeout", "receipt_wait")
    def _check_timeouts(self):
        for register in self:
            if register.request_timeout <= 0 or register.receipt_wait < 0:
                raise UserError(_("Timeouts of a cash register must be positive numbers."))

    # ------------------------------------------------------------------ client
    def _api_url(self):
        self.ensure_one()
        # administrators only set it: the credentials are sent to this address
        return self.sudo().base_url or (PRODUCTION_URL if self.mode == "production" else TEST_URL)

    def _checkbox_client(self):
        """The one place where the Checkbox client is built."""
        self.ensure_one()
        cashier = self.cashier_id
        if not cashier:
            raise UserError(
                _(
                    "Cash register %(register)s has no cashier. An administrator sets it in "
                    "Fiscal → Configuration → Cash registers.",
                    register=self.display_name,
                )
            )
        if not self._get_credential("license_key") or not cashier.credentials_set:
            raise UserError(
                _(
                    "The licence key of cash register %(register)s or the credentials of cashier "
                    "%(cashier)s are missing. An administrator enters them.",
                    register=self.display_name,
                    cashier=cashier.display_name,
                )
            )
        params = self.env["ir.config_parameter"].sudo()
        poll_interval = float(params.get_param("fiscal_ua.poll_interval", "1.0") or 1.0)
        timeout = self.request_timeout or 20.0
        return CheckboxClient(
            self._api_url(),
            license_key=self._get_credential("license_key"),
            access_token=cashier._get_credential("access_token"),
            client_name=CLIENT_NAME,
            client_version=CLIENT_VERSION,
            timeout=(min(5.0, timeout), timeout),
            poll_interval=poll_interval,
            on_token=cashier._save_token,
            **cashier._client_credentials(),
        )

    def _secrets(self):
        self.ensure_one()
        secrets = [self._get_credential("license_key")]
        if self.cashier_id:
            secrets += self.cashier_id._secrets()
        return [secret for secret in secrets if secret]

    # ------------------------------------------------------------------ errors
    # The one place where what Checkbox (or the connection to it) answered
    # becomes text: for the logs (``_error_text``), for the user
    # (``_checkbox_error_message``, ``_user_error``) and for a receipt the tax
    # service refused (``_receipt_refusal_message``). Secrets are masked with
    # the suite's helper (access_roles/tools/credentials.py).
    def _error_text(self, exc):
        """The technical text of an error (a Checkbox error or any other),
        safe to log: the register's and its cashier's secrets are masked."""
        self.ensure_one()
        return redact(str(exc), *self._secrets())

    def _receipt_refusal_message(self, data):
        """Why Checkbox's answer ``data`` about a receipt says it is not
        issued (status ERROR or CANCELLED): the tax service's own words when
        it gave some."""
        self.ensure_one()
        transaction = data.get("transaction") or {}
        reason = transaction.get("response_error_message")
        if reason:
            return redact(reason, *self._secrets())
        if data.get("status") == "CANCELLED":
            return _("Checkbox cancelled the receipt.")
        return _("The tax service did not register the receipt and gave no reason.")

    def _checkbox_error_message(self, exc):
        """The one place where a Checkbox error becomes a sentence for the
        user, in the user's language: what happened, never a library's
        exception text."""
        kind = exc.kind
        if kind == "timeout":
            return _("Checkbox did not answer in time.")
        if kind == "connection":
            return _("Checkbox could not be reached: no connection, or the connection was cut.")
        if kind == "server_error":
            return _(
                "Checkbox answered with a server error (HTTP %(status)s).",
                status=exc.status or "5xx",
            )
        if kind == "rate_limited":
            return _("Checkbox is receiving too many requests right now (HTTP 429).")
        if kind == "bad_answer":
            return _("Checkbox sent an answer that cannot be read (empty, broken or a web page).")
        if kind == "not_confirmed":
            return _("Checkbox did not confirm whether it has the receipt.")
        if kind == "no_credentials":
            return _("The cashier has no credentials: an administrator enters them.")
        if kind == "auth":
            # Checkbox's own words are only logged: they add nothing a person can act on
            return _(
                "Checkbox refused the cashier's sign-in or the licence key. An administrator "
                "checks them on the cash register and the cashier."
            )
        if kind == "shift_not_opened":
            if exc.reason:
                return _(
                    "Checkbox could not open the shift; the tax service answered: %(reason)s. "
                    "Try again in a few minutes.",
                    reason=redact(exc.reason, *self._secrets()),
                )
            return _("Checkbox could not open the shift. Try again in a few minutes.")
        if kind == "not_found":
            return _("Checkbox does not have this document (HTTP 404).")
        vendor = redact(exc.message, *self._secrets())
        if exc.detail:
            vendor = f"{vendor} ({redact(exc.detail_text, *self._secrets())})"
        if kind == "invalid":
            return _("Checkbox found the data of the document invalid: %(error)s.", error=vendor)
        return _("Checkbox refused: %(error)s.", error=vendor)

    def _user_error(self, exc):
        """The one place where Checkbox errors become a UserError."""
        return UserError(self._checkbox_error_message(exc))

    def _notify(self, title, message, kind="success", sticky=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": sticky,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ shifts
    def _open_shift_record(self):
        self.ensure_one()
        return self.env["fiscal.shift"].search(
            [("register_id", "=", self.id), ("status", "in", OPEN_STATUSES)],
            order="id desc",
            limit=1,
        )

    @api.model
    def _lock_rows_nowait(self, records):
        """Lock ``records`` for this transaction if no other worker holds or
        has just changed them; False otherwise (that worker is recording the
        same answer of Checkbox)."""
        if not records:
            return True
        query = SQL(
            "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
            SQL.identifier(records._table),
            tuple(records.ids),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            return False
        return True

    def _shift_recorded_elsewhere(self, checkbox_id):
        """Whether another transaction has recorded this Checkbox shift (it
        cannot be seen from this transaction's snapshot). Called while holding
        the shift's advisory lock, so that the other one has ended."""
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("SELECT 1 FROM fiscal_shift WHERE checkbox_id = %s", checkbox_id))
            return bool(cr.fetchone())

    def _sync_shift(self, data):
        """Create or update the local record of a Checkbox shift. Two workers
        recording the same shift at once make one record: the second one
        leaves the record to the first (an empty recordset is returned when
        it cannot see it yet)."""
        self.ensure_one()
        # shifts are system records, written from Checkbox's answers only
        Shift = self.env["fiscal.shift"].sudo()
        shift = Shift.search([("checkbox_id", "=", data["id"])], limit=1)
        vals = {
            "status": data.get("status") or "CREATED",
            "serial": data.get("serial") or 0,
        }
        opened_at = parse_checkbox_datetime(data.get("opened_at"))
        closed_at = parse_checkbox_datetime(data.get("closed_at"))
        if opened_at:
            vals["opened_at"] = opened_at
        if closed_at:
            vals["closed_at"] = closed_at
        if data.get("z_report"):
            vals["z_report"] = json.dumps(data["z_report"], ensure_ascii=False, indent=1)
        if shift:
            changes = {name: value for name, value in vals.items() if shift[name] != value}
            if changes and self._lock_rows_nowait(shift):
                shift.write(changes)
            return shift.with_env(self.env)
        key = int(hashlib.sha1(str(data["id"]).encode()).hexdigest()[:15], 16)
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", key))
        if self._shift_recorded_elsewhere(data["id"]):
            return Shift.browse().with_env(self.env)
        vals.update(
            {
                "register_id": self.id,
                "cashier_id": self.cashier_id.id,
                "checkbox_id": data["id"],
            }
        )
        if vals["status"] in OPEN_STATUSES and not vals.get("opened_at"):
            vals["opened_at"] = fields.Datetime.now()
        return Shift.create(vals).with_env(self.env)

    def _mark_closed(self, shifts):
        # local shift records follow what Checkbox said (system fields)
        shifts = shifts.filtered(lambda s: s.status != "CLOSED")
        if shifts and self._lock_rows_nowait(shifts):
            shifts.sudo().write({"status": "CLOSED", "closed_at": fields.Datetime.now()})

    def _ensure_open_shift(self, client, trust_local=True):
        """The open shift of the register, opening one when needed (before
        the first receipt of the day). With ``trust_local`` a shift this
        database knows to be open today is used without asking Checkbox.
        When the opening gets no clear answer, Checkbox is asked for the
        cashier's current shift before anything else is sent."""
        self.ensure_one()
        shift = self._open_shift_record()
        if shift and shift._is_stale():
            self._close_shift(client)
            shift = self.env["fiscal.shift"]
        if shift and shift.status == "OPENED" and trust_local:
            return shift
        data = client.get_current_shift()
        if data and data.get("status") in ("CREATED", "OPENING"):
            data = client.wait_shift(data, ("OPENED", "CLOSED"))
        if data and data.get("status") == "OPENED":
            current = self._sync_shift(data)
            self._mark_closed(shift - current)
            if not current._is_stale():
                return current
            self._close_shift(client)
        elif shift:
            self._mark_closed(shift)
        try:
            data = client.open_shift(str(uuid.uuid4()))
        except CheckboxError as exc:
            # opened meanwhile (by someone else, or by this very request whose answer
            # was lost): use that one; else the opening is tried again later
            data = client.get_current_shift()
            if not data:
                raise exc from None
            data = client.wait_shift(data, ("OPENED", "CLOSED"))
            if data.get("status") != "OPENED":
                raise exc from None
        return self._sync_shift(data)

    def _close_shift(self, client):
        """Close the register's shift on Checkbox (Z-report) and locally.
        When the closing gets no clear answer (or Checkbox says there is no
        open shift), the shift is looked up by its id: a closing Checkbox
        carried out is recorded with its Z-report, never closed twice."""
        self.ensure_one()
        local = self._open_shift_record()
        try:
            data = client.close_shift()
        except CheckboxError as exc:
            if not (exc.uncertain or exc.is_no_open_shift):
                raise
            if not local:
                if exc.is_no_open_shift:
                    return local
                raise
            try:
                data = client.get_shift(local.checkbox_id)
            except CheckboxError:
                raise exc from None
            if data.get("status") == "CLOSING":
                data = client.wait_shift(data, ("CLOSED",))
            if data.get("status") != "CLOSED":
                if exc.is_no_open_shift:
                    # Checkbox has no open shift for the cashier, whatever this one says
                    self._mark_closed(local)
                    return local
                raise exc from None
        shift = self._sync_shift(data)
        self._mark_closed(local - shift)
        if not shift.closed_at:
            shift.sudo().closed_at = fields.Datetime.now()
        return shift

    # ------------------------------------------------------------------ buttons
    def _check_fiscal_rights(self):
        """The caller may work the register (Accountant, Administrator)."""
        self.check_access("write")
        self.env["fiscal.shift"].check_access("create")

    def action_open_shift(self):
        self.ensure_one()
        self._check_fiscal_rights()
        try:
            shift = self._ensure_open_shift(self._checkbox_client(), trust_local=False)
        except CheckboxError as exc:
            raise self._user_error(exc) from exc
        return self._notify(
            _("Shift open"),
            _(
                "Shift %(shift)s of %(register)s is open.",
                shift=shift.serial or "",
                register=self.name,
            ),
        )

    def action_close_shift(self):
        self.ensure_one()
        self._check_fiscal_rights()
        try:
            shift = self._close_shift(self._checkbox_client())
        except CheckboxError as exc:
            raise self._user_error(exc) from exc
        if not shift:
            return self._notify(_("No open shift"), _("The register had no open shift."), "info")
        return self._notify(
            _("Shift closed"),
            _("Shift %(shift)s is closed; the Z-report is saved on the shift.", shift=shift.serial),
        )

    def action_x_report(self):
        self.ensure_one()
        self._check_fiscal_rights()
        client = self._checkbox_client()
        try:
            shift = self._ensure_open_shift(client, trust_local=False)
            report = client.x_report()
        except CheckboxError as exc:
            raise self._user_error(exc) from exc
        # the X-report is Checkbox's answer, kept on the shift as a system field
        shift.sudo().x_report = json.dumps(report, ensure_ascii=False, indent=1)
        totals = report_totals(report)
        return self._notify(
            _("X-report"),
            _(
                "Sales: %(count)s receipts, %(amount)s UAH; returns: %(returns)s receipts, "
                "%(return_amount)s UAH. The report is saved on the shift.",
                count=totals["sell_receipts_count"],
                amount="%.2f" % (totals["sell_sum"] / 100),
                returns=totals["return_receipts_count"],
                return_amount="%.2f" % (totals["return_sum"] / 100),
            ),
            sticky=True,
        )

    def action_load_taxes(self):
        """Read the register's tax rates from Checkbox (mappings are kept)."""
        self.ensure_one()
        self.check_access("write")
        self.env["fiscal.tax"].check_access("create")
        try:
            rates = self._checkbox_client().get_taxes()
        except CheckboxError as exc:
            raise self._user_error(exc) from exc
        # tax rates are Checkbox's data: written as the system, mappings stay the user's
        FiscalTax = self.env["fiscal.tax"].sudo()
        for rate in rates:
            vals = {
                "label": rate.get("label"),
                "symbol": rate.get("symbol"),
                "rate": rate.get("rate") or 0.0,
                "no_vat": bool(rate.get("no_vat")),
            }
            code = rate.get("code")
            tax = self.tax_ids.filtered(lambda t, code=code: t.code == code)
            if tax:
                tax.sudo().write(vals)
            else:
                tax = FiscalTax.create(dict(vals, register_id=self.id, code=rate.get("code")))
            if vals["no_vat"] and not self.untaxed_tax_id:
                self.untaxed_tax_id = tax.id
        return self._notify(
            _("Tax rates loaded"),
            _("%(count)s tax rates read from Checkbox.", count=len(rates)),
        )

    def action_check_connection(self):
        self.ensure_one()
        self.check_access("write")
        client = self._checkbox_client()
        try:
            client.signin()
            shift = client.get_current_shift()
        except CheckboxError as exc:
            raise self._user_error(exc) from exc
        return self._notify(
            _("Connection works"),
            _(
                "The cashier signed in. Current shift: %(status)s.",
                status=(shift or {}).get("status") or _("none"),
            ),
        )

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_close_shifts(self):
        """Close (Z-report) the open shifts before midnight Europe/Kyiv, and
        any shift left open from an earlier day. One savepoint per register."""
        now = kyiv_now()
        hour = now.hour + now.minute / 60.0
        # outside tests, each closing is committed right after its Checkbox calls, so that a
        # Z-report Checkbox made is never lost with a later failure of another register
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for register in self.sudo().search([]):
            shift = register._open_shift_record()
            if not shift or not (hour >= register.close_time or shift._is_stale()):
                continue
            try:
                with self.env.cr.savepoint():
                    register._close_shift(register._checkbox_client())
            except CheckboxError as exc:
                # the shift stays open here: the next run closes it (or finds it closed)
                _logger.info(
                    "fiscal_ua: shift of register %s not closed yet: %s",
                    register.id,
                    register._error_text(exc),
                )
            except Exception as exc:  # noqa: BLE001 - one register never stops the others
                _logger.warning(
                    "fiscal_ua: could not close the shift of register %s: %s",
                    register.id,
                    register._error_text(exc),
                )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
