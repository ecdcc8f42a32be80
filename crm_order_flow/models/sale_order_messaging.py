"""Customer messages of the order: the order flow's one path to the customer.

Every message to a customer about an order, of this addon or of any other,
goes through this path, which chooses the medium after the customer's channel
(Viber then SMS, SMS, e-mail, or "No messages": nothing is sent), holds the
message until the company's sending window opens, and records it in the
order's message log (``sale.order.customer.message``, with the rule "once per
order, template and status visit" for templates).

For another addon:

- send a message from its own template (an ``sms.template`` and/or a
  ``mail.template`` of ``sale.order``): ``order._order_flow_send_customer_message(template)``
  (``automation=`` the rule sending it, if any); call it once per template,
  e.g. the SMS one and the e-mail one: only the one matching the customer's
  medium goes out, and a customer nothing reaches is reported on the order.
  Returns the message log entries created;
- add a placeholder (e.g. the public link of a fiscal receipt): give
  ``sale.order`` a field for it (its string is the label authors see) and
  extend ``_order_flow_message_placeholders`` with ``super()``; add its
  sample value to ``_order_flow_sample_message_values`` for the template
  preview. The placeholder is then allowed in templates written by
  non-administrators (rendered by substitution, nothing evaluated, see
  ``mail_render_mixin.py``), listed in the template editors' help and
  filled when the message is sent;
- a message about no order (e.g. a campaign to a customer) follows the same
  channel choice with ``res.partner._order_flow_mediums_for(company)`` and the
  same window with ``res.company._order_flow_next_send_time()``;
- a text written by a person goes out with ``_order_flow_send_manual_message``;
  ``_order_flow_post_message`` is the low-level step both use (no channel
  choice, window or log of its own): do not call it directly.
"""

import logging
from datetime import timedelta

import pytz
from werkzeug.urls import url_encode

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date, plaintext2html

from ..tools import error_text, journal_note

_logger = logging.getLogger(__name__)


