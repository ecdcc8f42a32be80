import logging
from collections import defaultdict, deque
from datetime import timedelta
from functools import partial
from uuid import uuid4

from odoo import _, api, fields, models, tools

from odoo.addons.access_roles.tools.credentials import redact

from ..smsclub import normalize_phone

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# While the balance is too low, the queue looks again this often (minutes).
HOLD_RETRY_MINUTES = 15


class SmsSms(models.Model):
    """SMS Club plugs in under Odoo's own SMS queue: ``sms.sms`` records of
    companies that use SMS Club get an ``sms.club.message`` when created and
    are sent by :meth:`_smsclub_send` instead of IAP; the others keep Odoo's
    default. Templates, the "Send SMS" server action, the composer and the
    chatter all create ``sms.sms`` records, so they need no change.

    Idempotence: Odoo's ``send`` runs ``_send`` per batch and, in its queue
    runner, commits after each batch. SMS Club batches are yielded twice by
    :meth:`_split_batch`: the first pass only claims the messages ("sending",
    with the number and channel about to be used) and Odoo commits; the
    second pass calls SMS Club and records its answer. A job interrupted in
    the second pass leaves "sending" messages that are never sent again (the
    poller marks them "outcome unknown" after a few minutes)."""

    _inherit = "sms.sms"

    smsclub_message_id = fields.Many2one(
        "sms.club.message", string="SMS Club message", index="btree_not_null", readonly=True
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

    def _smsclub_bad_number_reason(self):
        self.ensure_one()
        if not self.number:
            return _("The contact has no phone number.")
        return _(
            "Wrong number format: “%(number)s” is not a valid phone number "
            "(SMS Club needs 380XXXXXXXXX).",
            number=self.number,
        )

    def _smsclub_register(self):
        """Give each SMS of an SMS Club company its lifecycle record."""
        vals_list = []
        companies = {}
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
                    else sms._smsclub_bad_number_reason(),
                }
            )
        if not vals_list:
            return
        rows = self.env["sms.club.message"].sudo().create(vals_list)
        by_uuid = {row.sms_uuid: row for row in rows}
        for sms in self.sudo():
            if sms.uuid in by_uuid:
                sms.smsclub_message_id = by_uuid[sms.uuid]
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
        if cron and any(row.state == "queued" for row in rows):
            cron.sudo()._trigger()

    # ------------------------------------------------------------ sending
    def send(self, unlink_failed=False, unlink_sent=True, auto_commit=False, raise_exception=False):
        # One token per sending job: the second pass of a batch calls SMS Club
        # only for the messages this job claimed.
        if not self.env.context.get("smsclub_send_token"):
            self = self.with_context(smsclub_send_token=uuid4().hex)
        return super().send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )

    def _split_batch(self):
        club = self.filtered("smsclub_message_id")
        others = self - club
        if others:
            yield from super(SmsSms, others)._split_batch()
        if club:
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
            club.sudo()._smsclub_send(unlink_failed=unlink_failed, unlink_sent=unlink_sent)
        return None

    def _smsclub_send(self, unlink_failed=False, unlink_sent=True):
        token = self.env.context.get("smsclub_send_token")
        to_claim = self.browse()
        to_call = self.browse()
        for sms in self:
            row = sms.smsclub_message_id
            if row.state == "sending" and token and row.claim_token == token:
                to_call |= sms
            elif sms.state == "outgoing" and row.state in ("queued", "failed", "unknown"):
                # queued, or a failed message a person chose to resend
                to_claim |= sms
            elif sms.state == "outgoing" and row.state in ("sent", "delivered"):
                # already accepted by SMS Club (e.g. set back to the queue by
                # hand): never sent twice
                sms.write({"state": "pending", "failure_type": False})
        if to_claim:
            claimed = to_claim._smsclub_claim(token)
            if not token:
                to_call |= claimed  # called outside ``send``: claim and call at once
        if to_call:
            to_call._smsclub_call(unlink_failed=unlink_failed, unlink_sent=unlink_sent)
        (to_claim | to_call).mail_message_id._notify_message_notification_update()

    def _smsclub_claim(self, token):
        """Save what is about to be sent before SMS Club is called: the
        number in SMS Club's format and the channel; a number that cannot be
        used fails its message only."""
        now = fields.Datetime.now()
        claimed = self.browse()
        # One decision per company and sending job: both passes of a batch
        # agree, so a message held in the first is not claimed in the second.
        on_hold = self.env.cr.cache.setdefault("smsclub_on_hold", {}) if token else {}
        for sms in self:
            row = sms.smsclub_message_id
            company = row.company_id
            if (token, company) not in on_hold:
                on_hold[token, company] = company.sudo()._smsclub_sending_on_hold()
            if on_hold[token, company]:
                # Stays queued: sent at a later run of the queue, after a top-up.
                row.failure_reason = _(
                    "Waiting for a top-up: the SMS Club balance (%(amount).2f) is below "
                    "%(minimum).2f.",
                    amount=company.smsclub_balance,
                    minimum=company.smsclub_min_balance,
                )
                continue
            phone = normalize_phone(sms.number, sms.partner_id.country_id.code or "UA")
            if not phone:
                row._mark_failed(sms._smsclub_bad_number_reason(), failure_type="sms_number_format")
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
                    "claim_token": token or uuid4().hex,
                    "claim_date": now,
                    "attempt_count": row.attempt_count + 1,
                    "failure_reason": False,
                }
            )
            claimed |= sms
        if any(held for (job, _company), held in on_hold.items() if job == token):
            cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger(at=now + timedelta(minutes=HOLD_RETRY_MINUTES))
        claimed.with_context(sms_skip_msg_notification=True).write({"state": "process"})
        claimed.sms_tracker_id.with_context(
            sms_skip_msg_notification=True
        )._action_update_from_sms_state("process")
        return claimed

    def _smsclub_call(self, unlink_failed=False, unlink_sent=True):
        """Send the claimed messages: per company, SMS with one text for many
        numbers (``/sms/send``), SMS with their own text (``/v2/sms/send``),
        Viber with or without the SMS fallback (``/vibers/send``)."""
        for company, group in self.grouped(lambda s: s.smsclub_message_id.company_id).items():
            try:
                client = company._smsclub_client()
            except Exception as error:  # noqa: BLE001 - no token: fail these messages
                group.smsclub_message_id._mark_failed(str(error), failure_type="sms_acc")
                continue
            sender = company.smsclub_sms_sender_id.name
            viber_sender = company.smsclub_viber_sender_id.name
            jobs = []  # (records in call order, callable returning [SendResult])
            by_channel = group.grouped(lambda s: s.smsclub_message_id.channel)
            sms_group = by_channel.get("sms", self.browse())
            if sms_group and not sender:
                sms_group.smsclub_message_id._mark_failed(
                    _("Choose the SMS alpha name of SMS Club in the settings."),
                    failure_type="sms_acc",
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
                        _("Choose the Viber sender of SMS Club in the settings."),
                        failure_type="sms_acc",
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
            for records, call in jobs:
                records._smsclub_apply(call(), client, unlink_failed, unlink_sent)

    def _smsclub_apply(self, results, client, unlink_failed, unlink_sent):
        """Record SMS Club's answer on each message: accepted (with its id),
        refused with the reason, to be tried again (429, no connection), or
        of unknown outcome (timeout, broken answer: never resent blindly)."""
        pending = defaultdict(deque)
        for sms in self:
            pending[sms.smsclub_message_id.phone].append(sms)
        now = fields.Datetime.now()
        sent = self.browse()
        out_of_money = self.env["res.company"]
        retry = False
        for result in results:
            for phone in result.phones:
                if not pending[phone]:
                    continue
                sms = pending[phone].popleft()
                row = sms.smsclub_message_id
                error = result.error
                if error is None and phone in result.accepted:
                    provider_id = result.accepted[phone]
                    row.write(
                        {
                            "state": "sent",
                            "provider_id": provider_id,
                            "provider_status": "ENROUTE",
                            "sent_date": now,
                            "claim_token": False,
                        }
                    )
                    sms.sms_tracker_id.write({"smsclub_id": provider_id})
                    sent |= sms
                    continue
                reason = redact(result.reason_for(phone), client.token)
                if error is not None and error.no_money:
                    # Nothing was sent: the message waits for a top-up.
                    out_of_money |= row.company_id
                    row.write({"state": "queued", "claim_token": False, "failure_reason": reason})
                    sms.write({"state": "outgoing"})
                    retry = True
                elif error is not None and error.retry_later and row.attempt_count < MAX_ATTEMPTS:
                    row.write({"state": "queued", "claim_token": False, "failure_reason": reason})
                    sms.write({"state": "outgoing"})
                    retry = True
                elif error is not None and error.uncertain:
                    row._mark_failed(
                        _(
                            "Outcome unknown: %(reason)s Check the message in the SMS Club "
                            "cabinet; it is not sent again automatically.",
                            reason=reason,
                        ),
                        state="unknown",
                        failure_type="sms_server",
                    )
                else:
                    failure_type = "unknown"
                    if error is not None and error.is_auth:
                        failure_type = "sms_acc"
                    row._mark_failed(
                        _("SMS Club: %(reason)s", reason=reason), failure_type=failure_type
                    )
                    if unlink_failed:
                        sms.to_delete = True
        for company in out_of_money:
            company._smsclub_out_of_money()
        if sent:
            values = {"state": "pending", "failure_type": False}
            if unlink_sent:
                values["to_delete"] = True
            sent.with_context(sms_skip_msg_notification=True).write(values)
            sent.sms_tracker_id.with_context(
                sms_skip_msg_notification=True
            )._action_update_from_sms_state("pending")
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
        if retry and cron:
            cron.sudo()._trigger(at=now + timedelta(minutes=1))
        _logger.info("SMS Club: %s messages sent, %s not sent", len(sent), len(self) - len(sent))
