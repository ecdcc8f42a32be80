import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..novaposhta import NovaPoshtaError, normalize_phone, to_float

_logger = logging.getLogger(__name__)

TRACKING_URL = "https://novaposhta.ua/tracking/?cargo_number=%s"


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("novaposhta", "Nova Poshta")],
        ondelete={
            "novaposhta": lambda recs: recs.write({"delivery_type": "fixed", "fixed_price": 0})
        },
    )
    np_account_id = fields.Many2one("novaposhta.account", string="Nova Poshta account")
    np_preset_ids = fields.One2many("novaposhta.preset", "carrier_id", string="Shipment presets")
    np_label_size = fields.Selection(
        [("100x100", "100 × 100 mm"), ("85x85", "85 × 85 mm")],
        string="Label size",
        default="100x100",
    )

    # ------------------------------------------------------------- helpers
    def _np_default_preset(self):
        self.ensure_one()
        presets = self.np_preset_ids.filtered("active")
        return presets.filtered("is_default")[:1] or presets[:1]

    def _np_account(self):
        self.ensure_one()
        account = self.np_account_id.sudo()
        if not account:
            raise UserError(
                _(
                    "The delivery method “%(carrier)s” has no Nova Poshta account. An "
                    "administrator chooses it on the delivery method.",
                    carrier=self.name,
                )
            )
        return account

    @api.model
    def _np_order_weight(self, order, preset):
        weight = sum(
            line.product_id.weight * line.product_uom_qty
            for line in order.order_line
            if line.product_id and not line.is_delivery and not line.display_type
        )
        return round(max(weight or preset.weight or 0.1, 0.1), 3)

    def _np_service_type(self, order, preset):
        service = preset.service_type
        sender_doors = service.startswith("Doors")
        if order.np_delivery_mode == "postomat":
            return "DoorsPostomat" if sender_doors else "WarehousePostomat"
        if order.np_delivery_mode == "address":
            return "DoorsDoors" if sender_doors else "WarehouseDoors"
        return "DoorsWarehouse" if sender_doors else "WarehouseWarehouse"

    def _np_check_order(self, order):
        missing = []
        if not order.np_city_id:
            missing.append(_("city"))
        if order.np_delivery_mode in ("branch", "postomat") and not order.np_warehouse_id:
            missing.append(_("branch or parcel locker"))
        if order.np_delivery_mode == "address" and not (order.np_street_address or "").strip():
            missing.append(_("street address"))
        if not order._np_recipient_name():
            missing.append(_("recipient"))
        if not order._np_recipient_phone():
            missing.append(_("recipient phone"))
        if missing:
            raise UserError(
                _(
                    "Order %(order)s lacks Nova Poshta delivery data: %(missing)s. Fill it on "
                    "the order's Nova Poshta tab.",
                    order=order.name,
                    missing=", ".join(missing),
                )
            )

    def _np_waybill_properties(self, order, client, preset):
        """The ``InternetDocument.save`` properties of ``order``."""
        self.ensure_one()
        account = self._np_account()
        if not (account.sender_ref and account.contact_ref and account.sender_warehouse_id):
            raise UserError(
                _(
                    "The Nova Poshta account “%(account)s” has no sender, contact person or "
                    "sender branch. An administrator completes the account first.",
                    account=account.name,
                )
            )
        self._np_check_order(order)
        weight = self._np_order_weight(order, preset)
        if preset.declared_value_rule == "fixed":
            declared = preset.declared_value
        else:
            declared = order.amount_total
        phone = order._np_recipient_phone()
        props = {
            "PayerType": preset.payer_type,
            "PaymentMethod": preset.payment_method,
            "DateTime": fields.Date.context_today(self).strftime("%d.%m.%Y"),
            "CargoType": preset.cargo_type,
            "Weight": str(weight),
            "ServiceType": self._np_service_type(order, preset),
            "SeatsAmount": str(preset.seats_amount or 1),
            "Description": preset.description or order.name,
            "Cost": str(int(round(max(declared, 1.0)))),
            "CitySender": account.sender_city_id.ref or account.sender_warehouse_id.city_id.ref,
            "Sender": account.sender_ref,
            "SenderAddress": account.sender_warehouse_id.ref,
            "ContactSender": account.contact_ref,
            "SendersPhone": normalize_phone(account.sender_phone),
            "RecipientsPhone": phone,
            "InfoRegClientBarcodes": order.name,
        }
        if order.np_delivery_mode == "address":
            # “New address” form (string fields); not confirmed against NP.
            props.update(
                {
                    "NewAddress": "1",
                    "RecipientCityName": order.np_city_id.name,
                    "RecipientArea": order.np_city_id.area or "",
                    "RecipientAddressName": order.np_street_address,
                    "RecipientName": order._np_recipient_name(),
                    "RecipientType": "PrivatePerson",
                }
            )
        else:
            last, first, middle = order._np_recipient_name_parts()
            recipient_ref, contact_ref = client.save_recipient(first, last, phone, middle)
            props.update(
                {
                    "CityRecipient": order.np_city_id.ref,
                    "Recipient": recipient_ref,
                    "RecipientAddress": order.np_warehouse_id.ref,
                    "ContactRecipient": contact_ref,
                }
            )
        dims = (preset.pack_length, preset.pack_width, preset.pack_height)
        if order.np_delivery_mode == "postomat":
            props["OptionsSeat"] = [
                {
                    "volumetricLength": str(preset.pack_length),
                    "volumetricWidth": str(preset.pack_width),
                    "volumetricHeight": str(preset.pack_height),
                    "weight": str(weight),
                }
            ]
        elif all(dims):
            props["VolumeGeneral"] = str(round(dims[0] * dims[1] * dims[2] / 1_000_000.0, 4))
        cod = 0.0
        if preset.cod:
            cod = order.currency_id.round(max(order.amount_total - order.paid_amount, 0.0))
            if cod > 0:
                amount = f"{cod:.2f}".rstrip("0").rstrip(".")
                if preset.cod_kind == "afterpayment":
                    props["AfterpaymentOnGoodsCost"] = amount
                else:
                    props["BackwardDeliveryData"] = [
                        {"PayerType": "Recipient", "CargoType": "Money", "RedeliveryString": amount}
                    ]
        return props, cod

    # ----------------------------------------------------- waybill creation
    def _np_create_waybill(self, order, picking=None):
        """Create the order's waybill at NP, at most once.

        The order row is locked; a live waybill is returned as it is; a
        waybill whose save had no answer is first looked up at NP by our
        order number (``InfoRegClientBarcodes``). When NP's answer does not
        come, the waybill stays “Outcome unknown” (no exception, so that the
        marker is kept) and the next attempt looks it up before saving."""
        self.ensure_one()
        order = order.sudo()
        Waybill = self.env["novaposhta.waybill"].sudo()
        self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [order.id])
        waybill = Waybill.search([("order_id", "=", order.id), ("state", "!=", "deleted")], limit=1)
        if waybill.state == "created":
            if picking and not waybill.picking_id:
                waybill.picking_id = picking
            if picking and not picking.carrier_tracking_ref:
                picking.sudo().carrier_tracking_ref = waybill.name
            return waybill
        account = self._np_account()
        client = account._np_client()
        if waybill.state == "uncertain":
            found = waybill._np_lookup(client)
            if found:
                return waybill
        preset = order.np_preset_id or self._np_default_preset()
        if not preset:
            raise UserError(
                _(
                    "The delivery method “%(carrier)s” has no Nova Poshta shipment preset.",
                    carrier=self.name,
                )
            )
        try:
            props, cod = self._np_waybill_properties(order, client, preset)
        except NovaPoshtaError as error:
            raise account._np_user_error(error) from error
        vals = {
            "order_id": order.id,
            "carrier_id": self.id,
            "account_id": account.id,
            "picking_id": picking.id if picking else False,
            "client_barcode": order.name,
            "recipient_phone": props["RecipientsPhone"],
            "cod_amount": cod,
            "cod_transfer_state": "expected" if cod else "none",
            "warehouse_id": order.np_warehouse_id.id
            if order.np_delivery_mode != "address"
            else False,
        }
        if waybill:
            waybill.write(dict(vals, state="draft"))
        else:
            waybill = Waybill.create(vals)
        order.np_waybill_id = waybill
        try:
            data = client.save_waybill(props)
        except NovaPoshtaError as error:
            if error.uncertain:
                text = account._np_error_text(error)
                waybill.write({"state": "uncertain", "error_message": text[:250]})
                order.message_post(
                    body=_(
                        "Nova Poshta did not confirm the waybill of %(order)s (%(error)s). It may "
                        "have been created: the next attempt looks it up by the order number "
                        "before creating one.",
                        order=order.name,
                        error=text,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                return waybill
            raise account._np_user_error(error) from error
        waybill._np_mark_created(data)
        return waybill

    # ------------------------------------------ crm_order_flow extension point
    def _order_flow_register_shipment(self, order):
        if self.delivery_type != "novaposhta":
            return super()._order_flow_register_shipment(order)
        waybill = self._np_create_waybill(order)
        if waybill.state == "uncertain":
            # Not an exception: the “outcome unknown” marker must survive.
            order._order_flow_carrier_move("delivery_postponed")
            order._order_flow_salesperson_activity(
                "mail.mail_activity_data_todo",
                _("Check the Nova Poshta waybill"),
                note=waybill.error_message,
            )
        return waybill

    # ---------------------------------------------------- Odoo carrier API
    def novaposhta_rate_shipment(self, order):
        self.ensure_one()
        preset = order.np_preset_id or self._np_default_preset()
        account = self.np_account_id.sudo()
        if not (account and preset):
            return self._np_rate_error(_("Nova Poshta is not configured on this delivery method."))
        if not order.np_city_id:
            return self._np_rate_error(_("Choose the Nova Poshta city of the order first."))
        sender_city = account.sender_city_id.ref or account.sender_warehouse_id.city_id.ref
        props = {
            "CitySender": sender_city,
            "CityRecipient": order.np_city_id.ref,
            "Weight": str(self._np_order_weight(order, preset)),
            "ServiceType": self._np_service_type(order, preset),
            "Cost": str(int(round(max(order.amount_untaxed, 1.0)))),
            "CargoType": preset.cargo_type,
            "SeatsAmount": str(preset.seats_amount or 1),
        }
        try:
            client = account._np_client()
            price = client.get_price(props)
            date = client.get_delivery_date(
                {
                    "DateTime": fields.Date.context_today(self).strftime("%d.%m.%Y"),
                    "ServiceType": props["ServiceType"],
                    "CitySender": sender_city,
                    "CityRecipient": order.np_city_id.ref,
                }
            )
        except (NovaPoshtaError, UserError) as error:
            return self._np_rate_error(account._np_error_text(error))
        return {
            "success": True,
            "price": to_float(price.get("Cost")),
            "error_message": False,
            "warning_message": _("Estimated delivery: %(date)s", date=date) if date else False,
        }

    def _np_rate_error(self, message):
        return {"success": False, "price": 0.0, "error_message": message, "warning_message": False}

    def novaposhta_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            order = picking.sale_id
            if not order:
                raise UserError(
                    _(
                        "Transfer %(picking)s has no sales order: Nova Poshta needs one.",
                        picking=picking.name,
                    )
                )
            waybill = self._np_create_waybill(order, picking=picking)
            results.append(
                {
                    "exact_price": waybill.cost if waybill.state == "created" else 0.0,
                    "tracking_number": waybill.name if waybill.state == "created" else False,
                }
            )
        return results

    def novaposhta_get_tracking_link(self, picking):
        number = picking.carrier_tracking_ref
        return TRACKING_URL % number if number else False

    def novaposhta_cancel_shipment(self, pickings):
        for picking in pickings:
            waybill = picking.sale_id.sudo().np_waybill_id
            if waybill and waybill.state == "created":
                waybill._np_delete()
        return True

    # ----------------------------------------------------------- scheduling
    @api.model
    def _np_lookup_window(self, waybill):
        start = (waybill.create_date or fields.Datetime.now()).date() - timedelta(days=1)
        return start, fields.Date.context_today(self) + timedelta(days=1)
