import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import (
    float_compare,
    float_is_zero,
    format_amount,
    format_date,
    plaintext2html,
)

from ..tools import (
    acting_as,
    changing_state,
    current_cause,
    error_text,
    is_changing_state,
    is_syncing_state,
    phone_national_digits,
    syncing_state,
)

_logger = logging.getLogger(__name__)

PAYMENT_STATES = [
    ("not_paid", "Not paid"),
    ("partial", "Partly paid"),
    ("paid", "Paid"),
]
COD_STATES = [
    ("none", "No cash on delivery"),
    ("expected", "Cash on delivery expected"),
    ("collected", "Collected by the carrier"),
    ("transferred", "Money transferred to the store"),
]
PAYMENT_KINDS = [
    ("online", "Online payment"),
    ("cod", "Cash on delivery"),
]
# Fields of the phone-order block of the form: they find or create the
# customer and are never stored on the order.
PHONE_ORDER_FIELDS = ("customer_phone", "customer_new_name")
PARTNER_DEPENDENT_FIELDS = (
    "user_id",
    "team_id",
    "partner_invoice_id",
    "partner_shipping_id",
    "pricelist_id",
    "payment_term_id",
    "fiscal_position_id",
)
# Fields written by Odoo itself as a side effect of reading, messaging or
# sharing an order: the order-flow edit checks never refuse them.
# Context keys that would keep a person's change of an order out of its
# chatter (tracking, the creation note): a client may not choose them.
UNAUDITED_CONTEXT_KEYS = ("tracking_disable", "mail_notrack", "mail_create_nolog")
TECHNICAL_FIELDS = frozenset(
    {
        "access_token",
        "message_main_attachment_id",
        "message_follower_ids",
        "message_ids",
        "activity_ids",
        "website_message_ids",
        "stage_date",
        "date_automation_last",
    }
)