# The placeholders of this addon's customer message templates, each a field
# of the order (``_order_flow_message_placeholders`` is the full list, which
# other addons extend).
MESSAGE_PLACEHOLDERS = (
    "customer_first_name",
    "name",
    "amount_due_text",
    "amount_total_text",
    "delivery_tracking_ref",
    "delivery_point_name",
    "delivery_point_address",
    "delivery_storage_until_text",
    "payment_url",
    "promo_line",
    "store_name",
    "customer_lang",
    "message_email_from",
)


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "order.flow.placeholder.mixin"]

    # ------------------------------------------------- message placeholders
    customer_first_name = fields.Char(
        string="Customer's first name", compute="_compute_customer_first_name"
    )
    amount_due_text = fields.Char(
        string="Amount due, with currency", compute="_compute_message_texts"
    )
    amount_total_text = fields.Char(
        string="Order total, with currency", compute="_compute_message_texts"
    )
    delivery_storage_until_text = fields.Char(
        string="Last free storage day", compute="_compute_message_texts"
    )
    payment_url = fields.Char(string="Payment link", compute="_compute_payment_url")
    promo_line = fields.Char(related="company_id.order_flow_promo_line")
    store_name = fields.Char(related="company_id.name", string="Store name")
    customer_lang = fields.Selection(related="partner_id.lang", string="Customer's language")
    message_email_from = fields.Char(
        string="Sender of customer emails",
        compute="_compute_message_email_from",
        help="The salesperson's email address, or the company's.",
    )
    customer_message_ids = fields.One2many(
        "sale.order.customer.message", "order_id", string="Customer messages", readonly=True
    )
    customer_message_count = fields.Integer(compute="_compute_customer_message_count")
    customer_contact_warning = fields.Char(
        string="Customer unreachable",
        compute="_compute_customer_contact_warning",
        help="Why no customer message can reach the customer of this order.",
    )

    @api.depends("partner_id.name")
    def _compute_customer_first_name(self):
        for order in self:
            partner = order.partner_id
            name = (partner.name or "").strip() if partner and not partner.is_company else ""
            order.customer_first_name = name.split()[0] if name else ""

    @api.depends("amount_due", "currency_id", "amount_total", "delivery_storage_until")
    @api.depends_context("lang")
    def _compute_message_texts(self):
        for order in self:
            currency = order.currency_id or order.company_id.currency_id
            order.amount_due_text = format_amount(order.env, order.amount_due, currency)
            order.amount_total_text = format_amount(order.env, order.amount_total, currency)
            order.delivery_storage_until_text = (
                format_date(order.env, order.delivery_storage_until)
                if order.delivery_storage_until
                else False
            )

    @api.depends("user_id.email_formatted", "company_id.email_formatted")
    def _compute_message_email_from(self):
        for order in self:
            order.message_email_from = (
                order.user_id.email_formatted or order.company_id.email_formatted or False
            )

    @api.model
    def _order_flow_message_placeholders(self):
        """The placeholders of customer message templates: the only order
        facts a template written by someone else than an administrator may
        show, each the name of a field of the order (its string is the label
        template authors see). Templates made of these alone are rendered by
        substitution, without evaluating any code (``mail_render_mixin.py``).

        Extension point: an addon adds its own with ``super()``, e.g.
        ``return super()._order_flow_message_placeholders() + ("fiscal_receipt_url",)``,
        and its sample value in ``_order_flow_sample_message_values``."""
        return MESSAGE_PLACEHOLDERS

    @api.model
    def _order_flow_sample_message_values(self):
        """The allowed placeholders' values for a fictional order of the
        current company, in the context's language: what the preview of a
        message template shows instead of a real order (people who edit the
        texts, such as Marketers, may not read the store's orders). Nothing
        is read from any order. An addon that adds a placeholder adds its
        sample value here with ``super()``; a placeholder without one shows
        empty in the preview."""
        company = self.env.company
        currency = self.env.ref("base.UAH", raise_if_not_found=False) or company.currency_id
        storage_until = fields.Date.context_today(self) + timedelta(days=5)
        return {
            "customer_first_name": _("Olena"),
            "name": "S00042",
            "amount_due_text": format_amount(self.env, 1250.0, currency),
            "amount_total_text": format_amount(self.env, 2450.0, currency),
            "delivery_tracking_ref": "20450123456789",
            "delivery_point_name": _("Branch No. 12"),
            "delivery_point_address": _("Kyiv, 24 Sadova Street"),
            "delivery_storage_until_text": format_date(self.env, storage_until),
            "payment_url": f"{self.get_base_url()}/order-flow/pay/42?access_token=SAMPLE",
            "promo_line": company.order_flow_promo_line
            or _("10% off your next order with the code SAMPLE10"),
            "store_name": company.name,
            "customer_lang": self.env.lang or "uk_UA",
            "message_email_from": company.email_formatted or _("Store <shop@example.com>"),
        }

    def _compute_payment_url(self):
        # The one-tap payment link (controllers/payment_link.py): the order's
        # own access token, as on Odoo's customer portal; nothing else.
        for order in self:
            if order.id and order.require_payment and order.state in ("draft", "sent", "sale"):
                # sudo: the token is created the first time a link is made,
                # whoever makes it (a rule's sender may not write the order).
                token = order.sudo()._portal_ensure_token()
                order.payment_url = f"{order.get_base_url()}/order-flow/pay/{order.id}?" + (
                    url_encode({"access_token": token})
                )
            else:
                order.payment_url = False

    def _compute_customer_message_count(self):
        # Roles without access to the message log (logistics, accounting)
        # still open the order form: they see no count (the button to the
        # log stays hidden) instead of an access error.
        if not self.env["sale.order.customer.message"].has_access("read"):
            self.customer_message_count = 0
            return
        counts = dict(
            self.env["sale.order.customer.message"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.customer_message_count = counts.get(order, 0)

    @api.depends(
        "partner_id.mobile",
        "partner_id.phone",
        "partner_id.email",
        "partner_id.order_notify_channel",
        "company_id.order_flow_default_channel",
    )
    def _compute_customer_contact_warning(self):
        for order in self:
            order.customer_contact_warning = order._order_flow_unreachable_text()

    # ------------------------------------------------------ customer messages
    def _order_flow_channel(self):
        """The customer's preferred channel, or the company's default."""
        self.ensure_one()
        if not self.partner_id:
            return self.company_id.order_flow_default_channel or "sms"
        return self.partner_id._order_flow_channel_for(self.company_id)

    def _order_flow_customer_phone(self):
        """The customer's mobile (or phone) when it is a valid number (see
        ``res.partner._order_flow_valid_phone``)."""
        self.ensure_one()
        return self.partner_id._order_flow_valid_phone() if self.partner_id else False

    def _order_flow_mediums(self):
        """How a customer message reaches the customer: 'sms' (Viber then
        SMS, or SMS), 'email', or nothing (``res.partner._order_flow_mediums_for``,
        the same choice for messages that are about no order)."""
        self.ensure_one()
        if not self.partner_id:
            return set()
        return self.partner_id._order_flow_mediums_for(self.company_id)

    def _order_flow_preferred_medium(self):
        """'sms', 'email' or False (no messages) after the customer's channel."""
        self.ensure_one()
        channel = self._order_flow_channel()
        if channel == "none":
            return False
        return "email" if channel == "email" else "sms"

    def _order_flow_unreachable_text(self):
        """Why no customer message reaches the customer of the order, or
        False when one does (or the customer wants none)."""
        self.ensure_one()
        if not self.partner_id or not self._order_flow_preferred_medium():
            return False
        if self._order_flow_mediums():
            return False
        partner = self.partner_id
        numbers = ", ".join(number for number in (partner.mobile, partner.phone) if number)
        if numbers:
            return _(
                "The customer's phone number (%(numbers)s) is not a valid number and the "
                "customer has no e-mail address: correct the number on the customer.",
                numbers=numbers,
            )
        return _(
            "The customer has neither a phone number nor an e-mail address: add the "
            "customer's mobile number."
        )

    def _order_flow_message_decision(
        self, template, occasion=None, at=None, visit=None, lock=False
    ):
        """What sending the customer ``template`` (an ``sms.template`` or a
        ``mail.template``) does for the order, decided without sending
        anything: the one decision of the rules' messages, used when a rule
        sends them (``_order_flow_send_customer_message``) and when an
        administrator tries a rule on past orders (the dry-run). Returns a
        dict: ``result`` 'send' (goes out now), 'held' (waits for the
        sending window, until ``send_at``) or 'skip' with its ``reason``
        (``report``: the customer is unreachable, said on the order;
        ``quiet``: the customer gets the rule's other medium), and the
        ``medium``, ``template_ref`` and status ``visit``.

        ``at``: the time it is decided for (now by default); ``visit``: the
        status visit (the current one by default); ``lock``: serialise
        concurrent runs of rules on the order first (a real send)."""
        self.ensure_one()
        medium = "sms" if template._name == "sms.template" else "email"
        template_ref = f"{template._name},{template.id}"
        if occasion:
            template_ref = f"{template_ref}:{occasion}"
        decision = {"medium": medium, "template_ref": template_ref, "visit": visit}
        mediums = self._order_flow_mediums()
        if medium not in mediums:
            preferred = self._order_flow_preferred_medium()
            if not preferred:
                reason = _("The customer does not want messages (channel “No messages”).")
                return dict(decision, result="skip", reason=reason)
            if mediums or preferred != medium:
                reason = _("The customer gets the messages of this rule by another medium.")
                return dict(decision, result="skip", reason=reason, quiet=True)
            # Nothing reaches the customer: said once per rule, on the medium
            # the customer prefers.
            reason = self._order_flow_unreachable_text() or _("The order has no customer.")
            return dict(decision, result="skip", reason=reason, report=True)
        if lock:
            # Serialise concurrent runs of rules on the same order, then look
            # for the same message in this visit or still waiting to go out.
            self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [self.id])
        visit = visit if visit is not None else self._order_flow_current_visit()
        decision["visit"] = visit
        # sudo: the message log is the rules' memory, whoever changed the order.
        if (
            self.env["sale.order.customer.message"]
            .sudo()
            .search_count(
                [
                    ("order_id", "=", self.id),
                    ("template_ref", "=", template_ref),
                    "|",
                    ("visit_id", "=", visit.id),
                    ("scheduled_date", ">", at or fields.Datetime.now()),
                ],
                limit=1,
            )
        ):
            reason = _("Already sent in this status visit.")
            return dict(decision, result="skip", reason=reason)
        send_at = self.company_id._order_flow_next_send_time(now=at)
        return dict(decision, result="held" if send_at else "send", send_at=send_at)

    def _order_flow_send_customer_message(self, template, automation=None, occasion=None):
        """Send the customer ``template`` (an ``sms.template`` or a
        ``mail.template`` of sale.order) through Odoo's messaging, following
        the customer's channel, the company's sending window and the rule
        “once per order, template and status visit”. Returns the log entries
        of the messages actually created. The entry point for the customer
        messages of every addon (see the module's docstring).

        ``occasion`` names what the message is about when one template may
        rightly go out several times in one status visit, one per occasion
        (``"fiscal.receipt,42"``: the link of each fiscal receipt); the
        “once” rule then holds per occasion."""
        Log = self.env["sale.order.customer.message"].sudo()
        logs = Log.browse()
        for order in self:
            decision = order._order_flow_message_decision(template, occasion=occasion, lock=True)
            if decision["result"] == "skip":
                if decision.get("report"):
                    # Nothing reaches the customer: say so once per rule, on
                    # the medium the customer prefers.
                    order._order_flow_report_unsent_message(template, decision["reason"])
                journal_note(
                    order.id,
                    "skipped",
                    reason=decision["reason"],
                    quiet=decision.get("quiet", False),
                )
                continue
            medium, send_at = decision["medium"], decision.get("send_at")
            try:
                with self.env.cr.savepoint():
                    # sudo: the message is the rule's work, whoever changed the
                    # order. A template is rendered as superuser only when it
                    # holds nothing but the allowed placeholders (see
                    # mail_render_mixin.py).
                    message = order.sudo()._order_flow_post_message(
                        medium, template=template.sudo(), scheduled_date=send_at
                    )
            except (UserError, AccessError) as error:
                order._order_flow_report_unsent_message(template, error)
                journal_note(order.id, "skipped", reason=error_text(error))
                continue
            log = Log.create(
                {
                    "order_id": order.id,
                    "visit_id": decision["visit"].id,
                    "stage_id": order.stage_id.id,
                    "template_ref": decision["template_ref"],
                    "template_name": template.name,
                    "medium": medium,
                    "channel": order._order_flow_channel(),
                    "message_id": message[:1].id,
                    "scheduled_date": send_at or False,
                    "automation_id": automation.id if automation else False,
                }
            )
            logs |= log
            journal_note(
                order.id,
                "done",
                detail=order._order_flow_message_detail(template, medium, send_at),
                message_id=message[:1].id,
                customer_message_id=log.id,
            )
        return logs

    def _order_flow_message_detail(self, template, medium, send_at):
        """What a rule's message did, in words, for the automation journal."""
        label = _("SMS") if medium == "sms" else _("Email")
        if send_at:
            tz = pytz.timezone(self.company_id.order_flow_window_tz or "Europe/Kyiv")
            local = pytz.utc.localize(send_at).astimezone(tz)
            return _(
                "%(medium)s “%(template)s”, outside the sending window: goes out at %(time)s",
                medium=label,
                template=template.sudo().name,
                time=local.strftime("%d.%m.%Y %H:%M"),
            )
        return _("%(medium)s “%(template)s”", medium=label, template=template.sudo().name)

    def _order_flow_post_message(
        self, medium, template=None, body=None, subject=None, scheduled_date=None
    ):
        """The order flow's one way to the customer of the order: ``template``
        (an ``sms.template`` or ``mail.template``) or the ready ``body``,
        through Odoo's SMS queue for 'sms' (the SMS provider then chooses
        Viber or SMS after the customer's preference) or as an e-mail in the
        chatter for 'email'. Returns the chatter message."""
        self.ensure_one()
        kwargs = {}
        if scheduled_date:
            kwargs["scheduled_date"] = fields.Datetime.to_string(scheduled_date)
        if medium == "sms":
            if template:
                return self._message_sms_with_template(
                    template=template, partner_ids=self.partner_id.ids, put_in_queue=True, **kwargs
                )
            return self._message_sms(
                body, partner_ids=self.partner_id.ids, put_in_queue=True, **kwargs
            )
        if template:
            return self.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment", **kwargs
            )
        return self.message_post(
            body=plaintext2html(body),
            subject=subject,
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **kwargs,
        )

    def _order_flow_render_text(self, text):
        """A person's text for the customer with its placeholders filled from
        the order, by plain substitution (as a template of a non-administrator:
        the allowed placeholders only, whoever writes)."""
        self.ensure_one()
        Render = self.env["mail.render.mixin"]
        if Render._has_unsafe_expression_template_inline_template(text, self._name):
            raise UserError(
                _(
                    "The message may contain only these placeholders: %(placeholders)s.",
                    placeholders=self._order_flow_placeholder_labels(),
                )
            )
        return Render._render_template(text, self._name, self.ids)[self.id]

    def _order_flow_refusal_text(self):
        """Why a message written on the order cannot reach its customer, or
        False when it can."""
        self.ensure_one()
        if not self.partner_id:
            return _("The order has no customer: choose the customer first.")
        if not self._order_flow_preferred_medium():
            return _(
                "The customer does not want messages (“Order messages by”: “No messages” on the "
                "customer): nothing was sent. Call the customer instead, or change the "
                "customer's choice if the customer asked for messages."
            )
        return self._order_flow_unreachable_text() or False

    def _order_flow_send_manual_message(self, text):
        """Send the customer of the order a text written by the current user
        (placeholders allowed), by the customer's channel and the company's
        sending window, in the order's chatter and message log. Returns the
        log entry."""
        self.ensure_one()
        # Writing to the customer is writing the order's chatter.
        self.check_access("write")
        if not (text or "").strip():
            raise UserError(_("Write the text of the message."))
        refusal = self._order_flow_refusal_text()
        if refusal:
            raise UserError(refusal)
        medium = "sms" if "sms" in self._order_flow_mediums() else "email"
        body = self._order_flow_render_text(text)
        send_at = self.company_id._order_flow_next_send_time()
        message = self._order_flow_post_message(
            medium,
            body=body,
            subject=_("Order %(order)s", order=self.name),
            scheduled_date=send_at,
        )
        # sudo: the log is the system's record of what was sent, by whom.
        return (
            self.env["sale.order.customer.message"]
            .sudo()
            .create(
                {
                    "order_id": self.id,
                    "kind": "manual",
                    "author_id": self.env.user.id,
                    "visit_id": self._order_flow_current_visit().id,
                    "stage_id": self.stage_id.id,
                    "medium": medium,
                    "channel": self._order_flow_channel(),
                    "message_id": message[:1].id,
                    "scheduled_date": send_at or False,
                }
            )
            .sudo(False)
        )

    def action_order_flow_message_customer(self):
        """Button: write the customer a message from the order (the roles
        that answer customers: the rights on the wizard say which)."""
        self.ensure_one()
        self.check_access("write")
        self.env["sale.order.customer.message.compose"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": _("Message the customer"),
            "res_model": "sale.order.customer.message.compose",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _order_flow_report_unsent_message(self, template, error):
        """A customer message could not be made from its template (refused
        template, rights, no usable phone or e-mail): say so on the order and
        tell the salesperson."""
        self.ensure_one()
        reason = error if isinstance(error, str) else error_text(error)
        _logger.info("Customer message %s of %s not sent: %s", template.id, self.name, reason)
        body = _(
            "The customer message “%(template)s” was not sent: %(reason)s",
            template=template.sudo().name,
            reason=reason,
        )
        self.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        self._order_flow_salesperson_activity(
            "mail.mail_activity_data_todo", _("Customer message not sent"), note=body
        )

    def action_view_customer_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_order_flow.sale_order_customer_message_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action
