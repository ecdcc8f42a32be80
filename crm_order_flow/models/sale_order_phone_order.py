"""The one-screen phone order: the salesperson types the customer's phone
on the order form and the customer is found (or created with the name typed
next to it), picks the delivery and how the customer pays, and marks the
order agreed with the customer. The form's phone-order fields are never
stored on the order: ``create`` and ``write`` (``sale_order.py``) turn them
into the order's customer and payment fields (``_order_flow_form_vals``)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import phone_national_digits

# Fields of the phone-order block of the form: they find or create the
# customer and are never stored on the order.
PHONE_ORDER_FIELDS = ("customer_phone", "customer_new_name")
# The fields of the form that ``create`` and ``write`` turn into the order's own.
FORM_ONLY_FIELDS = (*PHONE_ORDER_FIELDS, "order_payment_kind")
PARTNER_DEPENDENT_FIELDS = (
    "user_id",
    "team_id",
    "partner_invoice_id",
    "partner_shipping_id",
    "pricelist_id",
    "payment_term_id",
    "fiscal_position_id",
)


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

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

    @api.model
    def _order_flow_form_vals(self, vals):
        """The order fields behind the phone-order block of the form."""
        vals = dict(vals)
        if "order_payment_kind" in vals:
            vals.update(self._order_flow_payment_kind_vals(vals.pop("order_payment_kind")))
        if any(name in vals for name in PHONE_ORDER_FIELDS):
            vals = self._order_flow_customer_vals(vals)
        return vals

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
