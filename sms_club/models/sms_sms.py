import logging
from collections import defaultdict, deque
from datetime import timedelta
from functools import partial
from uuid import uuid4

from odoo import api, fields, models, tools

from ..smsclub import KIND_NO_MONEY, RETRY, UNKNOWN, SmsClubError

_logger = logging.getLogger(__name__)

# While the balance is too low, the queue looks again this often (minutes).
HOLD_RETRY_MINUTES = 15
# A message SMS Club surely did not get (429, 503, no connection) is sent
# again by the queue after this delay (minutes)…
RETRY_MINUTES = 1
# …for this long after it was queued (hours); then it fails with the reason.
RETRY_HOURS = 24
# The queue runner of this cursor (``_process_queue``): the only place that
# calls SMS Club, because it commits what it is about to send first. Kept on
# the cursor, never in the context, so that no caller can ask for it.
RUNNER_KEY = "smsclub_queue_runner"


class SmsSms(models.Model):
    """SMS Club plugs in under Odoo's own SMS queue: ``sms.sms`` records of
    companies that use SMS Club get an ``sms.club.message`` when created and
    are sent by :meth:`_smsclub_send` instead of IAP; the others keep Odoo's
    default. Templates, the "Send SMS" server action, the composer and the
    chatter all create ``sms.sms`` records, so they need no change.

    Exactly once: SMS Club is called only by Odoo's queue runner
    (``_process_queue``, the scheduled action "SMS: SMS Queue Manager",
    triggered as soon as a message is queued), never inside a user's
    transaction: a user's transaction may be rolled back and replayed after
    SMS Club accepted the message, which would send it twice.

    Claim before call: what is about to be sent (the number in SMS Club's
    format, the channel, state "sending" with the runner's token) is
    committed before SMS Club is called. The commit is the runner's own (this
    addon commits nothing): its ``send(auto_commit=True)`` commits after each batch that
    :meth:`_split_batch` yields, and each SMS Club batch is yielded twice:
    the first pass only claims, the second calls SMS Club and records its
    answer. A job interrupted after the claim leaves "sending" messages that
    are never sent again automatically (the poller hands them to a person
    after a few minutes).

    Why the runner's commits and not a cursor of our own: Odoo's cursors are
    REPEATABLE READ, so a claim committed by a second cursor would make the
    runner's later write of the answer on the same rows fail as a concurrent
    update (the whole sending would have to move to that cursor, beside
    Odoo's runner); and in tests, where nothing is committed, a second cursor
    sees none of the messages. This override depends on the shape of Odoo's
    loop (``_process_queue`` → ``send(auto_commit=True)`` → commit after each
    ``_split_batch()`` batch): ``test_odoo_queue_runner_commits_the_claim_first``
    runs Odoo's runner as outside tests and fails if that shape changes."""

    _inherit = "sms.sms"

    smsclub_message_id = fields.Many2one(
        "sms.club.message",
        string="SMS Club message",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
        copy=False,
        system_only=True,
    )

    # ---------------------------------------------------------- creation
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._smsclub_register()
        return records

    def _smsclub_company(self):
        """The company whose settings apply: the document's, else the
        contact's, else the current one."""
        self.ensure_one()
        message = self.mail_message_id
        if message.model and message.res_id and message.model in self.env:
            # sudo: the company of the document the SMS is about, whoever sends
            document = self.env[message.model].sudo().browse(message.res_id).exists()
            if document and "company_id" in document._fields and document.company_id:
                return document.company_id
        return self.partner_id.company_id or self.env.company

    def _smsclub_channel(self, company, document):
        """SMS, Viber or Viber then SMS: the contact's preference (the order's
        customer for orders), else the company default."""
        partner = self.partner_id
        if document and document._name == "sale.order" and document.partner_id:
            partner = document.partner_id
        preference = partner.order_notify_channel or company.order_flow_default_channel
        if preference in ("viber", "viber_sms"):
            return preference
        return "sms"

    def _smsclub_register(self):
        """Give each SMS of an SMS Club company its lifecycle record."""
        vals_list = []
        companies = {}
        # sudo: sms.sms is created by Odoo's SMS machinery for any user
        for sms in self.sudo():
            key = (sms.mail_message_id.id, sms.partner_id.id)
            company = companies.get(key)
            if company is None:
                company = companies[key] = sms._smsclub_company()
            if not company.smsclub_enabled:
                continue
            message = sms.mail_message_id
            document = None
            if message.model and message.res_id and message.model in self.env:
                document = self.env[message.model].sudo().browse(message.res_id)
            vals_list.append(
                {
                    "sms_uuid": sms.uuid,
                    "company_id": company.id,
                    "partner_id": sms.partner_id.id
                    or (
                        document.partner_id.id
                        if document is not None and "partner_id" in document._fields
                        else False
                    ),
                    "order_id": document.id
                    if document is not None and document._name == "sale.order"
                    else False,
                    "mail_message_id": message.id,
                    "res_model": message.model or False,
                    "res_id": message.res_id or False,
                    "number": sms.number,
                    "body": sms.body,
                    "channel": sms._smsclub_channel(company, document),
                    "state": "queued" if sms.state == "outgoing" else "failed",
                    "failure_reason": False
                    if sms.state == "outgoing"
                    else company._smsclub_bad_number_text(sms.number),
                }
            )
        if not vals_list:
            return
        # sudo: the lifecycle records are written by the system only
        rows = self.env["sms.club.message"].sudo().create(vals_list)
        by_uuid = {row.sms_uuid: row for row in rows}
        for sms in self.sudo():
            if sms.uuid in by_uuid:
                sms.smsclub_message_id = by_uuid[sms.uuid]
        if any(row.state == "queued" for row in rows):
            self._smsclub_trigger_queue()

    @api.model
    def _smsclub_trigger_queue(self, at=None):
        """Run Odoo's SMS queue (the only sender of SMS Club messages) now or
        at ``at``."""
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
        if cron:
            # sudo: any user's message may start the queue; ir.cron is admin-only
            cron.sudo()._trigger(at=at)

    # ------------------------------------------------------------ sending
    @api.model
    def _process_queue(self, ids=None):
        cache = self.env.cr.cache
        previous = cache.get(RUNNER_KEY)
        cache[RUNNER_KEY] = uuid4().hex
        try:
            return super()._process_queue(ids=ids)
        finally:
            cache[RUNNER_KEY] = previous

    def _smsclub_runner_token(self):
        return self.env.cr.cache.get(RUNNER_KEY)

    def _split_batch(self):
        club = self.filtered("smsclub_message_id")
        others = self - club
        if others:
            yield from super(SmsSms, others)._split_batch()
        if not club:
            return
        if not self._smsclub_runner_token():
            # A user's transaction: SMS Club messages leave with the queue.
            self._smsclub_trigger_queue()
            return
        batch_size = int(
            self.env["ir.config_parameter"].sudo().get_param("sms.session.batch.size", 500)
        )
        for batch_ids in tools.split_every(batch_size, club.ids):
            yield batch_ids  # claim (Odoo's queue runner commits after it)
            yield batch_ids  # call SMS Club

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        club = self.filtered("smsclub_message_id")
        others = self - club
        if others:
            super(SmsSms, others)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        if club:
            token = self._smsclub_runner_token()
            if token:
                # sudo: the queue runner sends for every user
                club.sudo()._smsclub_send(token, unlink_sent=unlink_sent)
            else:
                self._smsclub_trigger_queue()
        return None

    def _smsclub_send(self, token, unlink_sent=True):
        to_claim = self.browse()
        to_call = self.browse()
        for sms in self:
            row = sms.smsclub_message_id
            if row.state == "sending" and row.claim_token == token:
                to_call |= sms
            elif sms.state == "outgoing" and row.state in ("queued", "failed", "unknown"):
                # queued, or a failed message a person chose to send again
                to_claim |= sms
            elif sms.state == "outgoing" and row.state in ("sent", "delivered", "checking"):
                # already accepted by SMS Club (e.g. set back to the queue by
                # hand): never sent twice
                sms.write({"state": "pending", "failure_type": False})
        if to_claim:
            to_claim._smsclub_claim(token)
        if to_call:
            to_call._smsclub_call(unlink_sent=unlink_sent)
        (to_claim | to_call).mail_message_id._notify_message_notification_update()

    def _smsclub_claim(self, token):
        """Save what is about to be sent before SMS Club is called: the
        number in SMS Club's format and the channel; a number that cannot be
        used fails its message only. Messages another job holds are left to
        it."""
        now = fields.Datetime.now()
        claimed = self.browse()
        locked = self.env["sms.club.message"]._smsclub_lock(self.smsclub_message_id)
        # One decision per company and sending job: both passes of a batch
        # agree, so a message held in the first is not claimed in the second.
        on_hold = self.env.cr.cache.setdefault("smsclub_on_hold", {})
        for sms in self:
            row = sms.smsclub_message_id
            if row not in locked or row.state not in ("queued", "failed", "unknown"):
                continue
            company = row.company_id
            if (token, company) not in on_hold:
                on_hold[token, company] = company._smsclub_sending_on_hold()
            if on_hold[token, company]:
                # Stays queued: sent at a later run of the queue, after a top-up.
                row.write({"state": "queued", "failure_reason": company._smsclub_hold_reason()})
                continue
            phone = company._smsclub_phone(sms.number, row.partner_id)
            if not phone:
                row._mark_failed(
                    company._smsclub_bad_number_text(sms.number), failure_type="sms_number_format"
                )
                continue
            channel = row.channel
            if channel != "sms" and not company.smsclub_viber_sender_id:
                channel = "sms" if channel == "viber_sms" else channel
            row.write(
                {
                    "state": "sending",
                    "phone": phone,
                    "body": sms.body,
                    "channel": channel,
                    "claim_token": token,
                    "claim_date": now,
                    "attempt_count": row.attempt_count + 1,
                    "failure_reason": False,
                }
            )
            claimed |= sms
        if any(held for (job, _company), held in on_hold.items() if job == token):
            self._smsclub_trigger_queue(at=now + timedelta(minutes=HOLD_RETRY_MINUTES))
        claimed.with_context(sms_skip_msg_notification=True).write({"state": "process"})
        claimed.sms_tracker_id.with_context(
            sms_skip_msg_notification=True
        )._action_update_from_sms_state("process")
        return claimed

    def _smsclub_call(self, unlink_sent=True):
        """Send the claimed messages: per company, SMS with one text for many
        numbers (``/sms/send``), SMS with their own text (``/v2/sms/send``),
        Viber with or without the SMS fallback (``/vibers/send``)."""
        for company, group in self.grouped(lambda s: s.smsclub_message_id.company_id).items():
            client = company._smsclub_client(raise_error=False)
            if client is None:
                group.smsclub_message_id._mark_failed(
                    company._smsclub_missing_token_text(), failure_type="sms_acc"
                )
                continue
            for records, call in group._smsclub_jobs(company, client):
                records._smsclub_apply(call(), company, unlink_sent)

    def _smsclub_jobs(self, company, client):
        """``[(records in call order, callable returning [SendResult])]``."""
        sender = company.smsclub_sms_sender_id.name
        viber_sender = company.smsclub_viber_sender_id.name
        jobs = []
        by_channel = self.grouped(lambda s: s.smsclub_message_id.channel)
        sms_group = by_channel.get("sms", self.browse())
        if sms_group and not sender:
            sms_group.smsclub_message_id._mark_failed(
                company._smsclub_missing_sender_text("sms"), failure_type="sms_acc"
            )
            sms_group = self.browse()
        singles = self.browse()
        for body, same in sms_group.grouped(lambda s: s.smsclub_message_id.body).items():
            if len(same) == 1:
                singles |= same
                continue
            phones = same.smsclub_message_id.mapped("phone")
            jobs.append((same, partial(client.send_sms, phones, body, sender)))
        if singles:
            items = [(s.smsclub_message_id.phone, s.smsclub_message_id.body) for s in singles]
            jobs.append((singles, partial(client.send_sms_each, items, sender)))
        for channel in ("viber", "viber_sms"):
            viber_group = by_channel.get(channel, self.browse())
            if not viber_group:
                continue
            if not viber_sender:
                viber_group.smsclub_message_id._mark_failed(
                    company._smsclub_missing_sender_text("viber"), failure_type="sms_acc"
                )
                continue
            fallback = channel == "viber_sms" and bool(sender)
            for body, same in viber_group.grouped(lambda s: s.smsclub_message_id.body).items():
                call = partial(
                    client.send_viber,
                    same.smsclub_message_id.mapped("phone"),
                    body,
                    viber_sender,
                    sms_sender=sender if fallback else None,
                    sms_message=body if fallback else None,
                    lifetime=company.smsclub_viber_lifetime,
                )
                jobs.append((same, call))
        return jobs

    def _smsclub_apply(self, results, company, unlink_sent):
        """Record SMS Club's answer on each message: accepted (with its id),
        refused with SMS Club's reason, waiting for a top-up, to be sent again
        by the queue (SMS Club surely did not get it), or of unknown outcome:
        looked up by its id when SMS Club gave one, else handed to a person
        (never resent blindly)."""
        pending = defaultdict(deque)
        for sms in self:
            pending[sms.smsclub_message_id.phone].append(sms)
        now = fields.Datetime.now()
        sent = self.browse()
        retry = out_of_money = False
        for result in results:
            for phone in result.phones:
                if not pending[phone]:
                    continue
                sms = pending[phone].popleft()
                row = sms.smsclub_message_id
                outcome, detail = result.outcome_for(phone)
                if outcome == "accepted":
                    row._smsclub_accepted(detail)
                    sent |= sms
                elif outcome == "no_money":
                    out_of_money = True
                    error = result.error or SmsClubError(KIND_NO_MONEY, vendor_message=detail)
                    row._smsclub_requeue(company._smsclub_failure_text(error))
                    retry = True
                elif outcome == RETRY and row.create_date > now - timedelta(hours=RETRY_HOURS):
                    row._smsclub_requeue(company._smsclub_failure_text(result.error))
                    retry = True
                elif outcome == UNKNOWN:
                    row._smsclub_uncertain(company._smsclub_failure_text(result.error), detail)
                else:
                    error = result.error
                    text = company._smsclub_failure_text(
                        error,
                        detail,
                        phone_refused=True,
                        gave_up=RETRY_HOURS if outcome == RETRY else None,
                    )
                    row._mark_failed(
                        text, failure_type="sms_acc" if error and error.is_auth else "unknown"
                    )
        if out_of_money:
            company._smsclub_out_of_money()
        if sent:
            sent._smsclub_set_sent(unlink_sent)
        if retry:
            self._smsclub_trigger_queue(at=now + timedelta(minutes=RETRY_MINUTES))
        _logger.info("SMS Club: %s messages sent, %s not sent", len(sent), len(self) - len(sent))

    def _smsclub_set_sent(self, unlink_sent=True):
        """SMS Club has these messages: Odoo's SMS is done (pending its
        delivery report), its chatter notification too."""
        values = {"state": "pending", "failure_type": False}
        if unlink_sent:
            values["to_delete"] = True
        self.with_context(sms_skip_msg_notification=True).write(values)
        self.sms_tracker_id.with_context(
            sms_skip_msg_notification=True
        )._action_update_from_sms_state("pending")
