import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_order_flow.tools.phone import phone_e164

from ..novaposhta import NovaPoshtaError
from .system_fields import refuse_system_fields

DELIVERY_MODES = [
    ("branch", "Branch"),
    ("postomat", "Parcel locker"),
    ("address", "Street address"),
]

# Filled from Nova Poshta on its orders: a person may not set them.
NP_FILLED_FIELDS = (
    "np_waybill_id",
    "delivery_tracking_ref",
    "delivery_point_name",
    "delivery_point_address",
    "delivery_storage_until",
    "delivery_cod_state",
    "delivery_return_in_transit",
)


def np_phone(number):
    """``number`` as Nova Poshta takes it (``380671234567``), read by the
    store's phone rule; a number that rule does not accept goes as its
    digits, and Nova Poshta's refusal says what is wrong."""
    e164 = phone_e164(number)
    if e164:
        return e164.lstrip("+")
    return "".join(char for char in str(number or "") if char.isdigit())


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # compute_sudo: whether the order goes by Nova Poshta is shown to everyone
    # who opens the order (Customer Support reads no delivery methods).
    np_is_novaposhta = fields.Boolean(
        string="Nova Poshta delivery", compute="_compute_np_is_novaposhta", compute_sudo=True
    )
    np_recipient_name = fields.Char(
        string="Recipient",
        copy=False,
        help="Last name, first name (and middle name) as on the recipient's ID. "
        "Empty: the customer's name.",
    )
    np_recipient_phone = fields.Char(
        string="Recipient phone", copy=False, help="Empty: the customer's mobile."
    )
    np_city_id = fields.Many2one("novaposhta.city", string="NP city", copy=False)
    np_delivery_mode = fields.Selection(
        DELIVERY_MODES, string="Deliver to", default="branch", copy=False
    )
    np_warehouse_id = fields.Many2one(
        "novaposhta.warehouse",
        string="Branch or parcel locker",
        copy=False,
        domain="[('city_id', '=', np_city_id), ('category', '=', np_warehouse_category)]",
    )
    np_warehouse_category = fields.Char(
        string="Offered kind of branch", compute="_compute_np_warehouse_category"
    )
    np_street_address = fields.Char(string="Street address", copy=False)
    np_preset_id = fields.Many2one(
        "novaposhta.preset",
        string="Shipment preset",
        copy=False,
        domain="[('carrier_id', '=', carrier_id)]",
        help="Empty: the default preset of the delivery method.",
    )
    np_auto_update = fields.Boolean(
        string="Update order status from NP",
        default=True,
        copy=False,
        help="The tracking sync moves the order's status according to the Nova Poshta "
        "status mapping.",
    )
    np_waybill_id = fields.Many2one(
        "novaposhta.waybill", string="NP waybill", copy=False, readonly=True, index="btree_not_null"
    )
    np_waybill_number = fields.Char(related="np_waybill_id.name", string="Waybill number")
    np_waybill_ref = fields.Char(related="np_waybill_id.ref", string="Waybill NP reference")
    np_waybill_state = fields.Selection(related="np_waybill_id.state", string="Waybill state")
    np_waybill_error = fields.Char(related="np_waybill_id.error_message", string="Waybill problem")
    np_waybill_next_try = fields.Datetime(
        related="np_waybill_id.next_try", string="Next automatic attempt"
    )
    np_waybill_problem = fields.Boolean(
        string="Waybill not created yet",
        compute="_compute_np_waybill_problem",
        help="The order's waybill could not be created at Nova Poshta yet: the reason shows "
        "on the order.",
    )
    np_status_code = fields.Char(related="np_waybill_id.status_code", string="NP status code")
    np_status_text = fields.Char(related="np_waybill_id.status_text", string="NP status")
    np_last_update = fields.Datetime(related="np_waybill_id.last_check", string="NP last update")
    np_scheduled_delivery_date = fields.Datetime(
        related="np_waybill_id.scheduled_delivery_date", string="Scheduled delivery"
    )
    np_storage_first_day = fields.Date(
        related="np_waybill_id.storage_first_day", string="Storage from"
    )
    np_storage_paid_from = fields.Date(
        related="np_waybill_id.storage_paid_from", string="Paid storage from"
    )
    np_cod_amount = fields.Float(related="np_waybill_id.cod_amount", string="COD amount")
    np_cod_transfer_state = fields.Selection(
        related="np_waybill_id.cod_transfer_state", string="COD transfer"
    )

    @api.depends("carrier_id.delivery_type")
    def _compute_np_is_novaposhta(self):
        for order in self:
            order.np_is_novaposhta = order.carrier_id.delivery_type == "novaposhta"

    @api.depends("np_waybill_id.state", "np_waybill_id.error_message")
    def _compute_np_waybill_problem(self):
        for order in self:
            # sudo: the waybill's state and last error are shown to whoever reads the order.
            waybill = order.sudo().np_waybill_id
            order.np_waybill_problem = bool(
                waybill.error_message and waybill.state in ("queued", "sending", "uncertain")
            )

    @api.depends("np_delivery_mode")
    def _compute_np_warehouse_category(self):
        for order in self:
            order.np_warehouse_category = (
                "postomat" if order.np_delivery_mode == "postomat" else "branch"
            )

    @api.onchange("np_city_id", "np_delivery_mode")
    def _onchange_np_city_id(self):
        if self.np_warehouse_id and (
            self.np_warehouse_id.city_id != self.np_city_id or self.np_delivery_mode == "address"
        ):
            self.np_warehouse_id = False

    @api.onchange("np_warehouse_id")
    def _onchange_np_warehouse_id(self):
        if self.np_warehouse_id:
            self.np_city_id = self.np_warehouse_id.city_id
            if self.np_warehouse_id.category == "postomat":
                self.np_delivery_mode = "postomat"

    # ---------------------------------------------------------- recipients
    def _np_recipient_name(self):
        self.ensure_one()
        return (self.np_recipient_name or self.partner_shipping_id.name or "").strip()

    def _np_recipient_name_parts(self):
        """``(last, first, middle)`` from “Last First [Middle]”; a single
        word is used as both names."""
        parts = self._np_recipient_name().split()
        if not parts:
            return "", "", ""
        if len(parts) == 1:
            return parts[0], parts[0], ""
        return parts[0], parts[1], " ".join(parts[2:])

    def _np_recipient_phone(self):
        self.ensure_one()
        partner = self.partner_shipping_id or self.partner_id
        phone = self.np_recipient_phone or partner.mobile or partner.phone
        return np_phone(phone) if phone else ""

    # ----------------------------------------------------------- payment
    @api.depends("delivery_cod_state", "np_waybill_id.cod_amount", "np_waybill_id.cod_paid")
    def _compute_order_payment(self):
        return super()._compute_order_payment()

    def _order_flow_paid_amount(self):
        """A cash-on-delivery transfer that NP reports as paid out counts as
        a payment of the order until its payment is registered in Odoo (then
        it counts through the invoice it paid), and never beyond the order's
        total (a payment registered by hand on the invoice is not counted
        twice)."""
        paid = super()._order_flow_paid_amount()
        waybill = self.sudo().np_waybill_id
        if self.delivery_cod_state == "transferred" and waybill.cod_amount and not waybill.cod_paid:
            paid += min(waybill.cod_amount, max(self.amount_total - paid, 0.0))
        return paid

    # ------------------------------------------------- system-only fields
    def _np_system_fields(self):
        """Fields of an order that only the system sets: its waybill always;
        the carrier facts (tracking number, pickup point, storage, cash on
        delivery, return) when Nova Poshta fills them, i.e. on Nova Poshta
        orders (staff enter them for other carriers)."""
        return NP_FILLED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            carriers = self.env["delivery.carrier"].browse(
                [vals["carrier_id"] for vals in vals_list if vals.get("carrier_id")]
            )
            np_ids = set(carriers.filtered(lambda c: c.delivery_type == "novaposhta").ids)
            for vals in vals_list:
                names = ("np_waybill_id",)
                if vals.get("carrier_id") in np_ids:
                    names = self._np_system_fields()
                refuse_system_fields(self, vals, names, on_create=True)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and vals:
            names = set(vals) & set(self._np_system_fields())
            if names:
                to_np = False
                if vals.get("carrier_id"):
                    carrier = self.env["delivery.carrier"].browse(vals["carrier_id"])
                    to_np = carrier.delivery_type == "novaposhta"
                np_orders = to_np or any(
                    order.carrier_id.delivery_type == "novaposhta" or order.np_waybill_id
                    for order in self
                )
                refuse_system_fields(self, vals, names if np_orders else names & {"np_waybill_id"})
        return super().write(vals)

    # ----------------------------------------------------------- buttons
    def _np_check_rights(self):
        """Creating or deleting a waybill: the role may create waybills and
        change these orders."""
        self.env["novaposhta.waybill"].check_access("create")
        self.check_access("write")

    def _np_carrier(self):
        self.ensure_one()
        if self.carrier_id.delivery_type != "novaposhta":
            raise UserError(
                _("The delivery method of order %(order)s is not Nova Poshta.", order=self.name)
            )
        return self.carrier_id.sudo()

    def action_np_create_waybill(self):
        self._np_check_rights()
        problems = []
        for order in self:
            self.env["novaposhta.waybill"]._np_lock_order_or_refuse(order)
            waybill = order._np_carrier()._np_create_waybill(order)
            if waybill.state in ("uncertain", "sending"):
                problems.append(waybill.error_message or "")
        if problems:
            return self._np_notify(
                _(
                    "%(problem)s The waybill may have been created: it is looked up at Nova "
                    "Poshta automatically (press the button again to look now); no second "
                    "waybill is made.",
                    problem=" ".join(filter(None, set(problems))),
                ),
                "warning",
            )
        return True

    def action_np_delete_waybill(self):
        self._np_check_rights()
        unconfirmed = []
        for order in self:
            # sudo: the waybill is the system's record; rights were checked above.
            waybill = order.sudo().np_waybill_id
            if not waybill or waybill.state in ("deleted", "extra"):
                raise UserError(_("Order %(order)s has no waybill to delete.", order=order.name))
            self.env["novaposhta.waybill"]._np_lock_order_or_refuse(order)
            if waybill._np_is_in_flight():
                raise UserError(
                    _(
                        "The waybill of order %(order)s is being created right now: delete it "
                        "once it is created.",
                        order=order.name,
                    )
                )
            if waybill.state == "queued":
                # Never sent: nothing exists at NP.
                order.sudo().np_waybill_id = False
                waybill.unlink()
                order.sudo().message_post(
                    body=_(
                        "The queued Nova Poshta waybill of %(order)s was cancelled.",
                        order=order.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            if waybill.state in ("uncertain", "sending"):
                # It may exist at NP: look it up first, delete it there if so.
                client = waybill.account_id._np_client()
                try:
                    found = waybill._np_lookup(client)
                except NovaPoshtaError as error:
                    raise waybill.account_id._np_user_error(error) from error
                if found == "ambiguous":
                    continue
                if found == "none":
                    waybill._np_mark_deleted(
                        _(
                            "Nova Poshta has no waybill of %(order)s: the unconfirmed request "
                            "is cancelled.",
                            order=order.name,
                        )
                    )
                    continue
            outcomes = waybill._np_delete()
            if "uncertain" in outcomes.values():
                unconfirmed.append(waybill.error_message or "")
        if unconfirmed:
            return self._np_notify(
                _(
                    "%(problem)s The deletion is not confirmed yet: it is checked with Nova "
                    "Poshta automatically; the order gets a new waybill only once it is.",
                    problem=" ".join(filter(None, set(unconfirmed))),
                ),
                "warning",
            )
        return True

    def action_np_refresh_tracking(self):
        self.check_access("read")
        self.sudo().np_waybill_id.filtered(lambda w: w.state == "created").action_refresh()
        return True

    def action_np_print_label(self):
        """Fetch the label PDF on the server and attach it to the order."""
        self.ensure_one()
        self.check_access("read")
        waybill = self.sudo().np_waybill_id
        if not waybill or waybill.state != "created":
            raise UserError(_("Order %(order)s has no Nova Poshta waybill yet.", order=self.name))
        client = waybill.account_id._np_client()
        try:
            pdf = client.label_pdf(waybill.name, size=waybill.carrier_id.np_label_size or "100x100")
        except NovaPoshtaError as error:
            raise waybill.account_id._np_user_error(error) from error
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"NP-{waybill.name}.pdf",
                    "type": "binary",
                    "datas": base64.b64encode(pdf),
                    "mimetype": "application/pdf",
                    "res_model": "sale.order",
                    "res_id": self.id,
                }
            )
        )
        self.sudo().message_post(
            body=_("Nova Poshta label of waybill %(number)s.", number=waybill.name),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_url",
            # opened in a new tab, ready to print
            "url": f"/web/content/{attachment.id}",
            "target": "new",
        }

    def action_np_bulk_waybills(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Create Nova Poshta waybills"),
            "res_model": "novaposhta.waybill.bulk",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def _np_notify(self, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "message": message, "sticky": kind != "success"},
        }
