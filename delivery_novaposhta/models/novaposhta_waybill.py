import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from ..novaposhta import NovaPoshtaError, parse_date, parse_datetime, to_float
from ..novaposhta.client import TRACKING_BATCH

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Being created"),
    ("uncertain", "Outcome unknown"),
    ("created", "Created"),
    ("deleted", "Deleted"),
]
COD_TRANSFER_STATES = [
    ("none", "No cash on delivery"),
    ("expected", "Cash on delivery expected"),
    ("collected", "Collected by the carrier"),
    ("transferred", "Money transferred to the store"),
]
# NP status codes that say where the cash-on-delivery money is.
COD_COLLECTED_CODES = {"9", "10"}
COD_TRANSFERRED_CODES = {"11"}
NOT_ACCEPTED_CODES = {"1", False, None, ""}


class NovaPoshtaWaybill(models.Model):
    """A Nova Poshta waybill (ТТН/ЕН) of an order and its last known
    tracking state. At most one waybill that is not deleted per order
    (a unique index guards it)."""

    _name = "novaposhta.waybill"
    _description = "Nova Poshta Waybill"
    _order = "id desc"

    name = fields.Char(string="Waybill number", index=True, copy=False, readonly=True)
    ref = fields.Char(string="NP reference", index="btree_not_null", copy=False, readonly=True)
    order_id = fields.Many2one("sale.order", required=True, index=True, ondelete="cascade")
    picking_id = fields.Many2one("stock.picking", string="Transfer", index="btree_not_null")
    carrier_id = fields.Many2one("delivery.carrier", string="Delivery method", required=True)
    account_id = fields.Many2one("novaposhta.account", string="NP account", required=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    state = fields.Selection(STATES, default="draft", required=True, index=True, readonly=True)
    client_barcode = fields.Char(
        string="Our number at NP",
        readonly=True,
        help="Sent as InfoRegClientBarcodes, so that an uncertain save can be looked up.",
    )
    recipient_phone = fields.Char(readonly=True)
    cost = fields.Float(string="Delivery cost", readonly=True)
    estimated_delivery_date = fields.Date(readonly=True)
    status_code = fields.Char(string="NP status code", readonly=True, index=True)
    status_text = fields.Char(string="NP status", readonly=True)
    status_date = fields.Datetime(string="Status changed", readonly=True)
    last_check = fields.Datetime(string="Last update", readonly=True)
    tracking_active = fields.Boolean(
        string="Polled",
        default=False,
        index=True,
        readonly=True,
        help="The tracking sync asks NP about this waybill.",
    )
    scheduled_delivery_date = fields.Datetime(readonly=True)
    actual_delivery_date = fields.Datetime(string="Received on", readonly=True)
    storage_first_day = fields.Date(string="Storage from", readonly=True)
    storage_paid_from = fields.Date(string="Paid storage from", readonly=True)
    storage_until = fields.Date(
        string="Free storage until",
        compute="_compute_storage_until",
        store=True,
        help="The day before paid storage begins.",
    )
    cod_amount = fields.Float(string="Cash on delivery amount", readonly=True)
    cod_transfer_state = fields.Selection(
        COD_TRANSFER_STATES, string="Money transfer", default="none", required=True, readonly=True
    )
    return_number = fields.Char(string="Return waybill", readonly=True)
    warehouse_id = fields.Many2one("novaposhta.warehouse", string="Branch or locker", readonly=True)
    error_message = fields.Char(string="Last error", readonly=True)

    def init(self):
        # Never two live waybills for one order, whatever the code path.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS novaposhta_waybill_one_live_per_order "
            "ON novaposhta_waybill (order_id) WHERE state != 'deleted'"
        )

    @api.depends("storage_paid_from")
    def _compute_storage_until(self):
        for waybill in self:
            waybill.storage_until = (
                waybill.storage_paid_from - timedelta(days=1)
                if waybill.storage_paid_from
                else False
            )

    @api.depends("name", "state")
    def _compute_display_name(self):
        for waybill in self:
            waybill.display_name = waybill.name or _(
                "Waybill of %(order)s", order=waybill.order_id.name
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_created(self):
        if any(waybill.state == "created" for waybill in self):
            raise UserError(
                _(
                    "A waybill registered at Nova Poshta cannot be removed here: delete it at "
                    "NP first."
                )
            )

    # ------------------------------------------------------------ tracking sync
    @api.model
    def _cron_sync_tracking(self, limit=None, stats=None):
        """Ask NP about every polled waybill, 100 per request; store what
        changed and apply it to the orders. A failed request or a bad
        waybill is logged on the waybill and skipped: the rest goes on."""
        stats = stats if stats is not None else {}
        waybills = self.search(
            [("tracking_active", "=", True), ("state", "=", "created")],
            order="last_check asc nulls first, id",
            limit=limit,
        )
        table = self.env["novaposhta.status.map"].sudo()._np_table()
        # Order status moves are collected over all batches and made at the
        # end, one write per target status (the order flow's fixed cost per
        # write is high); a refused group falls back to one order at a time.
        plan = {"moves": {}, "notes": {}}
        for account in waybills.account_id:
            client = account._np_client(stats=stats)
            account_waybills = waybills.filtered(lambda w, a=account: w.account_id == a)
            for ids in split_every(TRACKING_BATCH, account_waybills.ids):
                batch = self.browse(ids)
                try:
                    items = client.track([(w.name, w.recipient_phone) for w in batch])
                except NovaPoshtaError as error:
                    text = account._np_error_text(error)
                    _logger.info("Nova Poshta tracking batch failed: %s", text)
                    if error.is_key_expired:
                        account._np_warn_key("expired")
                    batch.write({"error_message": text[:250]})
                    stats["failed_batches"] = stats.get("failed_batches", 0) + 1
                    continue
                batch._np_apply_tracking(items, table, stats, plan=plan)
        self._np_move_orders(plan)
        return stats

    @api.model
    def _np_move_orders(self, plan):
        """Move the orders per target status code: the whole group in one
        write with the cause “carrier” (what ``_order_flow_carrier_move``
        does order by order), the NP note of each order being the body of
        its status-change message; when the order flow refuses one of them,
        the group goes through ``_order_flow_carrier_move``, which reports
        each refusal on its order, and the notes are logged on their own."""
        Stage = self.env["sale.order.stage"]
        notes = plan["notes"]
        unposted = {}
        for code, orders in plan["moves"].items():
            orders = orders.exists().sudo()
            stage = Stage._get_by_code(code)
            staying = orders.filtered(lambda order, s=stage: order.stage_id == s)
            orders -= staying
            unposted.update({order.id: notes[order.id] for order in staying if order.id in notes})
            if not orders:
                continue
            try:
                with self.env.cr.savepoint():
                    for order in orders:
                        if order.id in notes:
                            order._track_set_log_message(notes[order.id])
                    orders.with_context(order_flow_cause="carrier").write({"stage_id": stage.id})
            except (UserError, ValidationError):
                unposted.update(
                    {order.id: notes[order.id] for order in orders if order.id in notes}
                )
                orders._order_flow_carrier_move(code)
        if unposted:
            self.env["sale.order"].sudo().browse(list(unposted))._message_log_batch(bodies=unposted)

    def _np_apply_tracking(self, items, table, stats=None, plan=None):
        """Store one tracking answer: the unchanged waybills with one write,
        the changed ones in one savepoint (one savepoint each if one fails)."""
        stats = stats if stats is not None else {}
        own_plan = plan is None
        plan = {"moves": {}, "notes": {}} if own_plan else plan
        by_number = {
            str(item.get("Number") or ""): item for item in items if isinstance(item, dict)
        }
        now = fields.Datetime.now()
        unchanged = self.browse()
        changed = []
        for waybill in self:
            item = by_number.get(waybill.name)
            try:
                vals = waybill._np_tracking_vals(item, table) if item else {}
            except (ValueError, TypeError) as error:
                _logger.info("Nova Poshta waybill %s: unreadable answer: %s", waybill.name, error)
                changed.append((waybill, {"error_message": str(error)[:250]}))
                continue
            if vals:
                changed.append((waybill, vals))
            else:
                unchanged |= waybill
        if unchanged:
            unchanged.write({"last_check": now, "error_message": False})
        if changed:
            try:
                with self.env.cr.savepoint():
                    self._np_apply_changes(changed, table, now, stats, plan)
            except (UserError, ValidationError, ValueError, KeyError) as error:
                # One bad waybill: apply the batch again one waybill at a time.
                _logger.info("Nova Poshta batch applied one by one: %s", error)
                for waybill, vals in changed:
                    try:
                        with self.env.cr.savepoint():
                            self._np_apply_changes([(waybill, vals)], table, now, stats, plan)
                    except (UserError, ValidationError, ValueError, KeyError) as err:
                        _logger.info("Nova Poshta waybill %s not updated: %s", waybill.name, err)
                        waybill.write({"last_check": now, "error_message": str(err)[:250]})
                        stats["errors"] = stats.get("errors", 0) + 1
        stats["waybills"] = stats.get("waybills", 0) + len(self)
        if own_plan:
            self._np_move_orders(plan)
        return stats

    def _np_apply_changes(self, changed, table, now, stats, plan):
        """Write the changed waybills, then their orders: facts, one chatter
        note per order (in one batch), and the status moves grouped by
        target status."""
        moved = self.browse()
        for waybill, vals in changed:
            old_code = waybill.status_code
            waybill.write(dict({"last_check": now, "error_message": False}, **vals))
            if "status_code" in vals and vals["status_code"] != old_code:
                moved |= waybill
        # Facts first: the status move checks the COD transfer.
        self.browse([waybill.id for waybill, _vals in changed])._np_write_order_facts(table)
        moves, notes = moved._np_status_changed_batch(table)
        for code, orders in moves.items():
            plan["moves"][code] = plan["moves"].get(code, orders.browse()) | orders
        plan["notes"].update(notes)
        stats["changed"] = stats.get("changed", 0) + len(changed)

    def _np_tracking_vals(self, item, table):
        """The fields that change with this tracking item (empty: none)."""
        self.ensure_one()
        code = str(item.get("StatusCode") or "").strip()
        if code == "3" and self.status_code not in (False, "3"):
            # NP lost sight of a known number: keep what we know.
            return {}
        new = {
            "status_code": code or self.status_code,
            "status_text": item.get("Status") or self.status_text,
            "scheduled_delivery_date": parse_datetime(item.get("ScheduledDeliveryDate"))
            or self.scheduled_delivery_date,
            "actual_delivery_date": parse_datetime(item.get("RecipientDateTime"))
            or parse_datetime(item.get("ActualDeliveryDate"))
            or self.actual_delivery_date,
            "storage_first_day": parse_date(item.get("DateFirstDayStorage"))
            or self.storage_first_day,
            "storage_paid_from": parse_date(item.get("DatePayedKeeping")) or self.storage_paid_from,
            "return_number": item.get("LastCreatedOnTheBasisNumber") or self.return_number,
        }
        redelivery = to_float(item.get("RedeliverySum")) or to_float(
            item.get("AfterpaymentOnGoodsCost")
        )
        if redelivery and not self.cod_amount:
            new["cod_amount"] = redelivery
        if self.cod_amount or new.get("cod_amount"):
            if code in COD_TRANSFERRED_CODES or (
                to_float(item.get("LastAmountTransferGM")) and code in COD_COLLECTED_CODES
            ):
                new["cod_transfer_state"] = "transferred"
            elif code in COD_COLLECTED_CODES and self.cod_transfer_state != "transferred":
                new["cod_transfer_state"] = "collected"
        row = table.get(new["status_code"])
        cod_state = new.get("cod_transfer_state", self.cod_transfer_state)
        settled = cod_state in ("none", "transferred")
        new["tracking_active"] = not (row and row.is_final and not row.keep_updating and settled)
        vals = {}
        for key, value in new.items():
            current = self[key]
            if hasattr(current, "_name"):
                current = current.id
            if current != value and not (not current and not value):
                vals[key] = value
        if "status_code" in vals:
            vals["status_date"] = (
                parse_datetime(item.get("TrackingUpdateDate")) or fields.Datetime.now()
            )
        return vals

    def _np_status_changed_batch(self, table):
        """Chatter notes for the orders of these waybills that do not move
        (one batch), and ``({order status code: orders}, {order id: note})``
        for those to move per the mapping table (their order asks for it)."""
        notes = {}
        pending = {}
        moves = {}
        comments = {}
        for waybill in self:
            order = waybill.order_id.sudo()
            row = table.get(waybill.status_code)
            body = _(
                "Nova Poshta: waybill %(number)s is now “%(status)s” (code %(code)s).",
                number=waybill.name,
                status=waybill.status_text or "",
                code=waybill.status_code,
            )
            stage = row.stage_id if row else False
            if order.np_auto_update and stage and order.stage_id != stage:
                if (
                    stage.payment_required == "full"
                    and order.order_payment_state != "paid"
                    and order.delivery_cod_state != "transferred"
                    and waybill.cod_amount
                ):
                    # A COD parcel is done when NP reports the money transfer.
                    body += Markup("<br/>") + _(
                        "The order stays in its status until NP reports the money transfer."
                    )
                else:
                    moves.setdefault(stage.code, order.browse())
                    moves[stage.code] |= order
                    pending[order.id] = body
                    if stage.comment_required and not (order.operator_comment or "").strip():
                        comments[order] = _(
                            "Nova Poshta: %(status)s", status=waybill.status_text or ""
                        )
                    continue
            notes[order.id] = body
        if notes:
            Order = self.env["sale.order"].sudo()
            Order.browse(list(notes))._message_log_batch(bodies=notes)
        for order, comment in comments.items():
            order.write({"operator_comment": comment})
        return moves, pending

    def _np_write_order_facts(self, table=None):
        """Copy what the order flow knows of any carrier onto the order
        (only what changed: its automation rules react to these fields)."""
        for waybill in self:
            order = waybill.order_id.sudo()
            if order.np_waybill_id != waybill:
                continue
            if table is None:
                table = self.env["novaposhta.status.map"].sudo()._np_table()
            row = table.get(waybill.status_code) or self.env["novaposhta.status.map"]
            cod_state = (
                waybill.cod_transfer_state
                if waybill.cod_amount
                else ("none" if order.delivery_cod_state == "none" else order.delivery_cod_state)
            )
            vals = {
                "delivery_tracking_ref": waybill.name if waybill.state == "created" else False,
                "delivery_storage_until": waybill.storage_until or False,
                "delivery_cod_state": cod_state,
                "delivery_return_in_transit": bool(row.is_return)
                or order.delivery_return_in_transit,
            }
            if waybill.warehouse_id:
                vals["delivery_point_name"] = waybill.warehouse_id.name
                vals["delivery_point_address"] = waybill.warehouse_id.short_address or False
            vals = {
                key: value
                for key, value in vals.items()
                if order._order_flow_value_changes(key, value)
                and not (not order[key] and not value)
            }
            if vals:
                order.write(vals)

    # ----------------------------------------------------------------- actions
    def action_refresh(self):
        """Button: ask NP now about these waybills."""
        self.check_access("read")
        table = self.env["novaposhta.status.map"].sudo()._np_table()
        for waybill in self.sudo().filtered(lambda w: w.state == "created"):
            client = waybill.account_id._np_client()
            try:
                items = client.track([(waybill.name, waybill.recipient_phone)])
            except NovaPoshtaError as error:
                raise waybill.account_id._np_user_error(error) from error
            waybill._np_apply_tracking(items, table)
        return True

    # ------------------------------------------------------- NP side effects
    def _np_mark_created(self, data, warnings=None):
        """Store NP's answer to a save (or to the lookup of one)."""
        self.ensure_one()
        self.write(
            {
                "state": "created",
                "name": str(data.get("IntDocNumber") or data.get("Number") or ""),
                "ref": data.get("Ref"),
                "cost": to_float(data.get("CostOnSite") or data.get("Cost")),
                "estimated_delivery_date": parse_date(data.get("EstimatedDeliveryDate")),
                "status_code": str(data.get("StateId") or "1"),
                "status_text": _("Created, not handed over yet"),
                "status_date": fields.Datetime.now(),
                "tracking_active": True,
                "error_message": False,
            }
        )
        order = self.order_id.sudo()
        if self.picking_id and not self.picking_id.carrier_tracking_ref:
            self.picking_id.carrier_tracking_ref = self.name
        order.message_post(
            body=_(
                "Nova Poshta waybill %(number)s created for %(order)s.",
                number=self.name,
                order=order.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._np_write_order_facts()
        return self

    def _np_lookup(self, client):
        """Find at NP the waybill of an uncertain save, by our number."""
        self.ensure_one()
        date_from, date_to = self.env["delivery.carrier"]._np_lookup_window(self)
        try:
            found = client.find_waybills_by_barcode(self.client_barcode, date_from, date_to)
        except NovaPoshtaError as error:
            raise self.account_id._np_user_error(error) from error
        if not found:
            return False
        self._np_mark_created(found[0])
        if len(found) > 1:
            self.order_id.sudo().message_post(
                body=_(
                    "Nova Poshta has %(count)s waybills with the number %(barcode)s: the first "
                    "one was kept. Delete the others in the NP cabinet.",
                    count=len(found),
                    barcode=self.client_barcode,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _np_delete(self):
        """Delete the waybill at NP (only before NP accepted the parcel)."""
        for waybill in self:
            if waybill.status_code not in NOT_ACCEPTED_CODES:
                raise UserError(
                    _(
                        "Waybill %(number)s cannot be deleted: Nova Poshta has already accepted "
                        "the parcel (status: %(status)s).",
                        number=waybill.name,
                        status=waybill.status_text or waybill.status_code,
                    )
                )
            client = waybill.account_id._np_client()
            try:
                client.delete_waybills([waybill.ref])
            except NovaPoshtaError as error:
                raise waybill.account_id._np_user_error(error) from error
            number = waybill.name
            waybill.write(
                {
                    "state": "deleted",
                    "status_code": "2",
                    "status_text": _("Deleted"),
                    "tracking_active": False,
                }
            )
            order = waybill.order_id.sudo()
            if waybill.picking_id.carrier_tracking_ref == number:
                waybill.picking_id.carrier_tracking_ref = False
            if order.np_waybill_id == waybill:
                vals = {"np_waybill_id": False}
                if order.delivery_tracking_ref == number:
                    vals["delivery_tracking_ref"] = False
                if order.delivery_cod_state == "expected":
                    vals["delivery_cod_state"] = "none"
                order.write(vals)
            order.message_post(
                body=_("Nova Poshta waybill %(number)s deleted.", number=number),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_print_label(self):
        self.ensure_one()
        return self.order_id.action_np_print_label()
