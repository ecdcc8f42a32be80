import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..novaposhta import NovaPoshtaError, to_float
from .novaposhta_waybill import LIVE_STATES
from .sale_order import np_phone

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
        negative = order.order_line.filtered(
            lambda line: (
                not line.display_type
                and (
                    line.product_uom_qty < 0
                    or (line.price_unit < 0 and not self._np_is_discount(line))
                )
            )
        )
        if negative:
            raise UserError(
                _(
                    "Order %(order)s has lines with a negative quantity or price (%(lines)s): "
                    "Nova Poshta cannot ship it. Correct the order lines first.",
                    order=order.name,
                    lines=", ".join(
                        line.product_id.display_name or line.name or "" for line in negative
                    ),
                )
            )
        if order.currency_id.compare_amounts(order.amount_total, 0.0) <= 0:
            raise UserError(
                _(
                    "Order %(order)s has a total of %(total)s: Nova Poshta ships only orders "
                    "with a positive total. Correct the order lines first.",
                    order=order.name,
                    total=order._order_flow_format_amount(order.amount_total),
                )
            )

    @api.model
    def _np_is_discount(self, line):
        """A line that lowers the total on purpose (Odoo's discount product,
        a loyalty reward): its negative price is no error."""
        discount = line.order_id.company_id.sale_discount_product_id
        return bool(
            getattr(line, "is_reward_line", False) or (discount and line.product_id == discount)
        )

    def _np_waybill_properties(self, order, client, preset):
        """The ``InternetDocument.save`` properties of ``order``."""
        self.ensure_one()
        account = self._np_check_sender_and_order(order)
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
            "SendersPhone": np_phone(account.sender_phone),
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
            cod = order.amount_due  # the order flow's one paid fact: what is left to pay
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
    def _np_preset(self, order):
        self.ensure_one()
        preset = order.np_preset_id or self._np_default_preset()
        if not preset:
            raise UserError(
                _(
                    "The delivery method “%(carrier)s” has no Nova Poshta shipment preset.",
                    carrier=self.name,
                )
            )
        return preset

    def _np_check_sender_and_order(self, order):
        """The account can send (sender, contact, branch) and ``order`` can be
        shipped (UserError if not). Returns the account."""
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
        return account

    def _np_check_ready(self, order):
        """Everything Odoo can check before asking NP (UserError if not)."""
        self.ensure_one()
        account = self._np_check_sender_and_order(order)
        self._np_preset(order)
        return account

    def _np_live_waybill(self, order):
        return (
            self.env["novaposhta.waybill"]
            .sudo()
            .search([("order_id", "=", order.id), ("state", "in", LIVE_STATES)], limit=1)
        )

    def _np_lock_or_refuse(self, order):
        self.env["novaposhta.waybill"]._np_lock_order_or_refuse(order)

    def _np_create_waybill(self, order, picking=None):
        """Create the order's waybill at NP now, at most once (a person's
        click: inside the request's transaction).

        The order's row is locked without waiting (a second click at the
        same moment is told that the waybill is already being created); a
        live waybill is returned as it is; one whose save had no answer is
        first looked up at NP (our order number, or the waybill's content).
        When NP's answer does not come, the waybill stays “Outcome unknown”
        (no exception, so that the marker is kept) and the scheduled action
        settles it."""
        self.ensure_one()
        order = order.sudo()
        Waybill = self.env["novaposhta.waybill"].sudo()
        self._np_lock_or_refuse(order)
        waybill = self._np_live_waybill(order)
        if waybill.state == "created":
            if picking and not waybill.picking_id:
                waybill.picking_id = picking
            if picking and not picking.carrier_tracking_ref:
                picking.sudo().carrier_tracking_ref = waybill.name
            return waybill
        if waybill._np_is_in_flight() if waybill else False:
            raise UserError(
                _(
                    "The Nova Poshta waybill of order %(order)s is being created right now. "
                    "Look at the order again in a minute.",
                    order=order.name,
                )
            )
        if waybill.state == "deleting":
            raise UserError(
                _(
                    "The deletion of waybill %(number)s is not confirmed by Nova Poshta yet; "
                    "a new waybill can be created once it is.",
                    number=waybill.name,
                )
            )
        account = self._np_check_ready(order)
        client = account._np_client()
        if waybill.state in ("sending", "uncertain"):
            try:
                found = waybill._np_lookup(client)
            except NovaPoshtaError as error:
                raise account._np_user_error(error) from error
            if found != "none":
                return waybill
        if not waybill:
            waybill = Waybill.create(
                {
                    "order_id": order.id,
                    "carrier_id": self.id,
                    "account_id": account.id,
                    "client_barcode": order.name,
                }
            )
            order.np_waybill_id = waybill
        vals = {"carrier_id": self.id, "account_id": account.id}
        if picking:
            vals["picking_id"] = picking.id
        waybill.write(vals)
        try:
            props = waybill._np_claim_and_prepare(client)
        except NovaPoshtaError as error:
            raise account._np_user_error(error) from error
        try:
            data = client.save_waybill(props)
        except NovaPoshtaError as error:
            if error.uncertain:
                waybill._np_mark_uncertain(error)
                order.message_post(
                    body=_(
                        "Nova Poshta did not confirm the waybill of %(order)s: %(problem)s It "
                        "may have been created: it is looked up at Nova Poshta before anything "
                        "is sent again.",
                        order=order.name,
                        problem=waybill.error_message,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                return waybill
            raise account._np_user_error(error) from error
        waybill._np_mark_created(data)
        return waybill

    def _np_queue_waybill(self, order):
        """Queue the order's waybill (the order flow, inside the status
        move): only a record saved in this transaction; the scheduled
        action creates the waybill at NP after the move is committed, so
        that a move rolled back later never leaves a waybill at NP that Odoo
        does not know. What Odoo can check at once is checked here: an order
        that fails (e.g. a negative line) gets no waybill on the order, and
        the scheduled action postpones it once, outside the move (a move made
        inside the move would fire the order flow's “postponed” rule once per
        enclosing write). → the queued waybill, or the live one."""
        self.ensure_one()
        order = order.sudo()
        self._np_lock_or_refuse(order)
        waybill = self._np_live_waybill(order)
        if waybill:
            return waybill
        try:
            account = self._np_check_ready(order)
            refusal = False
        except UserError as error:
            # sudo: the account is read to be named on the queued waybill.
            account = self.sudo().np_account_id
            refusal = error.args[0] if error.args else str(error)
        waybill = (
            self.env["novaposhta.waybill"]
            .sudo()
            .create(
                {
                    "order_id": order.id,
                    "carrier_id": self.id,
                    "account_id": account.id,
                    "state": "queued",
                    "client_barcode": order.name,
                    "error_message": refusal and refusal[:250],
                }
            )
        )
        if not refusal:
            order.np_waybill_id = waybill
        waybill._np_trigger()
        return waybill

    @api.model
    def _np_postpone(self, order, reason):
        """NP refused the order's waybill (or the order lacks what NP needs):
        the order goes to “Delivery postponed” with a note saying why, and
        its salesperson gets one activity (the one the order flow gives for
        the move, with the reason in it, or ours if it gives none)."""
        order = order.sudo()
        order.message_post(
            body=_(
                "Nova Poshta could not register the shipment of %(order)s: %(reason)s Correct "
                "the delivery data, then press “Create waybill” or move the order back to "
                "“Handed to delivery”.",
                order=order.name,
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        before = order.activity_ids
        stage = self.env["sale.order.stage"]._get_by_code("delivery_postponed")
        if stage and order.stage_id != stage and stage in order.stage_id.next_stage_ids:
            try:
                with self.env.cr.savepoint():
                    order._order_flow_write_stage(stage, cause="carrier")
            except (UserError, ValidationError) as error:
                order._order_flow_report_refused_move(stage, error)
        new = order.activity_ids - before
        note = reason
        if new:
            target = new.filtered(lambda activity: not activity.note)[:1]
            if target:
                target.note = note
        else:
            order._order_flow_salesperson_activity(
                "mail.mail_activity_data_todo",
                _("Find out why the shipment failed"),
                note=note,
            )

    # ------------------------------------------ crm_order_flow extension point
    def _order_flow_register_shipment(self, order):
        """Nova Poshta: queue the waybill (see ``_np_queue_waybill``); the
        scheduled action creates it, or postpones the order with one note
        and one activity when the order's data or NP refuse it."""
        if self.delivery_type != "novaposhta":
            return super()._order_flow_register_shipment(order)
        return self._np_queue_waybill(order)

    # ---------------------------------------------------- Odoo carrier API
    # Public methods (RPC endpoints for whoever reads delivery methods): they
    # take records or ids and check the caller's rights on what they touch.
    def _np_records(self, model, records):
        if isinstance(records, models.BaseModel):
            records = records.ids
        if isinstance(records, int):
            records = [records]
        found = self.env[model].browse(list(records or [])).exists()
        found.check_access("read")
        return found

    def novaposhta_rate_shipment(self, order):
        self.ensure_one()
        order = self._np_records("sale.order", order)
        order.ensure_one()
        preset = order.np_preset_id or self._np_default_preset()
        # sudo: the account's settings are read for the price request only.
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
        except (NovaPoshtaError, UserError) as error:
            return self._np_rate_error(account._np_problem_text(error))
        warning = False
        try:
            date = client.get_delivery_date(
                {
                    "DateTime": fields.Date.context_today(self).strftime("%d.%m.%Y"),
                    "ServiceType": props["ServiceType"],
                    "CitySender": sender_city,
                    "CityRecipient": order.np_city_id.ref,
                }
            )
            warning = _("Estimated delivery: %(date)s", date=date)
        except (NovaPoshtaError, ValueError) as error:
            # The price stands; the date is only a hint.
            _logger.info("Nova Poshta delivery date not read: %s", account._np_error_text(error))
            warning = _(
                "Nova Poshta gave no delivery date: %(problem)s",
                problem=account._np_problem_text(error),
            )
        return {
            "success": True,
            "price": to_float(price.get("Cost")),
            "error_message": False,
            "warning_message": warning,
        }

    def _np_rate_error(self, message):
        return {"success": False, "price": 0.0, "error_message": message, "warning_message": False}

    def novaposhta_send_shipping(self, pickings):
        pickings = self._np_records("stock.picking", pickings)
        self.env["novaposhta.waybill"].check_access("create")
        results = []
        for picking in pickings:
            order = picking.sale_id
            if not order:
                raise UserError(
                    _(
                        "Transfer %(picking)s has no sales order: Nova Poshta waybills are "
                        "created for the orders of the store. Create the waybill from the "
                        "order, or link the transfer to its order.",
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
        picking = self._np_records("stock.picking", picking)[:1]
        number = picking.carrier_tracking_ref
        return TRACKING_URL % number if number else False

    def novaposhta_cancel_shipment(self, pickings):
        pickings = self._np_records("stock.picking", pickings)
        self.env["novaposhta.waybill"].check_access("create")
        for picking in pickings:
            # sudo: the waybill of a transfer the user may cancel.
            waybill = picking.sale_id.sudo().np_waybill_id
            if waybill and waybill.state in ("created", "deleting"):
                waybill._np_delete()
        return True