# The placeholders of customer message templates: the only order facts a
# template written by someone else than an administrator may show, each a
# field of the order with its label (the field's own string). Templates made
# of these alone are rendered without evaluating any code; see
# ``mail_render_mixin.py`` for how they are enforced.
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


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Odoo's own state and lock follow the business status (or Odoo's order
    # actions, which check what they do): a person never writes them directly.
    state = fields.Selection(system_only=True, copy=False)
    locked = fields.Boolean(system_only=True, copy=False)

    # ------------------------------------------------------------------ status
    def _default_stage_id(self):
        return self.env["sale.order.stage"].search([("group_code", "=", "new")], limit=1)

    stage_id = fields.Many2one(
        "sale.order.stage",
        string="Order status",
        default=lambda self: self._default_stage_id(),
        copy=False,
        index=True,
        tracking=True,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
    )
    stage_group_id = fields.Many2one(
        related="stage_id.group_id", store=True, string="Status group", index=True
    )
    stage_code = fields.Char(related="stage_id.code", string="Status code")
    stage_color = fields.Integer(related="stage_id.color", string="Status colour")
    stage_date = fields.Datetime(
        string="In status since",
        default=fields.Datetime.now,
        copy=False,
        readonly=True,
        index=True,
        system_only=True,
    )
    stage_deadline = fields.Datetime(
        system_only=True,
        copy=False,
        string="Status time limit",
        compute="_compute_stage_deadline",
        store=True,
        help="When the order becomes overdue in its current status (empty: no limit).",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
    )
    stage_hours = fields.Float(
        string="Hours in status",
        compute="_compute_stage_hours",
    )
    allowed_stage_ids = fields.Many2many(
        "sale.order.stage",
        compute="_compute_allowed_stage_ids",
        string="Allowed statuses",
        help="The current status and the statuses the matrix allows next.",
    )
    stage_history_ids = fields.One2many(
        "sale.order.stage.history", "order_id", string="Status history", readonly=True
    )
    operator_comment = fields.Text(
        tracking=True,
        help="Required to cancel an order or register a return: say why.",
    )

    # ----------------------------------------------------------------- payment
    paid_amount = fields.Monetary(
        system_only=True,
        copy=False,
        string="Paid",
        compute="_compute_order_payment",
        store=True,
        help="Confirmed online payments on the order plus payments reconciled with "
        "its customer invoices.",
    )
    amount_due = fields.Monetary(
        string="Amount due",
        compute="_compute_amount_due",
    )
    order_payment_state = fields.Selection(
        PAYMENT_STATES,
        system_only=True,
        copy=False,
        string="Payment status",
        compute="_compute_order_payment",
        store=True,
        index=True,
    )

    # ------------------------------------------------ carrier-agnostic delivery
    delivery_kind = fields.Selection(related="carrier_id.order_flow_delivery_kind")
    delivery_tracking_ref = fields.Char(
        string="Tracking number", copy=False, tracking=True, index="btree_not_null"
    )
    delivery_point_name = fields.Char(
        string="Pickup point", copy=False, help="Carrier branch or parcel locker."
    )
    delivery_point_address = fields.Char(string="Pickup point address", copy=False)
    delivery_storage_until = fields.Date(
        string="Free storage until",
        copy=False,
        help="Last day the parcel is kept at the pickup point free of charge.",
    )
    payment_on_delivery = fields.Boolean(
        string="Cash on delivery agreed",
        tracking=True,
        help="The customer pays on delivery (cash on delivery): the order may go to "
        "assembly before it is paid. Carriers may read it to collect the amount due.",
    )
    order_payment_kind = fields.Selection(
        PAYMENT_KINDS,
        string="Payment",
        compute="_compute_order_payment_kind",
        inverse="_inverse_order_payment_kind",
        readonly=False,
        help="Online payment: the customer gets a payment link once the order is agreed. "
        "Cash on delivery: the order may go to assembly before it is paid.",
    )
    delivery_cod_state = fields.Selection(
        COD_STATES,
        system_only=True,
        string="Cash on delivery",
        default="none",
        required=True,
        copy=False,
        tracking=True,
    )
    delivery_return_in_transit = fields.Boolean(
        system_only=True,
        string="Returning to the store",
        copy=False,
        tracking=True,
        help="The carrier reports that the parcel was not collected and is on its way back.",
    )

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
    warehouse_user_id = fields.Many2one(
        related="company_id.order_flow_warehouse_user_id", string="Warehouse user"
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

    # ----------------------------------------------------- phone order
    customer_phone = fields.Char(
        string="Customer phone",
        compute="_compute_customer_phone",
        readonly=False,
        help="Type the customer's phone in any usual form (067 123 45 67, 380671234567, "
        "+380 67 123 45 67): the customer with this number is chosen, or a new customer "
        "is created with the name you type next to it.",
    )
    customer_new_name = fields.Char(
        string="New customer's name",
        compute="_compute_customer_phone",
        readonly=False,
        help="No customer has this phone number yet: the customer is created with this "
        "name and the phone when the order is saved.",
    )

    # ------------------------------------------------------------- computes
    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.model
    def web_read_group(
        self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        # The pipeline shows every status as a column; the statuses without
        # orders (and the final ones, folded by their setting) are folded so
        # that the columns with work fit on the screen.
        result = super().web_read_group(
            domain, fields, groupby, limit=limit, offset=offset, orderby=orderby, lazy=lazy
        )
        if groupby and groupby[0] == "stage_id":
            count_key = "stage_id_count" if lazy else "__count"
            for group in result["groups"]:
                if not group.get(count_key, group.get("__count")):
                    group["__fold"] = True
        return result

    @api.depends("stage_id", "stage_date", "stage_id.time_limit")
    def _compute_stage_deadline(self):
        for order in self:
            limit = order.stage_id.time_limit
            order.stage_deadline = (
                order.stage_date + timedelta(minutes=limit) if limit and order.stage_date else False
            )

    @api.depends("stage_deadline")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for order in self:
            order.is_overdue = bool(order.stage_deadline and order.stage_deadline < now)

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the overdue flag."))
        domain = [("stage_deadline", "<", fields.Datetime.now())]
        if (operator == "=") != value:
            return ["|", ("stage_deadline", "=", False)] + [
                ("stage_deadline", ">=", fields.Datetime.now())
            ]
        return domain

    def _compute_stage_hours(self):
        now = fields.Datetime.now()
        for order in self:
            order.stage_hours = (
                (now - order.stage_date).total_seconds() / 3600.0 if order.stage_date else 0.0
            )

    @api.depends("stage_id", "stage_id.next_stage_ids")
    def _compute_allowed_stage_ids(self):
        for order in self:
            order.allowed_stage_ids = order.stage_id | order.stage_id.next_stage_ids

    @api.depends(
        "amount_total",
        "order_line.price_total",
        "currency_id",
        "transaction_ids.state",
        "transaction_ids.amount",
        "transaction_ids.invoice_ids",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_order_payment(self):
        for order in self:
            paid = order._order_flow_paid_amount()
            currency = order.currency_id or order.company_id.currency_id
            total = order.amount_total
            order.paid_amount = paid
            rounding = currency.rounding or 0.01
            if float_compare(paid, 0.0, precision_rounding=rounding) <= 0:
                state = "not_paid"
            elif float_compare(paid, total, precision_rounding=rounding) >= 0:
                state = "paid"
            else:
                state = "partial"
            order.order_payment_state = state

    @api.depends("amount_total", "paid_amount", "order_line.price_total")
    def _compute_amount_due(self):
        for order in self:
            due = max(order.amount_total - order.paid_amount, 0.0)
            order.amount_due = order.currency_id.round(due) if order.currency_id else due

    def _order_flow_paid_amount(self):
        """Confirmed online payments of the order that are not yet counted
        through an invoice, plus what is paid of its posted customer invoices
        (credit notes deducted)."""
        self.ensure_one()
        order = self.sudo()
        invoices = order.order_line.invoice_lines.move_id.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        )
        paid = 0.0
        for invoice in invoices:
            amount = invoice.currency_id._convert(
                invoice.amount_total - invoice.amount_residual,
                order.currency_id,
                order.company_id,
                invoice.invoice_date or fields.Date.today(),
            )
            paid += -amount if invoice.move_type == "out_refund" else amount
        for tx in order.transaction_ids.filtered(lambda t: t.state == "done"):
            if tx.invoice_ids & invoices:
                continue  # already counted through the invoice it paid
            paid += tx.currency_id._convert(
                tx.amount, order.currency_id, order.company_id, fields.Date.today()
            )
        return paid

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
    def mail_allowed_qweb_expressions(self):
        # The only expressions a non-administrator may put into the message
        # templates of orders (Odoo renders templates made of them alone
        # without evaluating any code).
        return tuple(f"object.{name}" for name in MESSAGE_PLACEHOLDERS)

    @api.model
    def _order_flow_placeholder_labels(self):
        """The allowed placeholders, as a template author writes them, with
        their labels in the user's language."""
        return ", ".join(
            "{{ object.%s }} (%s)" % (name, self._fields[name]._description_string(self.env))
            for name in MESSAGE_PLACEHOLDERS
        )

    @api.model
    def _order_flow_sample_message_values(self):
        """The allowed placeholders' values for a fictional order of the
        current company, in the context's language: what the preview of a
        message template shows instead of a real order (people who edit the
        texts, such as Marketers, may not read the store's orders). Nothing
        is read from any order."""
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
            "payment_url": f"{self.get_base_url()}/my/orders/42",
            "promo_line": company.order_flow_promo_line
            or _("10% off your next order with the code SAMPLE10"),
            "store_name": company.name,
            "customer_lang": self.env.lang or "uk_UA",
            "message_email_from": company.email_formatted or _("Store <shop@example.com>"),
        }

    def _compute_payment_url(self):
        for order in self:
            if order.id and order.require_payment and order.state in ("draft", "sent", "sale"):
                order.payment_url = order.get_base_url() + order.sudo()._get_share_url(
                    redirect=True
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

    @api.depends("payment_on_delivery", "require_payment")
    def _compute_order_payment_kind(self):
        for order in self:
            if order.payment_on_delivery:
                order.order_payment_kind = "cod"
            else:
                order.order_payment_kind = "online" if order.require_payment else False

    def _inverse_order_payment_kind(self):
        for order in self:
            order.write(order._order_flow_payment_kind_vals(order.order_payment_kind))

    @api.model
    def _order_flow_payment_kind_vals(self, kind):
        """The order fields that say how the customer pays: online (the
        payment link of Odoo's online payment) or cash on delivery."""
        if kind == "cod":
            return {"payment_on_delivery": True, "require_payment": False}
        if kind == "online":
            return {"payment_on_delivery": False, "require_payment": True}
        return {"payment_on_delivery": False}

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

    @api.depends("partner_id")
    def _compute_customer_phone(self):
        for order in self:
            partner = order.partner_id
            order.customer_phone = partner.mobile or partner.phone or order.customer_phone
            order.customer_new_name = False if partner else order.customer_new_name

    @api.onchange("customer_phone")
    def _onchange_customer_phone(self):
        phone = (self.customer_phone or "").strip()
        partner = self.partner_id
        if not phone or (partner and phone in (partner.mobile, partner.phone)):
            return
        found = self._order_flow_find_customer(phone)
        if found:
            self.partner_id = found
        elif self.partner_id._origin or self.partner_id:
            # A number no customer has: a new customer (type the name).
            self.partner_id = False

    @api.model
    def _order_flow_find_customer(self, phone):
        """The customer (or contact) whose phone or mobile is ``phone`` in
        any usual spelling; customers first, then the most recent."""
        if not phone_national_digits(phone, self.env["res.partner"]._order_flow_phone_region()):
            return self.env["res.partner"]
        partners = self.env["res.partner"].search(
            [("phone_mobile_search", "=", phone)], order="customer_rank desc, id desc", limit=1
        )
        return partners.commercial_partner_id if partners.parent_id else partners

    def _order_flow_customer_vals(self, vals):
        """Turn the phone-order fields of ``vals`` into the order's customer:
        the customer with that phone, or a new one with the typed name."""
        phone = (vals.pop("customer_phone", None) or "").strip()
        name = (vals.pop("customer_new_name", None) or "").strip()
        if vals.get("partner_id") or not phone:
            return vals
        if "partner_id" not in vals and self and all(self.mapped("partner_id")):
            return vals
        partner = self._order_flow_find_customer(phone)
        if not partner:
            if not name:
                raise UserError(
                    _(
                        "No customer has the phone number %(phone)s yet: type the new "
                        "customer's name next to the phone.",
                        phone=phone,
                    )
                )
            Partner = self.env["res.partner"]
            region = Partner._order_flow_phone_region()
            if not phone_national_digits(phone, region):
                raise UserError(
                    _(
                        "“%(phone)s” is not a valid phone number. Type the customer's "
                        "mobile number, for example 067 123 45 67.",
                        phone=phone,
                    )
                )
            partner = Partner.create(
                {
                    "name": name,
                    "mobile": Partner._phone_format(number=phone, force_format="INTERNATIONAL")
                    or phone,
                    "customer_rank": 1,
                }
            )
        # What the form computed without a customer is computed again from it.
        vals = {
            key: value
            for key, value in vals.items()
            if value or key not in PARTNER_DEPENDENT_FIELDS
        }
        return dict(vals, partner_id=partner.id)

    @api.constrains("stage_id")
    def _check_stage_id(self):
        # Not a NOT NULL column: orders that exist when the module is
        # installed get their status from the install hook, after the column.
        for order in self:
            if not order.stage_id:
                raise ValidationError(_("Order %(order)s must have a status.", order=order.name))

    def _access_status_group_code(self):
        # Field rights of the store roles follow the business status group.
        self.ensure_one()
        return self.stage_id.group_code or super()._access_status_group_code()

    # ------------------------------------------------------------ the write
    def _check_access_system_only(self, vals):
        if is_changing_state():
            # inside Odoo's order actions (confirm, cancel, …) or the order
            # flow's own state sync: the action changes the state, not the caller
            vals = {key: value for key, value in vals.items() if key not in ("state", "locked")}
        return super()._check_access_system_only(vals)

    def _order_flow_audited(self):
        """The orders without the context keys that would hide a person's
        change from the chatter (the request's context is the client's)."""
        if self.env.su or not any(self.env.context.get(key) for key in UNAUDITED_CONTEXT_KEYS):
            return self
        return self.with_context(**dict.fromkeys(UNAUDITED_CONTEXT_KEYS, False))

    @api.model
    def _order_flow_form_vals(self, vals):
        """The order fields behind the phone-order block of the form."""
        vals = dict(vals)
        if "order_payment_kind" in vals:
            vals.update(self._order_flow_payment_kind_vals(vals.pop("order_payment_kind")))
        if any(name in vals for name in PHONE_ORDER_FIELDS):
            vals = self._order_flow_customer_vals(vals)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        self = self._order_flow_audited()
        vals_list = [self._order_flow_form_vals(vals) for vals in vals_list]
        if current_cause()[0] == "user":
            # A new order starts in a status of the “new” group, whatever the
            # caller sends: later statuses are reached through the matrix.
            start = self._default_stage_id()
            starts = self.env["sale.order.stage"].search([("group_code", "=", "new")])
            vals_list = [
                dict(vals, stage_id=start.id)
                if vals.get("stage_id") and vals["stage_id"] not in starts.ids
                else vals
                for vals in vals_list
            ]
        orders = super().create(vals_list)
        orders._order_flow_open_visits(previous=None)
        return orders

    def write(self, vals):
        self = self._order_flow_audited()
        if any(name in vals for name in (*PHONE_ORDER_FIELDS, "order_payment_kind")):
            vals = self._order_flow_form_vals(vals)
        if not vals:
            return super().write(vals)
        if not self.env.su:
            # Before any side effect: system-only fields (the time in status,
            # payment and carrier facts) are refused, whoever asks.
            self._check_access_system_only(vals)
            self._order_flow_check_edit(vals)
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["sale.order.stage"].browse(vals["stage_id"]).exists()
        if not stage:
            raise ValidationError(_("The order status you chose no longer exists."))
        moving = self.filtered(lambda order: order.stage_id != stage)
        if not moving:
            return super().write(vals)
        moving._order_flow_check_move(stage, vals)
        previous = {order.id: order.stage_id for order in moving}
        staying = self - moving
        if staying:
            super(SaleOrder, staying).write(vals)
        now = fields.Datetime.now()
        # The visit is opened first: rules reacting to the new status (they may
        # move the order again within this write) find it as the current one.
        moving._order_flow_open_visits(previous=previous, stage=stage, date=now)
        # sudo: the time in status is the order flow's own bookkeeping (a
        # system-only field), written with the move the person makes below.
        super(SaleOrder, moving.sudo()).write({"stage_date": now})
        result = super(SaleOrder, moving).write(vals)
        moving._order_flow_sync_state()
        return result

    def _order_flow_cause(self):
        """What moves the orders now: 'rule' (an automation rule or code
        acting for it), 'carrier' (a carrier update) or 'user'. Set by server
        code only (``tools.flow_cause``), never by the request's context."""
        return current_cause()[0]

    def _order_flow_open_visits(self, previous, stage=None, date=None):
        """Close the open status visit of the orders and open one in their
        new status (``stage``, or their current one)."""
        History = self.env["sale.order.stage.history"].sudo()
        now = date or fields.Datetime.now()
        if previous is not None:
            History.search([("order_id", "in", self.ids), ("date_out", "=", False)]).write(
                {"date_out": now}
            )
        cause, automation_id = current_cause()
        History.create(
            [
                {
                    "order_id": order.id,
                    "stage_id": (stage or order.stage_id).id,
                    "previous_stage_id": previous and previous[order.id].id or False,
                    "user_id": self.env.uid,
                    "cause": cause,
                    "automation_id": automation_id if cause == "rule" else False,
                    "date_in": now if stage else (order.stage_date or now),
                }
                for order in self
                if stage or order.stage_id
            ]
        )

    def _order_flow_current_visit(self):
        self.ensure_one()
        return (
            self.env["sale.order.stage.history"]
            .sudo()
            .search([("order_id", "=", self.id), ("date_out", "=", False)], limit=1)
        )

    # ---------------------------------------------------------- validations
    def _order_flow_check_move(self, stage, vals):
        """Refuse (UserError) the move of the orders into ``stage`` unless
        the status matrix, the role's status rights and the entry validations
        of the status all allow it. Nothing is written before this passes."""
        cause = self._order_flow_cause()
        StatusRight = self.env["access.status.right"]
        user = self.env.user
        for order in self:
            current = order.stage_id
            if current and stage not in current.next_stage_ids:
                raise UserError(
                    _(
                        "Order %(order)s cannot move from “%(from)s” to “%(to)s”: the status "
                        "matrix does not allow this move. Allowed next statuses: %(allowed)s.",
                        order=order.name,
                        **{"from": current.name},
                        to=stage.name,
                        allowed=", ".join(current.next_stage_ids.mapped("name")) or _("none"),
                    )
                )
            if cause == "user" and not self.env.su:
                if not StatusRight._is_allowed(
                    user, stage.code, stage.group_code, order.delivery_kind or "any"
                ):
                    raise UserError(
                        _(
                            "Your role may not set the status “%(status)s” (order %(order)s). "
                            "Ask a colleague whose role sets it, or a manager.",
                            status=stage.name,
                            order=order.name,
                        )
                    )
            order._order_flow_check_entry(stage, vals)

    def _order_flow_check_entry(self, stage, vals):
        """The validations that guard entry into ``stage``: payment secured
        (paid at least in part, or cash on delivery), a delivery method, the
        operator's comment where the status asks for one."""
        self.ensure_one()
        # Payment secured: paid at least in part, or paid on delivery (agreed
        # with the customer, or already expected by the carrier).
        cod_agreed = (
            vals.get("payment_on_delivery", self.payment_on_delivery)
            or self.delivery_cod_state != "none"
        )
        if (
            stage.payment_required == "partial"
            and self.order_payment_state == "not_paid"
            and not cod_agreed
        ):
            if not float_is_zero(self.amount_total, precision_rounding=0.01):
                raise UserError(
                    _(
                        "Order %(order)s cannot move to “%(status)s” before it is paid at "
                        "least in part or cash on delivery is agreed. Register the "
                        "customer's payment first, or tick “Cash on delivery agreed” if "
                        "the customer pays on delivery.",
                        order=self.name,
                        status=stage.name,
                    )
                )
        if (
            stage.payment_required == "full"
            and self.order_payment_state != "paid"
            and not float_is_zero(self.amount_total, precision_rounding=0.01)
        ):
            cod_ok = stage.allow_cod_confirmed and self.delivery_cod_state == "transferred"
            if not cod_ok:
                raise UserError(
                    _(
                        "Order %(order)s cannot move to “%(status)s”: it is not fully paid "
                        "(amount due: %(due)s). Register the payment, or wait until the "
                        "carrier confirms the cash-on-delivery transfer.",
                        order=self.name,
                        status=stage.name,
                        due=self._order_flow_format_amount(self.amount_due),
                    )
                )
        carrier_id = vals.get("carrier_id", self.carrier_id.id)
        if stage.carrier_required and not carrier_id:
            raise UserError(
                _(
                    "Order %(order)s cannot move to “%(status)s” without a delivery method. "
                    "Choose the delivery method on the order first.",
                    order=self.name,
                    status=stage.name,
                )
            )
        comment = vals.get("operator_comment", self.operator_comment)
        if stage.comment_required and not (comment or "").strip():
            raise UserError(
                _(
                    "Order %(order)s cannot move to “%(status)s” without an operator "
                    "comment. Write in the comment why.",
                    order=self.name,
                    status=stage.name,
                )
            )

    def _order_flow_format_amount(self, amount):
        self.ensure_one()
        return f"{amount:.2f} {self.currency_id.symbol or ''}".strip()

    def _order_flow_check_edit(self, vals):
        """Validations of a person's change of the orders: statuses that lock
        the order, only the responsible salesperson (or a manager) changes it,
        and the fields each status protects, among them the customer once the
        order left “New”."""
        field_names = set(vals) - TECHNICAL_FIELDS
        if not field_names:
            return
        user = self.env.user
        is_admin = user.has_group("access_roles.group_role_administrator") or user._is_system()
        is_supervisor = is_admin or user.has_group("access_roles.group_role_manager")
        is_salesperson_role = user.has_group("access_roles.group_role_sales")
        for order in self:
            if (
                is_salesperson_role
                and not is_supervisor
                and order.user_id
                and order.user_id != user
            ):
                raise UserError(
                    _(
                        "Only the responsible salesperson (%(salesperson)s) or a manager may "
                        "change order %(order)s.",
                        salesperson=order.user_id.name,
                        order=order.name,
                    )
                )
            stage = order.stage_id.sudo()
            if stage.edit_locked:
                unlocked = set(stage.unlocked_field_ids.mapped("name")) if is_admin else set()
                refused = field_names - unlocked
                if refused:
                    raise UserError(
                        _(
                            "Order %(order)s is in the status “%(status)s” and can no longer "
                            "be changed (%(fields)s). An administrator may unlock fields of "
                            "this status in its settings.",
                            order=order.name,
                            status=stage.name,
                            fields=order._order_flow_field_labels(refused),
                        )
                    )
            protected = field_names & set(stage.protected_field_ids.mapped("name"))
            for name in protected:
                if order._order_flow_value_changes(name, vals[name]):
                    raise UserError(
                        _(
                            "%(field)s of order %(order)s cannot be changed in the status "
                            "“%(status)s”.",
                            field=order._order_flow_field_labels({name}),
                            order=order.name,
                            status=stage.name,
                        )
                    )

    def _order_flow_value_changes(self, name, value):
        """Whether writing ``value`` into field ``name`` changes the order."""
        self.ensure_one()
        field = self._fields[name]
        if field.type == "many2one":
            return (self[name].id or False) != (value or False)
        if field.type in ("one2many", "many2many"):
            return True
        return self[name] != value

    def _order_flow_field_labels(self, names):
        return ", ".join(
            sorted(
                "“%s”" % (self._fields[name]._description_string(self.env),)
                for name in names
                if name in self._fields
            )
        )

    # --------------------------------------------------- Odoo state mapping
    def _order_flow_sync_state(self):
        """Make Odoo's own state follow the business status: the assembly,
        delivery and final groups need a confirmed order, “cancelled”
        cancels it (releasing reservations), the final groups lock it."""
        # sudo: Odoo's state follows the status the order flow already allowed.
        with syncing_state():
            self.sudo()._order_flow_sync_state_now()

    def _order_flow_sync_state_now(self):
        for order in self:
            stage = order.stage_id
            if stage.code == "cancelled":
                if order.state != "cancel":
                    order._action_cancel()
                continue
            if stage.group_code in ("assembly", "delivery", "done", "cancel") and order.state in (
                "draft",
                "sent",
            ):
                order.action_confirm()
            if stage.is_final and order.state == "sale" and not order.locked:
                order.action_lock()
            elif not stage.is_final and order.locked and order.state == "sale":
                order.action_unlock()

    def _action_cancel(self):
        # Odoo's own Cancel moves the order to the “cancelled” status, so that
        # the matrix and the validations (operator comment) apply; the status
        # change then cancels the order through _order_flow_sync_state.
        if is_syncing_state():
            return super()._action_cancel()
        cancelled = self.env["sale.order.stage"]._get_by_code("cancelled")
        to_move = self.filtered(lambda order: order.stage_id != cancelled)
        if to_move:
            to_move.write({"stage_id": cancelled.id})
        rest = (self - to_move).filtered(lambda order: order.state != "cancel")
        if rest:
            with syncing_state():
                return super(SaleOrder, rest)._action_cancel()
        return True

    def action_draft(self):
        # Back to quotation means back to the first status of the “new” group,
        # if the status matrix allows it.
        new_stage = self._default_stage_id()
        for order in self.filtered(lambda o: o.stage_id.group_code != "new"):
            order.write({"stage_id": new_stage.id})
        with changing_state():
            return super().action_draft()

    # Odoo's order actions change Odoo's state (and lock) themselves, after
    # their own checks; only inside them may the state be written.
    def action_confirm(self):
        with changing_state():
            return super().action_confirm()

    def action_quotation_sent(self):
        with changing_state():
            return super().action_quotation_sent()

    def action_lock(self):
        with changing_state():
            return super().action_lock()

    def action_unlock(self):
        with changing_state():
            return super().action_unlock()

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if self.env.context.get("mark_so_as_sent"):
            # Odoo marks a quotation sent when it is e-mailed to the customer.
            with changing_state():
                return super().message_post(**kwargs)
        return super().message_post(**kwargs)

    # -------------------------------------------------------- automatic moves
    def _order_flow_auto_move(self, code, cause="rule"):
        """Move the orders to the status ``code`` on behalf of an automation
        rule or a carrier. Role rights do not apply; the matrix and the
        validations do. A refused move does not undo the work that triggered
        it: it is reported on the order and given to the salesperson as an
        activity. Returns the orders that moved."""
        stage = self.env["sale.order.stage"]._get_by_code(code)
        moved = self.browse()
        for order in self:
            if order.stage_id == stage:
                continue
            try:
                with self.env.cr.savepoint():
                    order._order_flow_write_stage(stage, cause=cause)
                moved |= order
            except (UserError, ValidationError) as error:
                order._order_flow_report_refused_move(stage, error)
        return moved

    def _order_flow_write_stage(self, stage, cause="rule"):
        """Move the orders to ``stage`` for ``cause`` ('rule' or 'carrier'):
        the status matrix and the entry validations apply, the role of the
        current user does not, and the history records the cause (and the
        automation rule running now, if any). Raises like ``write`` when the
        move is refused. Server code only: a private method is no RPC
        endpoint, and nothing the client sends reaches ``cause``."""
        running_cause, automation_id = current_cause()
        if running_cause != cause:
            automation_id = False
        with acting_as(cause, automation_id):
            # sudo: an automatic move is made for the rule or the carrier, not
            # for the role of the user whose change started it.
            return self.sudo().write({"stage_id": stage.id})

    def _order_flow_carrier_move(self, code):
        """Entry point for carrier integrations: the carrier reported a
        status that maps to the order status ``code``."""
        return self._order_flow_auto_move(code, cause="carrier")

    def _order_flow_salesperson_activity(self, activity_xmlid, summary, note=None):
        """Give each order's salesperson (or the current user when there is
        none) a to-do on the order."""
        activity_type = self.env.ref(activity_xmlid)
        for order in self:
            if order._order_flow_has_open_activity(activity_type, summary):
                continue
            order.sudo().activity_schedule(
                activity_xmlid,
                summary=summary,
                note=note,
                user_id=(order.user_id or self.env.user).id,
            )

    def _order_flow_has_open_activity(self, activity_type, summary):
        """Whether the order already has an open activity of this type and
        title: the order flow gives at most one of its kind per order."""
        self.ensure_one()
        # sudo: the check is the rule's own, whoever's activities they are.
        return bool(
            self.sudo().activity_ids.filtered(
                lambda act: act.activity_type_id == activity_type and act.summary == summary
            )
        )

    def _order_flow_report_refused_move(self, stage, error):
        self.ensure_one()
        reason = error_text(error)
        _logger.info("Automatic move of %s to %s refused: %s", self.name, stage.code, reason)
        body = _(
            "Automatic move to “%(status)s” was refused: %(reason)s",
            status=stage.name,
            reason=reason,
        )
        self.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        self._order_flow_salesperson_activity(
            "mail.mail_activity_data_todo", _("Automatic status change refused"), note=body
        )

    def _order_flow_reserve(self, failure_code="offer_replacement"):
        """Auto-reservation (rule 1 and the re-reservation chain, rule 6):
        confirm the quotation so that its transfers reserve stock, then move
        to “availability_confirmed” when everything is reserved, or to
        ``failure_code`` when something is missing."""
        for order in self:
            lines = order.order_line.filtered(
                lambda line: line.product_id and not line.display_type
            )
            if not lines:
                continue
            # sudo: the reservation is the rule's work, whoever changed the order.
            order_sudo = order.sudo()
            try:
                with self.env.cr.savepoint(), syncing_state():
                    if order_sudo.state in ("draft", "sent"):
                        order_sudo.action_confirm()
                    moves = order_sudo._order_flow_reservation_moves()
                    unreserved = moves.filtered(lambda move: move.state != "assigned")
                    if unreserved:
                        unreserved._action_assign()
            except (UserError, ValidationError) as error:
                order._order_flow_report_refused_move(
                    self.env["sale.order.stage"]._get_by_code("availability_confirmed"), error
                )
                continue
            missing = moves.filtered(lambda move: move.state != "assigned")
            if not missing:
                order._order_flow_auto_move("availability_confirmed")
                continue
            order._order_flow_auto_move(failure_code)
            if failure_code == "offer_replacement":
                products = ", ".join(missing.product_id.mapped("display_name"))
                order._order_flow_salesperson_activity(
                    "mail.mail_activity_data_call",
                    _("Contact the customer"),
                    note=_("Not enough stock to reserve: %(products)s.", products=products),
                )

    def _order_flow_reservation_moves(self):
        """Stock moves that reserve the order's goods: the first step of its
        outgoing transfers."""
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        return pickings.move_ids.filtered(
            lambda move: (
                move.state not in ("done", "cancel")
                and not move.move_orig_ids
                and move.location_id.usage == "internal"
            )
        )

    def action_order_flow_reserve(self):
        """Button: run the auto-reservation again. The reservation confirms
        the order and moves it for the rule, so only a person who may change
        the order and set “Availability confirmed” on it may ask for it, while
        the order is still being agreed."""
        self.check_access("write")
        self._order_flow_check_edit({"stage_id": True})
        confirmed = self.env["sale.order.stage"]._get_by_code("availability_confirmed")
        StatusRight = self.env["access.status.right"]
        for order in self:
            if order.stage_id.group_code not in ("new", "approval"):
                raise UserError(
                    _(
                        "Order %(order)s is in the status “%(status)s”: stock is reserved again "
                        "only while the order is new or being agreed.",
                        order=order.name,
                        status=order.stage_id.name,
                    )
                )
            if not self.env.su and not StatusRight._is_allowed(
                self.env.user,
                confirmed.code,
                confirmed.group_code,
                order.delivery_kind or "any",
            ):
                raise UserError(
                    _(
                        "Your role may not set the status “%(status)s” (order %(order)s), so "
                        "it may not run the reservation either. Ask the salesperson or a "
                        "manager.",
                        status=confirmed.name,
                        order=order.name,
                    )
                )
        failure = {"awaiting_arrival": "ready_to_wait"}
        for order in self:
            order._order_flow_reserve(failure.get(order.stage_code, "offer_replacement"))
        return True

    def _order_flow_register_shipment(self):
        """Rule 10: register the shipment with the carrier when the order is
        handed to delivery. The carrier integration does the work
        (``delivery.carrier._order_flow_register_shipment``); a failure moves
        the order to “delivery_postponed” with an activity for the salesperson."""
        for order in self.filtered(lambda o: o.delivery_kind == "carrier"):
            try:
                with self.env.cr.savepoint():
                    order.carrier_id.sudo()._order_flow_register_shipment(order.sudo())
            except (UserError, ValidationError) as error:
                # sudo: the order's activities are compared whoever moved it.
                before = order.sudo().activity_ids
                order._order_flow_auto_move("delivery_postponed")
                created = order.sudo().activity_ids - before
                if created:
                    # The rule of "Delivery postponed" gave the salesperson a
                    # to-do: it says why, rather than a second one.
                    created.filtered(lambda activity: not activity.note).write(
                        {"note": plaintext2html(error_text(error))}
                    )
                else:
                    order._order_flow_salesperson_activity(
                        "mail.mail_activity_data_todo",
                        _("Find out why the shipment failed"),
                        note=error_text(error),
                    )

    def _order_flow_return_goods(self):
        """Rule 19: the goods of a returned order go back to stock. Delivered
        transfers get a validated return; transfers not delivered yet are
        cancelled, which releases their reservations."""
        for order in self.sudo():
            pickings = order.picking_ids.filtered(
                lambda p: (
                    p.picking_type_code == "outgoing" or p.location_dest_id.usage == "customer"
                )
            )
            open_pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if open_pickings:
                open_pickings.action_cancel()
            for picking in pickings.filtered(
                lambda p: p.state == "done" and p.location_dest_id.usage == "customer"
            ):
                if picking.move_ids.returned_move_ids:
                    continue
                wizard = (
                    self.env["stock.return.picking"]
                    .with_context(active_id=picking.id, active_model="stock.picking")
                    .create({"picking_id": picking.id})
                )
                for line in wizard.product_return_moves:
                    line.quantity = line.move_id.quantity
                action = wizard.action_create_returns()
                returned = self.env["stock.picking"].browse(action["res_id"])
                for move in returned.move_ids:
                    move.quantity = move.product_uom_qty
                returned.move_ids.picked = True
                returned.with_context(skip_backorder=True).button_validate()
                order.message_post(
                    body=_("Goods returned to stock: %(picking)s.", picking=returned.name),
                    subtype_xmlid="mail.mt_note",
                )

    def _order_flow_notify_overdue(self):
        """Rule 4: tell the salesperson that the order stayed too long in its
        status."""
        for order in self.filtered("is_overdue"):
            recipient = order.user_id.partner_id
            body = _(
                "Order %(order)s is overdue: it has been in the status “%(status)s” for more "
                "than %(minutes)s minutes.",
                order=order.name,
                status=order.stage_id.name,
                minutes=order.stage_id.time_limit,
            )
            if recipient:
                order.sudo().message_notify(
                    partner_ids=recipient.ids,
                    subject=_("Order %(order)s is overdue", order=order.name),
                    body=body,
                )
            else:
                order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _order_flow_handle_call(self, kind="missed"):
        """Extension point for a telephony integration (not part of this
        suite): a missed or incoming call of the customer gives the
        salesperson of each open order a call-back activity."""
        summary = (
            _("Call back: missed call from the customer")
            if kind == "missed"
            else _("Incoming call from the customer")
        )
        open_orders = self.filtered(lambda o: not o.stage_id.is_final)
        open_orders._order_flow_salesperson_activity("mail.mail_activity_data_call", summary)

    # ------------------------------------------------------ customer messages
    def _order_flow_channel(self):
        """The customer's preferred channel, or the company's default."""
        self.ensure_one()
        return (
            self.partner_id.order_notify_channel
            or self.company_id.order_flow_default_channel
            or "sms"
        )

    def _order_flow_customer_phone(self):
        """The customer's mobile (or phone) when it is a valid number, read
        by the store's phone rule (a Ukrainian spelling is Ukrainian whatever
        the company's country) through Odoo's own phone formatting."""
        self.ensure_one()
        partner = self.partner_id
        for fname in ("mobile", "phone"):
            if partner[fname] and partner._phone_format(fname=fname):
                return partner[fname]
        return False

    def _order_flow_mediums(self):
        """How a customer message reaches the customer: 'sms' (Viber then
        SMS, or SMS), 'email', or nothing. When the preferred channel has no
        usable address the other one is used."""
        self.ensure_one()
        channel = self._order_flow_channel()
        if channel == "none" or not self.partner_id:
            return set()
        has_phone = bool(self._order_flow_customer_phone())
        has_email = bool(self.partner_id.email)
        if channel == "email":
            return {"email"} if has_email else ({"sms"} if has_phone else set())
        return {"sms"} if has_phone else ({"email"} if has_email else set())

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

    def _order_flow_send_customer_message(self, template, automation=None):
        """Send the customer ``template`` (an ``sms.template`` or a
        ``mail.template`` of sale.order) through Odoo's messaging, following
        the customer's channel, the company's sending window and the rule
        “once per order, template and status visit”. Returns the log entries
        of the messages actually created."""
        Log = self.env["sale.order.customer.message"].sudo()
        medium = "sms" if template._name == "sms.template" else "email"
        template_ref = f"{template._name},{template.id}"
        logs = Log.browse()
        for order in self:
            mediums = order._order_flow_mediums()
            if medium not in mediums:
                if not mediums and order._order_flow_preferred_medium() == medium:
                    # Nothing reaches the customer: say so once per rule, on
                    # the medium the customer prefers.
                    order._order_flow_report_unsent_message(
                        template, order._order_flow_unreachable_text()
                    )
                continue
            # Serialise concurrent runs of rules on the same order, then look
            # for the same message in this visit or still waiting to go out.
            self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [order.id])
            visit = order._order_flow_current_visit()
            if Log.search_count(
                [
                    ("order_id", "=", order.id),
                    ("template_ref", "=", template_ref),
                    "|",
                    ("visit_id", "=", visit.id),
                    ("scheduled_date", ">", fields.Datetime.now()),
                ],
                limit=1,
            ):
                continue
            send_at = order.company_id._order_flow_next_send_time()
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
                continue
            logs |= Log.create(
                {
                    "order_id": order.id,
                    "visit_id": visit.id,
                    "stage_id": order.stage_id.id,
                    "template_ref": template_ref,
                    "template_name": template.name,
                    "medium": medium,
                    "channel": order._order_flow_channel(),
                    "message_id": message[:1].id,
                    "scheduled_date": send_at or False,
                    "automation_id": automation.id if automation else False,
                }
            )
        return logs

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

    def action_order_flow_agree(self):
        """Button: the salesperson agreed payment and delivery with the
        customer on the phone: the order moves to “Agreed” (the status
        matrix, the role's status rights and the validations apply)."""
        agreed = self.env["sale.order.stage"]._get_by_code("agreed")
        for order in self:
            missing = []
            if not order.carrier_id:
                missing.append(_("the delivery method"))
            if not order.order_payment_kind:
                missing.append(_("how the customer pays"))
            if missing:
                raise UserError(
                    _(
                        "Order %(order)s: choose %(missing)s before you mark it agreed "
                        "with the customer.",
                        order=order.name,
                        missing=_(" and ").join(missing),
                    )
                )
        self.write({"stage_id": agreed.id})
        return True

    def action_view_customer_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_order_flow.sale_order_customer_message_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    def action_open_stage_change(self):
        """List action: change the status of the selected orders (each move
        is checked on its own when the wizard applies it)."""
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Change status"),
            "res_model": "sale.order.stage.change",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }
