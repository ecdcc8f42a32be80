import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..smsclub import (
    DELIVERED,
    ENROUTE,
    EXPIRED,
    FINAL_STATES,
    MAX_PER_CALL,
    REJECTED,
    UNDELIVERABLE,
    SmsClubError,
)

_logger = logging.getLogger(__name__)

CHANNELS = [("sms", "SMS"), ("viber", "Viber"), ("viber_sms", "Viber, then SMS")]
STATES = [
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("checking", "Checking with SMS Club"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("expired", "Expired"),
    ("undeliverable", "Undeliverable"),
    ("rejected", "Rejected"),
    ("failed", "Failed"),
    ("unknown", "Outcome unknown"),
]
# SMS Club delivery state → (our state, Odoo provider error for sms.tracker)
DELIVERY_STATES = {
    DELIVERED: ("delivered", None),
    EXPIRED: ("expired", "expired"),
    UNDELIVERABLE: ("undeliverable", "not_delivered"),
    REJECTED: ("rejected", "rejected"),
}
SENDING_STALE_MINUTES = 10
POLL_DAYS = 7
# A message whose SMS Club id comes from an answer of unknown outcome is
# looked up by the poller; if SMS Club cannot be asked for this long, a
# person takes over (hours).
CHECKING_HOURS = 24


class SmsClubMessage(models.Model):
    """One SMS or Viber message sent through SMS Club: the message's
    lifecycle that staff see on the order and the contact, and the journal
    that makes sending idempotent (its state is saved before SMS Club is
    called, see ``sms.sms._smsclub_send``). Every field is set by the system
    only; administrators act on a message through its buttons."""

    _name = "sms.club.message"
    _description = "SMS Club Message"
    _order = "id desc"
    _rec_name = "number"

    sms_uuid = fields.Char(
        string="SMS uuid", required=True, index=True, readonly=True, system_only=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, system_only=True, copy=False
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index=True, readonly=True, system_only=True, copy=False
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Sales order",
        index=True,
        ondelete="set null",
        readonly=True,
        system_only=True,
        copy=False,
    )
    mail_message_id = fields.Many2one(
        "mail.message",
        string="Chatter message",
        index=True,
        ondelete="set null",
        readonly=True,
        system_only=True,
        copy=False,
    )
    res_model = fields.Char(string="Document model", readonly=True, system_only=True, copy=False)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", readonly=True, system_only=True, copy=False
    )
    number = fields.Char(string="Number as entered", readonly=True, system_only=True, copy=False)
    phone = fields.Char(
        string="Number sent",
        readonly=True,
        help="In SMS Club's format.",
        system_only=True,
        copy=False,
    )
    body = fields.Text(string="Text", readonly=True, system_only=True, copy=False)
    channel = fields.Selection(
        CHANNELS, required=True, default="sms", readonly=True, system_only=True, copy=False
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="queued",
        index=True,
        readonly=True,
        system_only=True,
        copy=False,
    )
    provider_id = fields.Char(
        string="SMS Club id", index="btree_not_null", readonly=True, system_only=True, copy=False
    )
    provider_status = fields.Char(
        string="SMS Club status",
        readonly=True,
        help="The last status word SMS Club gave.",
        system_only=True,
        copy=False,
    )
    sms_fallback_status = fields.Char(
        string="SMS fallback status",
        readonly=True,
        help="Viber, then SMS: the state of the SMS that SMS Club sent when Viber was not "
        "delivered.",
        system_only=True,
        copy=False,
    )
    failure_reason = fields.Char(readonly=True, system_only=True, copy=False)
    attempt_count = fields.Integer(string="Attempts", readonly=True, system_only=True, copy=False)
    claim_token = fields.Char(readonly=True, copy=False, system_only=True)
    claim_date = fields.Datetime(
        string="Sending since", readonly=True, system_only=True, copy=False
    )
    sent_date = fields.Datetime(string="Sent on", readonly=True, system_only=True, copy=False)
    done_date = fields.Datetime(
        string="Final state on", readonly=True, system_only=True, copy=False
    )
    check_date = fields.Datetime(
        string="Last checked on", readonly=True, system_only=True, copy=False
    )
    checked_by_id = fields.Many2one(
        "res.users",
        string="Settled by",
        readonly=True,
        help="The person who settled a message of unknown outcome.",
        system_only=True,
        copy=False,
    )

    # ------------------------------------------------- only the system writes
    @api.model_create_multi
    def create(self, vals_list):
        # a message is created by the SMS machinery only (every field is
        # system-only: the refusal names the fields given, if any)
        if not self.env.su:
            for vals in vals_list:
                self._check_access_system_only(vals)
            raise AccessError(_("SMS Club messages are created by the system only."))
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_by_the_system_only(self):
        if not self.env.su:
            raise AccessError(
                _(
                    "SMS Club messages are the record of what was sent to customers: they "
                    "cannot be deleted."
                )
            )

    def _smsclub_check_admin(self):
        """The buttons that call SMS Club or settle a message are for
        administrators."""
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators can do this with SMS Club messages."))
        self.check_access("read")

    # ------------------------------------------------------------ Odoo side
    def _sms_records(self):
        return (
            self.env["sms.sms"]
            .sudo()
            .with_context(active_test=False)
            .search([("uuid", "in", self.mapped("sms_uuid"))])
        )

    def _trackers(self):
        return self.env["sms.tracker"].sudo().search([("sms_uuid", "in", self.mapped("sms_uuid"))])

    @api.model
    def _smsclub_lock(self, rows):
        """Lock ``rows`` for this transaction; those another transaction
        holds or changed meanwhile are left out (their job handles them)."""
        if not rows:
            return rows
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sms_club_message WHERE id IN %s "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        tuple(rows.ids),
                    ),
                    log_exceptions=False,
                )
                ids = {row_id for (row_id,) in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            return rows.browse()
        return rows.filtered(lambda row: row.id in ids)

    def _mark_failed(self, reason, state="failed", failure_type="unknown"):
        """Fail the messages (and their SMS and chatter notifications) with a
        reason staff can read."""
        if not self:
            return
        # sudo: states are written by the system only
        self.sudo().write(
            {
                "state": state,
                "failure_reason": reason,
                "done_date": fields.Datetime.now(),
                "claim_token": False,
            }
        )
        sms = self._sms_records().with_context(sms_skip_msg_notification=True)
        sms.write({"state": "error", "failure_type": failure_type})
        self._trackers().with_context(sms_skip_msg_notification=True)._action_update_from_sms_state(
            "error", failure_type=failure_type, failure_reason=reason
        )

    def _smsclub_accepted(self, provider_id, values=None):
        """SMS Club has this message under ``provider_id``."""
        self.ensure_one()
        # sudo: states are written by the system only
        self.sudo().write(
            {
                "state": "sent",
                "provider_id": provider_id,
                "provider_status": "ENROUTE",
                "sent_date": self.sent_date or fields.Datetime.now(),
                "claim_token": False,
                "failure_reason": False,
                **(values or {}),
            }
        )
        self._trackers().write({"smsclub_id": provider_id})

    def _smsclub_requeue(self, reason):
        """Nothing reached SMS Club: back to the queue, sent by its next run."""
        # sudo: states are written by the system only
        self.sudo().write({"state": "queued", "claim_token": False, "failure_reason": reason})
        self._sms_records().write({"state": "outgoing", "failure_type": False})

    def _smsclub_uncertain(self, reason, provider_id=None):
        """SMS Club may have the message. With its id it is looked up by the
        poller; without, a person decides (it is never sent again blindly)."""
        self.ensure_one()
        if provider_id:
            # sudo: states are written by the system only
            self.sudo().write(
                {
                    "state": "checking",
                    "provider_id": provider_id,
                    "claim_token": False,
                    "failure_reason": _(
                        "%(reason)s SMS Club gave the id %(id)s: the message is being checked "
                        "with SMS Club.",
                        reason=reason,
                        id=provider_id,
                    ),
                }
            )
            self._trackers().write({"smsclub_id": provider_id})
            return
        self._mark_failed(
            _(
                "%(reason)s SMS Club gave no message id and cannot be asked about a message "
                "without it: check the message in the SMS Club cabinet, then mark it as sent "
                "or send it again.",
                reason=reason,
            ),
            state="unknown",
            failure_type="sms_server",
        )

    # ----------------------------------------------------- delivery states
    def _apply_delivery(self, state, raw, sms_raw=None):
        """Record a delivery state read from SMS Club on the message, its
        chatter notification (Odoo's SMS icons) and sms.tracker."""
        values = {"provider_status": raw, "check_date": fields.Datetime.now()}
        if sms_raw is not None:
            values["sms_fallback_status"] = sms_raw
        if state in DELIVERY_STATES:
            new_state, provider_error = DELIVERY_STATES[state]
            values.update(state=new_state, done_date=fields.Datetime.now())
            trackers = self._trackers()
            if provider_error:
                values["failure_reason"] = _("SMS Club: %(status)s", status=raw)
                trackers._action_update_from_provider_error(provider_error)
            else:
                trackers._action_update_from_sms_state("sent")
        # sudo: states are written by the system only
        self.sudo().write(values)

    @api.model
    def _delivery_state_of_viber(self, status):
        """Viber, then SMS: delivered when either was delivered; still on the
        way while the fallback SMS is; otherwise the final Viber (or SMS)
        state."""
        viber, sms = status.get("state"), status.get("sms_state")
        if DELIVERED in (viber, sms):
            return DELIVERED, status.get("raw") if viber == DELIVERED else status.get("sms_raw")
        if sms == ENROUTE:
            return ENROUTE, status.get("raw")
        if sms in FINAL_STATES:
            return sms, status.get("sms_raw")
        return viber, status.get("raw")

    def _lookup(self, client):
        """``{provider_id: (state, raw, sms_raw)}`` read from SMS Club for up
        to 100 messages of one company and channel kind (one call); an id SMS
        Club does not know is missing."""
        ids = [row.provider_id for row in self]
        if self[:1].channel == "sms":
            return {key: (state, raw, None) for key, (state, raw) in client.sms_status(ids).items()}
        found = {}
        for provider_id, status in client.viber_status(ids).items():
            state, raw = self._delivery_state_of_viber(status)
            found[provider_id] = (state, raw or status.get("raw"), status.get("sms_raw"))
        return found

    def _poll_batch(self, client):
        """Read the states of up to 100 messages of one company and channel
        kind (one SMS Club call) and record them."""
        found = self._lookup(client)
        for row in self:
            if row.provider_id in found:
                row._apply_delivery(*found[row.provider_id])
        # sudo: states are written by the system only
        self.filtered(lambda r: r.state == "sent").sudo().write(
            {"check_date": fields.Datetime.now()}
        )

    def _settle_batch(self, client, by_person=False):
        """Messages of unknown outcome with an SMS Club id: SMS Club knows the
        id → sent (and its delivery state); it does not → a person decides.
        Returns the messages settled."""
        found = self._lookup(client)
        now = fields.Datetime.now()
        settled = self.browse()
        for row in self:
            if row.provider_id in found:
                row._smsclub_accepted(row.provider_id, {"check_date": now})
                row._sms_records()._smsclub_set_sent()
                state, raw, sms_raw = found[row.provider_id]
                row._apply_delivery(state, raw, sms_raw)
                settled |= row
            elif by_person or row.state == "checking":
                row._mark_failed(
                    _(
                        "SMS Club does not know the id %(id)s of this message (checked on "
                        "%(date)s): check the message in the SMS Club cabinet, then mark it as "
                        "sent or send it again.",
                        id=row.provider_id,
                        date=fields.Datetime.to_string(now),
                    ),
                    state="unknown",
                    failure_type="sms_server",
                )
        return settled

    @api.model
    def _smsclub_batches(self, rows):
        """``[(company, client, batch)]``: ``rows`` by company and channel
        kind, 100 per batch (one SMS Club call each)."""
        batches = []
        for (company, _kind), group in rows.grouped(
            lambda r: (r.company_id, "sms" if r.channel == "sms" else "viber")
        ).items():
            client = company._smsclub_client(raise_error=False)
            if client is None or not company.smsclub_enabled:
                continue
            for batch in tools.split_every(MAX_PER_CALL, group.ids, self.browse):
                batches.append((company, client, batch))
        return batches

    @api.model
    def _cron_smsclub_poll(self, limit=5000):
        """Scheduled action: messages of unknown outcome looked up by their
        SMS Club id; messages left "sending" by an interrupted job handed to a
        person; delivery states of sent messages. 100 ids per SMS Club call,
        each call in its own savepoint."""
        self._smsclub_reconcile_stale()
        self._smsclub_reconcile_checking()
        since = fields.Datetime.now() - timedelta(days=POLL_DAYS)
        rows = self.sudo().search(
            [("state", "=", "sent"), ("provider_id", "!=", False), ("sent_date", ">=", since)],
            order="check_date asc nulls first, id",
            limit=limit,
        )
        self._smsclub_run_batches(rows, "_poll_batch")
        return True

    @api.model
    def _smsclub_run_batches(self, rows, method):
        """Run ``method(client)`` per batch of ``rows``, each in a savepoint,
        on the rows no other transaction holds; an error of SMS Club is
        logged and the next batch runs."""
        for company, client, batch in self._smsclub_batches(rows):
            try:
                with self.env.cr.savepoint():
                    locked = self._smsclub_lock(batch)
                    if locked:
                        getattr(locked, method)(client)
            except SmsClubError as error:
                _logger.info(
                    "SMS Club look-up of %s messages of %s failed: %s",
                    len(batch),
                    company.name,
                    error.kind,
                )

    @api.model
    def _smsclub_reconcile_checking(self):
        """Messages SMS Club gave an id for in an answer of unknown outcome:
        look the ids up; after :data:`CHECKING_HOURS` without an answer of SMS
        Club, a person takes over."""
        rows = self.sudo().search([("state", "=", "checking"), ("provider_id", "!=", False)])
        self._smsclub_run_batches(rows, "_settle_batch")
        limit = fields.Datetime.now() - timedelta(hours=CHECKING_HOURS)
        late = self.sudo().search([("state", "=", "checking"), ("claim_date", "<", limit)])
        self._smsclub_lock(late)._mark_failed(
            _(
                "SMS Club could not be asked about this message for %(hours)s hours: check it "
                "in the SMS Club cabinet, then mark it as sent or send it again.",
                hours=CHECKING_HOURS,
            ),
            state="unknown",
            failure_type="sms_server",
        )

    @api.model
    def _smsclub_reconcile_stale(self):
        """Messages still "sending" long after their job: the job was
        interrupted during or right after the call, so SMS Club may have
        accepted them, and it gave no id to ask about. They are not sent
        again: a person checks and settles them."""
        limit = fields.Datetime.now() - timedelta(minutes=SENDING_STALE_MINUTES)
        stale = self.sudo().search([("state", "=", "sending"), ("claim_date", "<", limit)])
        stale = self._smsclub_lock(stale)
        stale._mark_failed(
            _(
                "The sending job was interrupted while SMS Club was being called: the message "
                "may have been sent, and SMS Club gave no id to ask about it. Check it in the "
                "SMS Club cabinet, then mark it as sent or send it again."
            ),
            state="unknown",
            failure_type="sms_server",
        )
        return stale

    @api.model
    def _cron_smsclub_balance(self):
        """Scheduled action: the balance of each SMS Club company."""
        companies = self.env["res.company"].sudo().search([("smsclub_enabled", "=", True)])
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    company._smsclub_refresh_balance()
            except UserError as error:
                _logger.info("SMS Club balance of %s not read: %s", company.name, error)
        return True

    # --------------------------------------------------------------- buttons
    def _smsclub_run_now(self, rows, method, **kwargs):
        """Run ``method`` on ``rows`` by batch at once (a button); the rows
        another job is handling are left out."""
        done = self.browse()
        for company, client, batch in self._smsclub_batches(rows.sudo()):
            locked = self._smsclub_lock(batch)
            try:
                result = getattr(locked, method)(client, **kwargs)
            except SmsClubError as error:
                raise company._smsclub_user_error(error) from None
            done |= result or self.browse()
        return done

    def action_check_state(self):
        """Button (administrators): read the delivery state of these messages now."""
        self._smsclub_check_admin()
        rows = self.filtered(lambda r: r.state == "sent" and r.provider_id)
        self._smsclub_run_now(rows, "_poll_batch")
        return True

    def action_recheck(self):
        """Button (administrators), on messages of unknown outcome: ask SMS
        Club again about those it gave an id for, and say what is left for a
        person."""
        self._smsclub_check_admin()
        rows = self.filtered(lambda r: r.state in ("unknown", "checking"))
        with_id = rows.filtered("provider_id")
        settled = self._smsclub_run_now(with_id, "_settle_batch", by_person=True)
        without_id = rows - with_id
        # sudo: the date of the check is written by the system only
        without_id.sudo().write({"check_date": fields.Datetime.now()})
        left = rows - settled
        if left:
            message = _(
                "%(settled)s of %(total)s messages settled. %(left)s still need a person: SMS "
                "Club gave no id for %(without)s of them, so only its cabinet can tell whether "
                "they went out; then use “It was sent” or “Send again”.",
                settled=len(settled),
                total=len(rows),
                left=len(left),
                without=len(without_id),
            )
            kind = "warning"
        else:
            message = _("%(total)s messages settled with SMS Club.", total=len(rows))
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": _("Re-check with SMS Club"),
                "message": message,
                "next": {"type": "ir.actions.act_window_close"}
                if not left
                else {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_mark_sent(self):
        """Button (administrators): a person saw in the SMS Club cabinet that
        these messages of unknown outcome went out."""
        self._smsclub_check_admin()
        rows = self._smsclub_lock(self.filtered(lambda r: r.state == "unknown"))
        now = fields.Datetime.now()
        for row in rows:
            row.sudo().write(
                {
                    "state": "sent",
                    "sent_date": row.sent_date or row.claim_date or now,
                    "check_date": now,
                    "checked_by_id": self.env.uid,
                    "failure_reason": _(
                        "Confirmed sent by %(user)s in the SMS Club cabinet.",
                        user=self.env.user.name,
                    ),
                }
            )
            row._sms_records()._smsclub_set_sent()
        return True

    def action_send_again(self):
        """Button (administrators): a person saw in the SMS Club cabinet that
        these messages of unknown outcome did not go out: the queue sends them
        again."""
        self._smsclub_check_admin()
        rows = self._smsclub_lock(self.filtered(lambda r: r.state == "unknown"))
        for row in rows:
            if not row._sms_records():
                raise UserError(
                    _(
                        "The SMS of the message to %(number)s no longer exists: send it again "
                        "from the document's chatter.",
                        number=row.number or row.phone,
                    )
                )
            row.sudo().write({"checked_by_id": self.env.uid})
            row._smsclub_requeue(
                _("Sent again by %(user)s after a check.", user=self.env.user.name)
            )
        if rows:
            self.env["sms.sms"]._smsclub_trigger_queue()
        return True
