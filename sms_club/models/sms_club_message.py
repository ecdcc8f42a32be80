import logging
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from odoo.addons.access_roles.tools.credentials import redact

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


class SmsClubMessage(models.Model):
    """One SMS or Viber message sent through SMS Club: the message's
    lifecycle that staff see on the order and the contact, and the journal
    that makes sending idempotent (its state is saved before SMS Club is
    called, see ``sms.sms._smsclub_send``)."""

    _name = "sms.club.message"
    _description = "SMS Club Message"
    _order = "id desc"
    _rec_name = "number"

    sms_uuid = fields.Char(string="SMS uuid", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", index=True, readonly=True)
    order_id = fields.Many2one(
        "sale.order", string="Sales order", index=True, ondelete="set null", readonly=True
    )
    mail_message_id = fields.Many2one(
        "mail.message", string="Chatter message", index=True, ondelete="set null", readonly=True
    )
    res_model = fields.Char(string="Document model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    number = fields.Char(string="Number as entered", readonly=True)
    phone = fields.Char(string="Number sent", readonly=True, help="In SMS Club's format.")
    body = fields.Text(string="Text", readonly=True)
    channel = fields.Selection(CHANNELS, required=True, default="sms", readonly=True)
    state = fields.Selection(STATES, required=True, default="queued", index=True, readonly=True)
    provider_id = fields.Char(string="SMS Club id", index="btree_not_null", readonly=True)
    provider_status = fields.Char(
        string="SMS Club status", readonly=True, help="The last status word SMS Club gave."
    )
    sms_fallback_status = fields.Char(
        string="SMS fallback status",
        readonly=True,
        help="Viber, then SMS: the state of the SMS that SMS Club sent when Viber was not "
        "delivered.",
    )
    failure_reason = fields.Char(readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    claim_token = fields.Char(readonly=True, copy=False)
    claim_date = fields.Datetime(string="Sending since", readonly=True)
    sent_date = fields.Datetime(string="Sent on", readonly=True)
    done_date = fields.Datetime(string="Final state on", readonly=True)
    check_date = fields.Datetime(string="Last checked on", readonly=True)

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

    def _mark_failed(self, reason, state="failed", failure_type="unknown"):
        """Fail the messages (and their SMS and chatter notifications) with a
        reason staff can read."""
        if not self:
            return
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

    def _poll_batch(self, client):
        """Read the states of up to 100 messages of one company and channel
        kind (one SMS Club call)."""
        by_id = {row.provider_id: row for row in self}
        if self[:1].channel == "sms":
            for provider_id, (state, raw) in client.sms_status(list(by_id)).items():
                row = by_id.get(provider_id)
                if row:
                    row._apply_delivery(state, raw)
        else:
            for provider_id, status in client.viber_status(list(by_id)).items():
                row = by_id.get(provider_id)
                if not row:
                    continue
                state, raw = self._delivery_state_of_viber(status)
                row._apply_delivery(state, raw or status.get("raw"), status.get("sms_raw"))
        self.filtered(lambda r: r.state == "sent").sudo().write(
            {"check_date": fields.Datetime.now()}
        )

    @api.model
    def _cron_smsclub_poll(self, limit=5000):
        """Scheduled action: delivery states of sent messages, 100 per SMS
        Club call, each call in its own savepoint; messages left "sending"
        by an interrupted job are reconciled (never resent blindly)."""
        self._smsclub_reconcile_stale()
        since = fields.Datetime.now() - timedelta(days=POLL_DAYS)
        rows = self.sudo().search(
            [("state", "=", "sent"), ("provider_id", "!=", False), ("sent_date", ">=", since)],
            order="check_date asc nulls first, id",
            limit=limit,
        )
        for (company, _kind), group in rows.grouped(
            lambda r: (r.company_id, "sms" if r.channel == "sms" else "viber")
        ).items():
            if not company.smsclub_enabled:
                continue
            try:
                client = company._smsclub_client()
            except UserError as error:
                _logger.info("SMS Club poll skipped for %s: %s", company.name, error)
                continue
            for batch in tools.split_every(MAX_PER_CALL, group.ids, self.browse):
                try:
                    with self.env.cr.savepoint():
                        batch._poll_batch(client)
                except SmsClubError as error:
                    _logger.info(
                        "SMS Club status of %s messages failed: %s",
                        len(batch),
                        redact(str(error), client.token),
                    )
                    if error.is_auth:
                        break
        return True

    @api.model
    def _smsclub_reconcile_stale(self):
        """Messages still "sending" long after their job: the job was
        interrupted during or right after the call, so SMS Club may have
        accepted them. They are not sent again: they are marked "outcome
        unknown" for staff to check and resend by hand if needed."""
        limit = fields.Datetime.now() - timedelta(minutes=SENDING_STALE_MINUTES)
        stale = self.sudo().search([("state", "=", "sending"), ("claim_date", "<", limit)])
        stale._mark_failed(
            _(
                "The sending job was interrupted while SMS Club was being called: the message "
                "may have been sent. Check it in the SMS Club cabinet; resend it by hand only "
                "if it did not go out."
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

    def action_check_state(self):
        """Button: read the delivery state of these messages now."""
        rows = self.filtered(lambda r: r.state == "sent" and r.provider_id)
        for (company, _kind), group in rows.grouped(
            lambda r: (r.company_id, "sms" if r.channel == "sms" else "viber")
        ).items():
            client = company._smsclub_client()
            for batch in tools.split_every(MAX_PER_CALL, group.ids, self.browse):
                try:
                    batch.sudo()._poll_batch(client)
                except SmsClubError as error:
                    raise company._smsclub_user_error(error) from error
        return True
