"""The reminder chain of an abandoned cart, one record per cart: what was
sent when, why it stopped, whether the customer ordered (the results screen
reads these). Every field is set by the system alone."""

import logging
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

# Orders of the customer that count as placed (checkout done).
PLACED_STATES = ("sent", "sale")
API_GROUP = "website_sale_cart_recovery.group_cart_recovery_api"
MAX_API_LINES = 100
# The keys of the caller's context api_create_cart keeps.
API_CONTEXT_KEYS = ("lang", "tz", "allowed_company_ids")


class SaleCartRecovery(models.Model):
    _name = "sale.cart.recovery"
    _description = "Abandoned Cart Reminders"
    _order = "abandoned_date desc, id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "sale.order",
        string="Cart",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        system_only=True,
        copy=False,
    )
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, string="Company"
    )
    website_id = fields.Many2one(related="order_id.website_id", store=True, string="Website")
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, system_only=True, copy=False
    )
    source = fields.Selection(
        [("website", "This website"), ("external", "External site")],
        default="website",
        required=True,
        readonly=True,
        system_only=True,
        copy=False,
    )
    external_id = fields.Char(
        string="External cart ID", readonly=True, index=True, system_only=True, copy=False
    )
    cart_date = fields.Datetime(
        string="Cart last changed", readonly=True, required=True, system_only=True, copy=False
    )
    abandoned_date = fields.Datetime(
        string="Abandoned on",
        readonly=True,
        required=True,
        index=True,
        system_only=True,
        copy=False,
    )
    next_date = fields.Datetime(
        string="Next reminder check",
        readonly=True,
        index=True,
        system_only=True,
        copy=False,
        help="When the scheduled action looks at the chain again.",
    )
    step = fields.Integer(
        string="Reminders sent (step)",
        readonly=True,
        system_only=True,
        copy=False,
        help="The last step of the chain that went out (0: none yet).",
    )
    step1_date = fields.Datetime(string="Step 1 sent", readonly=True, system_only=True, copy=False)
    step2_date = fields.Datetime(string="Step 2 sent", readonly=True, system_only=True, copy=False)
    step3_date = fields.Datetime(string="Step 3 sent", readonly=True, system_only=True, copy=False)
    message_count = fields.Integer(
        string="Messages sent",
        readonly=True,
        system_only=True,
        copy=False,
        help="Messages queued to the customer by the chain (SMS/Viber and e-mail).",
    )
    state = fields.Selection(
        [
            ("open", "Reminding"),
            ("recovered", "Recovered"),
            ("stopped", "Stopped"),
            ("done", "Chain finished"),
        ],
        string="Status",
        default="open",
        required=True,
        readonly=True,
        index=True,
        system_only=True,
        copy=False,
    )
    stop_reason = fields.Selection(
        [
            ("ordered", "Customer ordered"),
            ("other_order", "Customer placed another order"),
            ("opt_out", "Customer opted out of messages"),
            ("cancelled", "Cart cancelled or emptied"),
        ],
        readonly=True,
        system_only=True,
        copy=False,
    )
    recovered = fields.Boolean(readonly=True, system_only=True, copy=False, index=True)
    recovered_count = fields.Integer(
        string="Recovered carts",
        readonly=True,
        system_only=True,
        copy=False,
        help="1 when the customer ordered after a reminder (for sums in the report).",
    )
    recovered_step = fields.Integer(
        string="Recovered after step", readonly=True, system_only=True, copy=False
    )
    recovered_date = fields.Datetime(readonly=True, system_only=True, copy=False)
    recovered_order_id = fields.Many2one(
        "sale.order",
        string="Placed order",
        readonly=True,
        system_only=True,
        copy=False,
        ondelete="set null",
    )
    recovered_amount = fields.Monetary(
        string="Recovered revenue", readonly=True, system_only=True, copy=False
    )

    _sql_constraints = [
        ("order_uniq", "unique(order_id)", "A cart has one reminder chain."),
        (
            "external_uniq",
            "unique(company_id, external_id)",
            "An external cart ID is used once per company.",
        ),
    ]

    # ------------------------------------------------------------ detection
    @api.model
    def _abandoned_carts_domain(self):
        """Carts abandoned after the website's delay (Odoo's own rule:
        ``is_abandoned_cart``) whose customer left a phone or an e-mail."""
        return [
            ("is_abandoned_cart", "=", True),
            ("cart_recovery_ids", "=", False),
            "|",
            "|",
            ("partner_id.mobile", "!=", False),
            ("partner_id.phone", "!=", False),
            ("partner_id.email", "!=", False),
        ]

    @api.model
    def _cart_vals(self, order, source="website", external_id=False):
        delay = order.website_id.cart_abandoned_delay or 1.0
        cart_date = order.date_order or order.create_date or fields.Datetime.now()
        return {
            "order_id": order.id,
            "partner_id": order.partner_id.id,
            "source": source,
            "external_id": external_id or False,
            "cart_date": cart_date,
            "abandoned_date": cart_date + timedelta(hours=delay),
            "next_date": cart_date + timedelta(hours=delay),
        }

    @api.model
    def _detect_abandoned_carts(self, limit=200):
        orders = self.env["sale.order"].search(self._abandoned_carts_domain(), limit=limit)
        created = self.browse()
        for order in orders:
            try:
                with self.env.cr.savepoint():
                    created |= self.create(self._cart_vals(order))
            except Exception:  # noqa: BLE001 - one bad cart never stops the others
                _logger.exception("Cart %s: reminder chain not started", order.id)
        return created

    # ------------------------------------------------------------ the chain
    @api.model
    def _cron_process_carts(self, limit=200):
        """Scheduled action: start the chain of newly abandoned carts, then
        send the reminders that are due, each cart in its own savepoint and
        under a row lock, re-checking it first (a cart ordered or opted out
        in the meantime gets nothing)."""
        self = self.sudo()  # sudo: the scheduler's own work, whoever runs it
        self._detect_abandoned_carts(limit=limit)
        now = fields.Datetime.now()
        recoveries = self.search(
            [("state", "=", "open"), ("next_date", "<=", now)], order="next_date, id", limit=limit
        )
        steps = self.env["sale.cart.recovery.step"]._chain()
        for recovery in recoveries:
            try:
                with self.env.cr.savepoint():
                    self.env.cr.execute(
                        "SELECT id FROM sale_cart_recovery WHERE id = %s FOR UPDATE NOWAIT",
                        [recovery.id],
                    )
                    recovery.invalidate_recordset()
                    recovery._process_step(steps, now)
            except OperationalError:
                _logger.info("Cart %s: reminder already being sent", recovery.order_id.id)
            except Exception:  # noqa: BLE001 - one bad cart never stops the others
                _logger.exception("Cart %s: reminder not sent", recovery.order_id.id)

    def _process_step(self, steps, now):
        """Send the next reminder of the chain if it is due (idempotent: the
        step is saved with the messages; a retry finds it sent)."""
        self.ensure_one()
        if self.state != "open" or self._check_stop():
            return False
        if self.step >= len(steps):
            self.write({"state": "done"})
            return False
        step = steps[self.step]
        due = max(self.abandoned_date, self.cart_date + timedelta(hours=step.delay_hours))
        if now < due:
            self.write({"next_date": due})
            return False
        order = self.order_id
        number = self.step + 1
        occasion = f"cart_recovery:{self.id}:{number}"
        logs = self.env["sale.order.customer.message"]
        for template in (step.sms_template_id, step.mail_template_id):
            if template:
                logs |= order._order_flow_send_customer_message(template, occasion=occasion)
        vals = {"step": number, "message_count": self.message_count + len(logs)}
        if number <= 3:
            vals[f"step{number}_date"] = now
        if number >= len(steps):
            vals.update(state="done", next_date=False)
        else:
            following = steps[number]
            vals["next_date"] = max(now, self.cart_date + timedelta(hours=following.delay_hours))
        self.write(vals)
        return logs

    def _check_stop(self):
        """Stop the chains whose customer ordered or opted out; returns
        whether every chain of ``self`` is stopped."""
        for recovery in self.filtered(lambda rec: rec.state in ("open", "done")):
            order = recovery.order_id
            if order.state in PLACED_STATES:
                recovery._stop("ordered", order)
                continue
            other = recovery._other_placed_order()
            if other:
                recovery._stop("other_order", other)
                continue
            if recovery.state != "open":
                continue
            if order.state == "cancel" or not order.order_line:
                recovery._stop("cancelled")
            elif recovery._customer_opted_out():
                recovery._stop("opt_out")
        return all(recovery.state != "open" for recovery in self)

    def _other_placed_order(self):
        """An order the same customer (contact, phone or e-mail) placed
        after the cart was made."""
        self.ensure_one()
        order = self.order_id
        partner = order.partner_id
        if not partner or partner == order.website_id.user_id.partner_id:
            return self.env["sale.order"]
        customer = [("partner_id.commercial_partner_id", "=", partner.commercial_partner_id.id)]
        for fname in ("phone_sanitized", "email_normalized"):
            if partner[fname]:
                customer = ["|", (f"partner_id.{fname}", "=", partner[fname])] + customer
        return self.env["sale.order"].search(
            [
                ("id", "!=", order.id),
                ("state", "in", PLACED_STATES),
                ("date_order", ">=", order.create_date),
            ]
            + customer,
            order="date_order",
            limit=1,
        )

    def _customer_opted_out(self):
        """Odoo's own opt-outs: the customer's e-mail or phone in the
        blacklist, or "No messages" as the customer's order message channel."""
        self.ensure_one()
        partner = self.order_id.partner_id
        # The blacklists change outside the partner: read them afresh.
        partner.invalidate_recordset(["is_blacklisted", "phone_sanitized_blacklisted"])
        return bool(
            partner.is_blacklisted
            or partner.phone_sanitized_blacklisted
            or partner.order_notify_channel == "none"
        )

    def _stop(self, reason, placed_order=None):
        self.ensure_one()
        vals = {"state": "stopped", "stop_reason": reason}
        if placed_order and self.step:
            vals.update(
                state="recovered",
                recovered=True,
                recovered_count=1,
                recovered_step=self.step,
                recovered_date=fields.Datetime.now(),
                recovered_order_id=placed_order.id,
                # in the company's currency: the results add carts up
                recovered_amount=placed_order.currency_id._convert(
                    placed_order.amount_total,
                    self.company_id.currency_id,
                    placed_order.company_id,
                    fields.Date.context_today(self),
                ),
            )
        elif placed_order:
            vals["recovered_order_id"] = placed_order.id
        self.write(vals)

    # ----------------------------------------------- carts of another site
    @api.model
    def api_create_cart(self, values):
        """JSON-RPC: a cart left on the store's other site, so that the
        reminder chain works for it too (see readme/USAGE.md). For the users
        of the group "Cart recovery: external carts (API)" only.

        ``values``: ``phone`` and/or ``email``, ``name``, ``lines`` (a list
        of ``{"default_code": …}`` or ``{"product_id": …}`` with ``qty``),
        optional ``external_id`` (the same ID again returns the same cart).
        Returns ``{"cart_id", "order_id", "created"}``: the link that restores
        the cart opens it with the customer's saved contact details, so it
        reaches the customer through the reminders only, never the caller."""
        if not self.env.user.has_group(API_GROUP):
            raise AccessError(
                _(
                    "Only the users of the group “Cart recovery: external carts (API)” "
                    "may send carts."
                )
            )
        if not isinstance(values, dict):
            raise UserError(_("Send the cart as an object with its fields."))
        # What is recorded comes from ``values`` alone: the caller's context
        # (default_* values of the order, its lines and the contact,
        # active_test, tracking_disable…) is left out, but for its language
        # and its company (checked against the user's companies by Odoo).
        self = self.with_env(
            self.env(
                context={
                    key: self.env.context[key]
                    for key in API_CONTEXT_KEYS
                    if key in self.env.context
                }
            )
        )
        company = self.env.company
        website = self.env["website"].search([("company_id", "=", company.id)], limit=1)
        if not website:
            raise UserError(_("The company has no website: create one first."))
        external_id = values.get("external_id")
        if external_id is not None and not isinstance(external_id, (str, int)):
            raise UserError(_("The external cart ID must be a text or a number."))
        external_id = str(external_id).strip() if external_id not in (None, False, "") else False
        # sudo: the API user has no rights on orders; the carts it sends are
        # the system's (checked input only, no template of the caller).
        Recovery = self.sudo()
        if external_id:
            existing = Recovery.search(
                [("company_id", "=", company.id), ("external_id", "=", external_id)], limit=1
            )
            if existing:
                return existing._api_answer(created=False)
        partner_vals, lines = self._api_check_values(values)
        partner = self._api_partner(partner_vals, company)
        # sudo: see above.
        order = (
            self.env["sale.order"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "website_id": website.id,
                    "company_id": company.id,
                    "order_line": [
                        fields.Command.create({"product_id": product.id, "product_uom_qty": qty})
                        for product, qty in lines
                    ],
                }
            )
        )
        try:
            with self.env.cr.savepoint():
                recovery = Recovery.create(
                    self._cart_vals(order, source="external", external_id=external_id)
                )
        except Exception:  # noqa: BLE001 - the same ID sent twice at once
            order.unlink()
            existing = Recovery.search(
                [("company_id", "=", company.id), ("external_id", "=", external_id)], limit=1
            )
            if not existing:
                raise
            return existing._api_answer(created=False)
        return recovery._api_answer(created=True)

    def _api_answer(self, created):
        self.ensure_one()
        return {
            "cart_id": self.id,
            "order_id": self.order_id.id,
            "created": created,
        }

    @api.model
    def _api_check_values(self, values):
        """The cart's customer and lines, or a UserError saying what is wrong."""

        def text(key):
            value = values.get(key)
            if value in (None, False):
                return ""
            if not isinstance(value, str):
                raise UserError(_("The field “%(field)s” must be a text.", field=key))
            return value.strip()

        phone, email, name = text("phone"), text("email"), text("name")
        if not (phone or email):
            raise UserError(_("Give the customer's phone number or e-mail address."))
        partner_vals = {"name": name or phone or email, "mobile": phone or False}
        if phone:
            probe = self.env["res.partner"].new(
                {"mobile": phone, "country_id": self.env.ref("base.ua").id}
            )
            if not probe._phone_format(fname="mobile"):
                raise UserError(_("The phone number “%(phone)s” is not valid.", phone=phone))
        if email:
            if not email_normalize(email):
                raise UserError(_("The e-mail address “%(email)s” is not valid.", email=email))
            partner_vals["email"] = email
        lines = values.get("lines")
        if not isinstance(lines, list) or not lines:
            raise UserError(_("The cart has no lines: send at least one product."))
        if len(lines) > MAX_API_LINES:
            raise UserError(_("A cart has at most %(count)s lines.", count=MAX_API_LINES))
        return partner_vals, [
            self._api_check_line(index, line) for index, line in enumerate(lines, start=1)
        ]

    @api.model
    def _api_check_line(self, index, line):
        """(product, quantity) of a line of the cart, or a UserError."""
        if not isinstance(line, dict):
            raise UserError(_("Line %(line)s must be an object.", line=index))
        qty = line.get("qty", 1)
        if isinstance(qty, bool) or not isinstance(qty, (int, float)) or qty <= 0:
            raise UserError(
                _("Line %(line)s: the quantity must be a number above zero.", line=index)
            )
        code, product_id = line.get("default_code"), line.get("product_id")
        Product = self.env["product.product"].sudo()  # sudo: the API user reads no catalogue
        if code and isinstance(code, str):
            domain = [("default_code", "=", code.strip())]
        elif isinstance(product_id, int) and not isinstance(product_id, bool):
            domain = [("id", "=", product_id)]
        else:
            raise UserError(
                _("Line %(line)s: give the product's code (default_code) or ID.", line=index)
            )
        product = Product.search(domain + [("sale_ok", "=", True)], limit=1)
        if not product:
            raise UserError(
                _("Line %(line)s: no product for sale with this code or ID.", line=index)
            )
        return product, qty

    @api.model
    def _api_partner(self, partner_vals, company):
        """The customer with this phone or e-mail, or a new contact."""
        # sudo: the API user reads and creates no contacts itself.
        Partner = self.env["res.partner"].sudo()
        probe = Partner.new(dict(partner_vals, country_id=self.env.ref("base.ua").id))
        domain = []
        if probe.phone_sanitized:
            domain = [("phone_sanitized", "=", probe.phone_sanitized)]
        if partner_vals.get("email"):
            email_domain = [("email_normalized", "=", probe.email_normalized)]
            domain = ["|"] + domain + email_domain if domain else email_domain
        partner = Partner.search(
            domain + [("company_id", "in", (False, company.id))], order="id", limit=1
        )
        if partner:
            return partner
        return Partner.create(dict(partner_vals, country_id=self.env.ref("base.ua").id))

    # ------------------------------------------------------------ integrity
    @api.constrains("step")
    def _check_step(self):
        for recovery in self:
            if recovery.step < 0:
                raise ValidationError(_("The step of a reminder chain cannot be negative."))
