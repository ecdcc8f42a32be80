import json
import logging
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import _, api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every

from odoo.addons.crm_order_flow.tools import error_text

from ..novaposhta import (
    NovaPoshtaError,
    parse_date,
    parse_datetime,
    to_float,
    waybill_barcode,
    waybill_is_deleted,
)
from ..novaposhta.client import TRACKING_BATCH

_logger = logging.getLogger(__name__)

STATES = [
    ("queued", "Queued"),
    ("sending", "Being sent"),
    ("uncertain", "Outcome unknown"),
    ("created", "Created"),
    ("deleting", "Deletion unconfirmed"),
    ("deleted", "Deleted"),
    ("extra", "Extra waybill at NP"),
]
# A live waybill: the order's one waybill, at NP or on its way there.
LIVE_STATES = ("queued", "sending", "uncertain", "created", "deleting")
# Work the scheduled action finishes without a person.
PENDING_STATES = ("queued", "sending", "uncertain", "deleting", "extra")
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
DELETED_CODE = "2"

# Failed attempts after which a person is asked to look.
MAX_ATTEMPTS = 8
# Seconds to wait before an uncertain request is looked up and sent again
# (NP may still be processing it), and the base of the back-off after a
# failure. A system parameter, so that a store can tune it.
RETRY_PARAM = "delivery_novaposhta.retry_seconds"
DEFAULT_RETRY_SECONDS = 60
# How far back the reconciliation looks for waybills Odoo does not know.
RECONCILE_DAYS = 3
# Another transaction holds or changed the row: try again later.
CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable)


class NovaPoshtaWaybill(models.Model):
    """A Nova Poshta waybill (ТТН/ЕН) of an order and its last known
    tracking state. At most one live waybill per order (a unique index
    guards it).

    Life of a waybill: *queued* (the order flow asked for it; the scheduled
    action sends it after the status move is committed) → *being sent* (the
    request is saved before it goes) → *created*, or *outcome unknown* when
    NP's answer did not come (looked up at NP before anything is sent again)
    → *deletion unconfirmed* / *deleted*. A waybill found at NP that Odoo did
    not know is adopted by its order or, if the order already has one,
    deleted at NP (*extra* while NP has not confirmed it, or when NP has
    already accepted the parcel: then a person decides)."""

    _name = "novaposhta.waybill"
    _description = "Nova Poshta Waybill"
    _order = "id desc"

    name = fields.Char(string="Waybill number", index=True, copy=False, readonly=True)
    ref = fields.Char(string="NP reference", index="btree_not_null", copy=False, readonly=True)
    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", readonly=True
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Transfer", index="btree_not_null", readonly=True
    )
    carrier_id = fields.Many2one(
        "delivery.carrier", string="Delivery method", required=True, readonly=True
    )
    account_id = fields.Many2one("novaposhta.account", string="NP account", readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    state = fields.Selection(STATES, default="queued", required=True, index=True, readonly=True)
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
    storage_amount = fields.Float(
        string="Storage charge",
        readonly=True,
        help="What NP charges for storage at the branch so far (StorageAmount, or "
        "StoragePrice when only it is given).",
    )
    cod_amount = fields.Float(string="Cash on delivery amount", readonly=True)
    cod_transfer_state = fields.Selection(
        COD_TRANSFER_STATES, string="Money transfer", default="none", required=True, readonly=True
    )
    return_number = fields.Char(string="Return waybill", readonly=True)
    warehouse_id = fields.Many2one("novaposhta.warehouse", string="Branch or locker", readonly=True)
    error_message = fields.Char(string="Last error", readonly=True)
    attempts = fields.Integer(
        readonly=True, help="Requests sent for this waybill without a settled outcome."
    )
    send_date = fields.Datetime(string="Last request sent", readonly=True)
    next_try = fields.Datetime(
        string="Next automatic attempt",
        readonly=True,
        index=True,
        help="When the scheduled action looks this waybill up or sends it again.",
    )
    needs_attention = fields.Boolean(
        string="Needs a person",
        readonly=True,
        index=True,
        help="Its outcome at NP is uncertain and the automatic reconciliation could not settle it.",
    )
    np_request = fields.Text(
        string="Last request to NP",
        readonly=True,
        help="The waybill as it was sent (what the look-up compares with NP's list).",
    )
    np_answer = fields.Text(string="Last answer from NP", readonly=True)

    def init(self):
        # Never two live waybills for one order, whatever the code path.
        self.env.cr.execute("DROP INDEX IF EXISTS novaposhta_waybill_one_live_per_order")
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS novaposhta_waybill_one_live_order "
            "ON novaposhta_waybill (order_id) WHERE state NOT IN ('deleted', 'extra')"
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

    # ------------------------------------------------------ system fields only
    @api.model
    def _np_system_field_names(self):
        """Every stored field: a waybill holds what NP answered and what the
        addon did, nothing a person types."""
        return [
            name
            for name, field in self._fields.items()
            if field.store and name not in models.MAGIC_COLUMNS and name != "display_name"
        ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                _(
                    "Nova Poshta waybills are created only by the “Create waybill” button, "
                    "the order flow and the scheduled actions."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and vals:
            fields_text = ", ".join(
                "“%s”" % self._fields[name]._description_string(self.env)
                for name in vals
                if name in self._fields
            )
            raise AccessError(
                _(
                    "%(fields)s of a Nova Poshta waybill are set by the system only "
                    "(from Nova Poshta's answers) and cannot be changed by hand.",
                    fields=fields_text or ", ".join(vals),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_at_np(self):
        if not self.env.su and any(waybill.state not in ("queued", "deleted") for waybill in self):
            raise UserError(
                _(
                    "A waybill that exists (or may exist) at Nova Poshta cannot be removed "
                    "here: delete it with the “Delete waybill” button of its order."
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
                batch = self._np_tracking_batch(ids)
                if not batch:
                    continue
                try:
                    items = client.track([(w.name, w.recipient_phone) for w in batch])
                except NovaPoshtaError as error:
                    _logger.info(
                        "Nova Poshta tracking batch failed: %s", account._np_error_text(error)
                    )
                    if error.is_key_expired:
                        account._np_warn_key("expired")
                    batch.write({"error_message": account._np_problem_text(error)[:250]})
                    stats["failed_batches"] = stats.get("failed_batches", 0) + 1
                    continue
                batch_plan = {"moves": {}, "notes": {}}
                try:
                    with self.env.cr.savepoint():
                        batch._np_apply_tracking(items, table, stats, plan=batch_plan)
                    for code, orders in batch_plan["moves"].items():
                        plan["moves"][code] = plan["moves"].get(code, orders.browse()) | orders
                    plan["notes"].update(batch_plan["notes"])
                except CONCURRENCY_ERRORS as error:
                    # a person changed one of these orders meanwhile: next run
                    _logger.info("Nova Poshta tracking batch left for the next run: %s", error)
                    stats["busy_batches"] = stats.get("busy_batches", 0) + 1
        if self.env.context.get("cron_id"):
            self._np_commit()
        self._np_move_orders(plan)
        return stats

    def _np_tracking_batch(self, ids):
        """The waybills of ``ids`` still created that nobody else is changing
        now. Run as the scheduled action, each batch starts a transaction of
        its own (a fresh view: what a person changed meanwhile is seen, not
        overwritten), and the rows are locked, skipping those another
        transaction holds."""
        if self.env.context.get("cron_id"):
            # The scheduled action only (cron_id is set by Odoo's cron
            # runner): the batches before are done; commit them.
            self._np_commit()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM novaposhta_waybill WHERE id IN %s AND state = 'created' "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        tuple(ids),
                    ),
                    log_exceptions=False,
                )
                locked = [row[0] for row in self.env.cr.fetchall()]
        except CONCURRENCY_ERRORS:
            return self.browse()
        return self.browse([waybill_id for waybill_id in ids if waybill_id in set(locked)])

    @api.model
    def _np_move_orders(self, plan):
        """Move the orders per target status code: the whole group in one
        move with the cause “carrier” (``_order_flow_write_stage``; what
        ``_order_flow_carrier_move`` does order by order), the NP note of each
        order being the body of
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
                    orders._order_flow_write_stage(stage, cause="carrier")
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
        deleted = self.browse()
        for waybill in self:
            item = by_number.get(waybill.name)
            if item and str(item.get("StatusCode") or "").strip() == DELETED_CODE:
                # Deleted at NP (a lost answer to our delete, or by hand in
                # the NP cabinet): the order may get a new waybill.
                deleted |= waybill
                continue
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
        for waybill in deleted:
            if not self._np_lock_order(waybill.order_id):
                continue  # a person is at it: the next run
            waybill._np_mark_deleted(
                _(
                    "Nova Poshta reports waybill %(number)s as deleted.",
                    number=waybill.name,
                )
            )
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
            "storage_amount": to_float(item.get("StorageAmount"))
            or to_float(item.get("StoragePrice"))
            or self.storage_amount,
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
        # sudo: storing NP's answer is the system's work, whoever asks for it.
        for waybill in self.sudo().filtered(lambda w: w.state == "created"):
            client = waybill.account_id._np_client()
            try:
                items = client.track([(waybill.name, waybill.recipient_phone)])
            except NovaPoshtaError as error:
                raise waybill.account_id._np_user_error(error) from error
            waybill._np_apply_tracking(items, table)
        return True

    def action_print_label(self):
        self.ensure_one()
        return self.order_id.action_np_print_label()

    def action_np_recheck(self):
        """Button of the “Waybills to check” list: ask NP again now about
        waybills whose outcome is uncertain (look-up, then what the look-up
        says: adopt, send again, confirm a deletion)."""
        self.check_access("write")
        # sudo: the check itself is the system's work (NP's answers only).
        waybills = self.sudo().filtered(lambda w: w.state in PENDING_STATES)
        waybills.write({"needs_attention": False, "next_try": False, "attempts": 0})
        lists = {}
        for waybill in waybills:
            waybill._np_process(lists, commit=False)
        settled = waybills.filtered(lambda w: w.state in ("created", "deleted"))
        left = waybills - settled
        if left.filtered("needs_attention"):
            message = _(
                "%(left)s of %(total)s waybills still need a person: %(reasons)s",
                left=len(left.filtered("needs_attention")),
                total=len(waybills),
                reasons="; ".join(
                    filter(None, left.filtered("needs_attention").mapped("error_message"))
                ),
            )
            kind = "warning"
        elif left:
            message = _(
                "%(settled)s of %(total)s waybills settled; the others are retried automatically.",
                settled=len(settled),
                total=len(waybills),
            )
            kind = "info"
        else:
            message = _("All %(total)s waybills are settled.", total=len(waybills))
            kind = "success"
        return self.env["sale.order"]._np_notify(message, kind)

    # ------------------------------------------------------- NP side effects
    @api.model
    def _np_retry_seconds(self):
        try:
            value = float(
                self.env["ir.config_parameter"].sudo().get_param(RETRY_PARAM)
                or DEFAULT_RETRY_SECONDS
            )
        except ValueError:
            value = DEFAULT_RETRY_SECONDS
        return max(value, 0.0)

    def _np_in_flight_seconds(self):
        """How long a request may still be under way (all its attempts)."""
        self.ensure_one()
        return 3 * (self.account_id.timeout or 15.0) + 5

    def _np_is_in_flight(self):
        """A request for this waybill went a moment ago and may still be
        answered: nobody else may look it up or send it now."""
        self.ensure_one()
        return (
            self.state == "sending"
            and self.send_date
            and self.send_date
            > fields.Datetime.now() - timedelta(seconds=self._np_in_flight_seconds())
        )

    @api.model
    def _np_commit(self):
        """Scheduled actions only: make the saved state of a vendor call
        durable before (or after) the call, so that a crash in between can be
        reconciled with NP. Tests run inside one transaction: there the
        savepoints around each step give the same isolation."""
        if not modules.module.current_test:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _np_lock_order(self, order):
        """Lock the order's row and its waybills' rows for this transaction,
        without waiting: False when another transaction holds them (a
        colleague's click, a scheduled action) or changed them since this
        transaction began (writing them then would fail). Nothing is logged:
        the caller says what to do."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                        order.id,
                    ),
                    log_exceptions=False,
                )
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM novaposhta_waybill WHERE order_id = %s "
                        "FOR NO KEY UPDATE NOWAIT",
                        order.id,
                    ),
                    log_exceptions=False,
                )
        except CONCURRENCY_ERRORS:
            return False
        return True

    @api.model
    def _np_lock_order_or_refuse(self, order):
        """A person's action on the order's waybill: lock the order first; a
        colleague already at it gets a clear message (nothing is logged)."""
        if not self._np_lock_order(order):
            raise UserError(
                _(
                    "The Nova Poshta waybill of order %(order)s is already being created or "
                    "changed by someone else right now. Wait a moment and look at the order "
                    "again.",
                    order=order.name,
                )
            )

    def _np_trigger(self, at=None):
        cron = self.env.ref("delivery_novaposhta.ir_cron_np_waybills", raise_if_not_found=False)
        if cron:
            # sudo: any user whose action queues NP work may wake the
            # scheduled action up; it runs with its own rights.
            cron.sudo()._trigger(at=at)

    def _np_expected(self):
        self.ensure_one()
        try:
            return json.loads(self.np_request or "{}")
        except ValueError:
            return {}

    def _np_mark_created(self, data, adopted=False):
        """Store NP's answer to a save (or the list row of the look-up)."""
        self.ensure_one()
        number = str(data.get("IntDocNumber") or data.get("Number") or "")
        try:
            estimated = parse_date(data.get("EstimatedDeliveryDate"))
        except ValueError:
            estimated = False  # an unknown date format must not lose the waybill
        self.write(
            {
                "state": "created",
                "name": number,
                "ref": data.get("Ref"),
                "cost": to_float(data.get("CostOnSite")),
                "estimated_delivery_date": estimated,
                "status_code": str(data.get("StateId") or "1"),
                "status_text": data.get("StateName") or _("Created, not handed over yet"),
                "status_date": fields.Datetime.now(),
                "tracking_active": True,
                "error_message": False,
                "needs_attention": False,
                "next_try": False,
                "attempts": 0,
                "np_answer": json.dumps(data, ensure_ascii=False, default=str)[:4000],
            }
        )
        order = self.order_id.sudo()
        if not order.np_waybill_id or order.np_waybill_id.state not in LIVE_STATES:
            order.np_waybill_id = self
        if self.picking_id and not self.picking_id.carrier_tracking_ref:
            self.picking_id.sudo().carrier_tracking_ref = self.name
        if adopted:
            body = _(
                "Nova Poshta waybill %(number)s of %(order)s was found at Nova Poshta after "
                "an uncertain request and is now the order's waybill (nothing was sent twice).",
                number=self.name,
                order=order.name,
            )
        else:
            body = _(
                "Nova Poshta waybill %(number)s created for %(order)s.",
                number=self.name,
                order=order.name,
            )
        if order.np_waybill_id == self and order.delivery_tracking_ref != self.name:
            # the note is the body of the message that tracks the new number
            order._track_set_log_message(body)
        else:
            order.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._np_write_order_facts()
        self._np_close_person_activity()
        return self

    def _np_close_person_activity(self):
        """The waybill is created after all: the activity about its problem
        is done."""
        self.ensure_one()
        order = self.order_id.sudo()
        summary = self._np_activity_summary()
        activities = order.activity_ids.filtered(lambda activity: activity.summary == summary)
        if activities:
            activities.action_feedback(feedback=_("Waybill %(number)s created.", number=self.name))

    def _np_mark_uncertain(self, error, state="uncertain"):
        """NP's answer did not come: keep the marker (``state``: outcome
        unknown, deletion unconfirmed, extra), look it up later."""
        self.ensure_one()
        account = self.account_id
        text = account._np_problem_text(error)
        attempts = self.attempts + (0 if self.state == "sending" else 1)
        next_try = fields.Datetime.now() + timedelta(seconds=self._np_retry_seconds())
        self.write(
            {
                "state": state,
                "error_message": text[:250],
                "attempts": max(attempts, 1),
                "next_try": next_try,
            }
        )
        if self.attempts >= MAX_ATTEMPTS:
            self._np_ask_a_person(text)
        else:
            self._np_trigger(at=next_try)
        return text

    def _np_retry_later(self, error, state=None):
        """A failure that changed nothing at NP: try again after a pause
        that grows with each attempt."""
        self.ensure_one()
        text = self.account_id._np_problem_text(error)
        attempts = self.attempts + (0 if self.state == "sending" else 1)
        delay = self._np_retry_seconds() * (2 ** min(max(attempts - 1, 0), 3))
        next_try = fields.Datetime.now() + timedelta(seconds=delay)
        self.write(
            {
                "state": state or self.state,
                "error_message": text[:250],
                "attempts": max(attempts, 1),
                "next_try": next_try,
            }
        )
        if self.attempts >= MAX_ATTEMPTS:
            self._np_ask_a_person(text)
        else:
            if self.attempts == 1:
                self._np_report_failure(text)
            self._np_trigger(at=next_try)
        return text

    def _np_lang(self):
        """The language of the order's salesperson (else the company's): the
        scheduled actions write their notes and activities in it."""
        self.ensure_one()
        order = self.sudo().order_id
        return order.user_id.lang or order.company_id.partner_id.lang or self.env.lang

    def _np_activity_summary(self):
        """The summary of the activity about this waybill, always in the
        order's language, so that it is found again whoever acts."""
        return self.with_context(lang=self._np_lang()).env._("Check the Nova Poshta waybill")

    def _np_person_activity(self, note):
        """One open activity “Check the Nova Poshta waybill” on the order for
        its salesperson: a later problem of the same waybill updates it
        instead of adding another."""
        self.ensure_one()
        order = self.order_id.sudo()
        summary = self._np_activity_summary()
        todo = self.env.ref("mail.mail_activity_data_todo")
        existing = order.activity_ids.filtered(
            lambda activity: activity.activity_type_id == todo and activity.summary == summary
        )[:1]
        if existing:
            existing.note = note
            return existing
        order._order_flow_salesperson_activity("mail.mail_activity_data_todo", summary, note=note)
        return order.activity_ids.filtered(lambda activity: activity.summary == summary)[:1]

    def _np_report_failure(self, reason):
        """The first failed attempt of a queued waybill: the order gets one
        note and its salesperson one activity saying why and that the
        scheduled action tries again (the warning on the order shows the
        latest reason)."""
        self.ensure_one()
        order = self.order_id.sudo()
        body = _(
            "The Nova Poshta waybill of %(order)s is not created yet: %(reason)s It is tried "
            "again automatically; nothing is sent twice. If the problem lasts, check the "
            "Nova Poshta account or create the waybill with the “Create waybill” button.",
            order=order.name,
            reason=reason,
        )
        order.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._np_person_activity(body)

    def _np_ask_a_person(self, reason):
        """The reconciliation cannot settle this waybill alone: it shows in
        “Waybills to check”, and the order's salesperson gets one activity."""
        self.ensure_one()
        self.write({"needs_attention": True, "error_message": (reason or "")[:250]})
        order = self.order_id.sudo()
        order.message_post(
            body=_(
                "Nova Poshta waybill of %(order)s needs a person: %(reason)s Open Sales › "
                "Nova Poshta › Waybills to check and press “Check again” once "
                "the cause is fixed.",
                order=order.name,
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._np_person_activity(reason)

    def _np_mark_deleted(self, note=None):
        """The waybill no longer exists at NP: the order may get a new one."""
        for waybill in self:
            number = waybill.name
            waybill.write(
                {
                    "state": "deleted",
                    "status_code": DELETED_CODE,
                    "status_text": _("Deleted"),
                    "tracking_active": False,
                    "needs_attention": False,
                    "next_try": False,
                    "error_message": False,
                }
            )
            order = waybill.order_id.sudo()
            if number and waybill.picking_id.carrier_tracking_ref == number:
                waybill.picking_id.sudo().carrier_tracking_ref = False
            if order.np_waybill_id == waybill:
                vals = {"np_waybill_id": False}
                if number and order.delivery_tracking_ref == number:
                    vals["delivery_tracking_ref"] = False
                if order.delivery_cod_state == "expected":
                    vals["delivery_cod_state"] = "none"
                order.write(vals)
            order.message_post(
                body=note
                or _("Nova Poshta waybill %(number)s deleted.", number=number or order.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _np_refused(self, reason):
        """NP (or the order's data) refused the waybill: nothing exists at
        NP. The queued request is dropped and the order is postponed with a
        note and one activity for its salesperson."""
        self.ensure_one()
        order = self.order_id.sudo()
        if order.np_waybill_id == self:
            order.np_waybill_id = False
        self.unlink()
        self.env["delivery.carrier"]._np_postpone(order, reason)

    # ----------------------------------------------------------- the look-up
    def _np_lookup_window(self):
        self.ensure_one()
        start = (self.create_date or fields.Datetime.now()).date() - timedelta(days=1)
        return start, fields.Date.context_today(self) + timedelta(days=1)

    def _np_list(self, client, lists=None):
        """NP's waybill list around this waybill's creation (shared by the
        waybills of one run through ``lists``)."""
        self.ensure_one()
        date_from, date_to = self._np_lookup_window()
        key = (self.account_id.id, date_from, date_to)
        if lists is not None and key in lists:
            return lists[key]
        items = client.list_waybills(date_from, date_to)
        if lists is not None:
            lists[key] = items
        return items

    def _np_lookup(self, client, lists=None):
        """Find at NP the waybill of an uncertain save: by our number when
        NP's list carries it, else by what the waybill contains (recipient
        phone, date, declared value, places, weight, description, city,
        branch). Waybills Odoo already knows are not candidates.

        → ``"found"`` (adopted), ``"none"``, or ``"ambiguous"`` (several
        waybills look like it and none carries our number: a person
        decides; nothing is sent again)."""
        self.ensure_one()
        items = self._np_list(client, lists)
        found = client.find_waybills(
            None, None, barcode=self.client_barcode, expected=self._np_expected(), items=items
        )
        if found:
            known = set(
                self.sudo()
                .search([("ref", "in", [item.get("Ref") for item in found])])
                .mapped("ref")
            )
            found = [item for item in found if item.get("Ref") not in known]
        if not found:
            return "none"
        by_barcode = [item for item in found if waybill_barcode(item)]
        if len(found) > 1 and not by_barcode:
            self._np_ask_a_person(
                _(
                    "%(count)s waybills at Nova Poshta look like the one of %(order)s "
                    "(%(numbers)s) and none carries the order number: keep the right one, "
                    "delete the others in the NP cabinet.",
                    count=len(found),
                    order=self.order_id.name,
                    numbers=", ".join(str(item.get("IntDocNumber") or "") for item in found),
                )
            )
            return "ambiguous"
        chosen = sorted(by_barcode or found, key=lambda item: str(item.get("IntDocNumber")))
        self._np_mark_created(chosen[0], adopted=True)
        if len(chosen) > 1:
            # The others are extra waybills: the reconciliation deletes them.
            self._np_trigger()
        return "found"

    # ---------------------------------------------------------- the sending
    def _np_claim_and_prepare(self, client):
        """Under the order's lock: the save properties, and the waybill
        marked “being sent” (the request is saved before it goes)."""
        self.ensure_one()
        carrier = self.carrier_id.sudo()
        order = self.order_id.sudo()
        preset = carrier._np_preset(order)
        props, cod = carrier._np_waybill_properties(order, client, preset)
        attempts = self.attempts + 1
        self.write(
            {
                "state": "sending",
                "account_id": carrier._np_account().id,
                "send_date": fields.Datetime.now(),
                "next_try": fields.Datetime.now()
                + timedelta(seconds=self._np_in_flight_seconds() + self._np_retry_seconds()),
                "attempts": attempts,
                "client_barcode": props.get("InfoRegClientBarcodes") or order.name,
                "recipient_phone": props["RecipientsPhone"],
                "cod_amount": cod,
                "cod_transfer_state": "expected" if cod else "none",
                "warehouse_id": order.np_warehouse_id.id
                if order.np_delivery_mode != "address"
                else False,
                "np_request": json.dumps(props, ensure_ascii=False, default=str),
            }
        )
        return props

    def _np_send(self, client, props):
        """Send the claimed waybill; store what NP said. → the outcome:
        ``"created"``, ``"uncertain"``, ``"retry"`` or ``"refused"``."""
        self.ensure_one()
        try:
            data = client.save_waybill(props)
        except NovaPoshtaError as error:
            if error.is_key_expired:
                self.account_id._np_warn_key("expired")
            if error.uncertain:
                self._np_mark_uncertain(error)
                return "uncertain"
            if error.is_business:
                self._np_refused(self.account_id._np_problem_text(error))
                return "refused"
            self._np_retry_later(error, state="queued")
            return "retry"
        self._np_mark_created(data)
        return "created"

    # --------------------------------------------- the scheduled action's work
    @api.model
    def _cron_process_waybills(self, limit=200):
        """Send the queued waybills and settle the uncertain ones, each in
        its own transaction: the “being sent” state is committed before
        the request goes, and the outcome after it; an uncertain save is
        looked up at NP before it is sent again; an unconfirmed deletion is
        checked with NP's tracking. One bad waybill never stops the rest."""
        self = self.sudo()
        now = fields.Datetime.now()
        domain = [
            ("state", "in", PENDING_STATES),
            ("needs_attention", "=", False),
            "|",
            ("next_try", "=", False),
            ("next_try", "<=", now),
        ]
        ids = self.search(domain, order="next_try asc nulls first, id", limit=limit).ids
        lists = {}
        stats = {}
        for waybill_id in ids:
            # each waybill in a transaction of its own, begun at its lock: it
            # sees what was committed before, nobody changes it meanwhile
            self._np_commit()
            try:
                waybill = self.browse(waybill_id)
                # notes and activities in the language of the people who read them
                outcome = waybill.with_context(lang=waybill._np_lang())._np_process(lists)
            except Exception:  # noqa: BLE001 - one bad waybill never stops the rest
                _logger.warning(
                    "Nova Poshta waybill %s not processed, retried later", waybill_id, exc_info=True
                )
                outcome = "failed"
            stats[outcome] = stats.get(outcome, 0) + 1
        remaining = self.search_count(domain) if len(ids) >= limit else 0
        self.env["ir.cron"]._notify_progress(done=len(ids), remaining=remaining)
        return stats

    def _np_process(self, lists=None, commit=True):
        """Move one pending waybill on (see :meth:`_cron_process_waybills`).
        ``commit=False``: a person's click, inside the request's transaction."""
        self.ensure_one()
        client = None
        props = None
        try:
            with self.env.cr.savepoint():
                if not self._np_lock_order(self.order_id):
                    return "busy"
                self.invalidate_recordset()
                if not self.exists() or self.state not in PENDING_STATES:
                    return "settled"
                if self._np_is_in_flight():
                    return "in_flight"
                account = self.account_id or self.carrier_id.sudo()._np_account()
                client = account._np_client()
                if self.state in ("deleting", "extra"):
                    return self._np_settle_deletion(client, lists)
                if self.state in ("sending", "uncertain"):
                    found = self._np_lookup(client, lists)
                    if found != "none":
                        return found
                props = self._np_claim_and_prepare(client)
        except NovaPoshtaError as error:
            return self._np_process_failed(error)
        except (UserError, ValidationError) as error:
            # The order's data no longer allows a waybill: nothing went to NP.
            with self.env.cr.savepoint():
                self._np_refused(error_text(error))
            return "refused"
        if commit:
            self._np_commit()
        try:
            with self.env.cr.savepoint():
                outcome = self._np_send(client, props)
        except Exception:  # noqa: BLE001 - the request went: whatever failed after it,
            # the waybill stays "being sent" and is looked up at NP later.
            _logger.warning(
                "Nova Poshta waybill of %s: failure after the request, left for the look-up",
                self.order_id.name,
                exc_info=True,
            )
            outcome = "crashed"
        if commit:
            self._np_commit()
        return outcome

    def _np_process_failed(self, error):
        """A look-up or a preparation call failed before anything was sent."""
        with self.env.cr.savepoint():
            if error.is_business and self.state == "queued":
                self._np_refused(self.account_id._np_problem_text(error))
                return "refused"
            self._np_retry_later(error)
        return "retry"

    # ----------------------------------------------------------- deletions
    def _np_tracking_status(self, client):
        """NP's status code of this waybill now (tracking), or ``""``."""
        self.ensure_one()
        items = client.track([(self.name, self.recipient_phone)])
        item = next((i for i in items if str(i.get("Number")) == str(self.name)), None)
        return str((item or {}).get("StatusCode") or "").strip()

    def _np_delete_at_np(self, client):
        """Send the delete; → ``"deleted"`` or ``"uncertain"``; NP's refusal
        is checked against NP's tracking first (an earlier delete whose answer
        was lost makes the second one fail) and raised if it stands."""
        self.ensure_one()
        extra = self.state == "extra"
        try:
            client.delete_waybills([self.ref])
        except NovaPoshtaError as error:
            if error.uncertain:
                self._np_mark_uncertain(error, state="extra" if extra else "deleting")
                return "uncertain"
            if error.is_business and self._np_tracking_status(client) == DELETED_CODE:
                self._np_mark_deleted(self._np_deleted_note())
                return "deleted"
            raise
        self._np_mark_deleted(self._np_deleted_note())
        return "deleted"

    def _np_deleted_note(self):
        if self.state == "extra":
            return _(
                "Extra Nova Poshta waybill %(number)s of %(order)s deleted at Nova Poshta "
                "(the order keeps waybill %(kept)s).",
                number=self.name,
                order=self.order_id.name,
                kept=self.order_id.np_waybill_id.name or "—",
            )
        return None

    def _np_settle_deletion(self, client, lists=None):
        """An unconfirmed deletion (or an extra waybill): what does NP say?"""
        self.ensure_one()
        status = self._np_tracking_status(client)
        if status in ("", "3"):
            # Tracking does not know it: is it still in the sender's list?
            live = {item.get("Ref") for item in self._np_list(client, lists)}
            status = "1" if self.ref in live else DELETED_CODE
        if status == DELETED_CODE:
            self._np_mark_deleted(self._np_deleted_note())
            return "deleted"
        if status in NOT_ACCEPTED_CODES:
            try:
                return self._np_delete_at_np(client)
            except NovaPoshtaError as error:
                if not error.is_business:
                    raise
                reason = self.account_id._np_problem_text(error)
        else:
            reason = _(
                "Nova Poshta has accepted the parcel of waybill %(number)s (status %(code)s): "
                "it can no longer be deleted.",
                number=self.name,
                code=status,
            )
        if self.state == "extra":
            self._np_ask_a_person(
                _(
                    "Order %(order)s has an extra Nova Poshta waybill %(number)s that could "
                    "not be deleted: %(reason)s",
                    order=self.order_id.name,
                    number=self.name,
                    reason=reason,
                )
            )
            return "attention"
        # The deletion did not happen: the waybill stays the order's one.
        self.write(
            {
                "state": "created",
                "status_code": status if status not in ("", "3") else self.status_code,
                "error_message": reason[:250],
                "next_try": False,
                "attempts": 0,
            }
        )
        self.order_id.sudo().message_post(body=reason, subtype_xmlid="mail.mt_note")
        return "kept"

    def _np_delete(self):
        """Delete the waybills at NP (only before NP accepted the parcel).
        → ``{waybill id: "deleted" | "uncertain"}``; NP's refusal raises."""
        outcomes = {}
        for waybill in self:
            self._np_lock_order_or_refuse(waybill.order_id)
            client = waybill.account_id._np_client()
            try:
                if waybill.state == "deleting":
                    outcomes[waybill.id] = waybill._np_settle_deletion(client)
                    continue
                if waybill.status_code not in NOT_ACCEPTED_CODES:
                    raise UserError(
                        _(
                            "Waybill %(number)s cannot be deleted: Nova Poshta has already "
                            "accepted the parcel (status: %(status)s).",
                            number=waybill.name,
                            status=waybill.status_text or waybill.status_code,
                        )
                    )
                waybill.write({"send_date": fields.Datetime.now()})
                outcomes[waybill.id] = waybill._np_delete_at_np(client)
            except NovaPoshtaError as error:
                raise waybill.account_id._np_user_error(error) from error
        return outcomes

    # ------------------------------------------------------ the reconciliation
    @api.model
    def _cron_reconcile_waybills(self, days=RECONCILE_DAYS):
        """Find the live waybills at NP of our orders that Odoo does not know
        (a save NP processed after we gave up, a transaction rolled back after
        NP answered): each order adopts one if it has none, the others are
        deleted at NP (or shown to a person when NP has accepted them).
        Nothing is ever created here."""
        self = self.sudo()
        stats = {}
        today = fields.Date.context_today(self)
        accounts = self.env["novaposhta.account"].sudo().search([("api_key", "!=", False)])
        for account in accounts:
            try:
                client = account._np_client()
                items = client.list_waybills(
                    today - timedelta(days=days), today + timedelta(days=1)
                )
                orphans = self._np_orphans(client, items)
            except (NovaPoshtaError, UserError) as error:
                _logger.info(
                    "Nova Poshta reconciliation of %s skipped: %s",
                    account.name,
                    account._np_error_text(error),
                )
                stats["failed_accounts"] = stats.get("failed_accounts", 0) + 1
                continue
            orders = (
                self.env["sale.order"]
                .sudo()
                .search([("name", "in", list(orphans)), ("company_id", "=", account.company_id.id)])
            )
            for order in orders:
                self._np_commit()  # a transaction per order, begun at its lock
                try:
                    with self.env.cr.savepoint():
                        outcome = self._np_settle_orphans(
                            order, orphans[order.name], account, client
                        )
                except Exception:  # noqa: BLE001 - one bad order never stops the rest
                    _logger.warning(
                        "Nova Poshta reconciliation of %s failed, retried later",
                        order.name,
                        exc_info=True,
                    )
                    outcome = {"failed": 1}
                self._np_commit()
                for key, count in outcome.items():
                    stats[key] = stats.get(key, 0) + count
        return stats

    @api.model
    def _np_orphans(self, client, items):
        """``{our number: [list rows]}`` of the live waybills Odoo does not
        know; our number comes from the list or, when NP's list lacks it,
        from NP's tracking (``ClientBarcode``)."""
        live = [item for item in items if item.get("Ref") and not waybill_is_deleted(item)]
        known = set(self.search([("ref", "in", [item["Ref"] for item in live])]).mapped("ref"))
        unknown = [item for item in live if item["Ref"] not in known]
        missing = [
            item for item in unknown if not waybill_barcode(item) and item.get("IntDocNumber")
        ]
        for batch in split_every(TRACKING_BATCH, missing):
            answers = client.track(
                [(str(item["IntDocNumber"]), item.get("RecipientsPhone") or "") for item in batch]
            )
            barcodes = {
                str(answer.get("Number")): waybill_barcode(answer)
                for answer in answers
                if isinstance(answer, dict)
            }
            for item in batch:
                item["ClientBarcode"] = barcodes.get(str(item["IntDocNumber"]), "")
        orphans = {}
        for item in unknown:
            barcode = waybill_barcode(item)
            if barcode:
                orphans.setdefault(barcode, []).append(item)
        return orphans

    @api.model
    def _np_settle_orphans(self, order, items, account, client):
        """One order's waybills at NP that Odoo does not know."""
        stats = {}
        if not self._np_lock_order(order):
            stats["busy"] = 1
            return stats
        order = order.sudo()
        waybills = self.search([("order_id", "=", order.id)])
        known = set(waybills.mapped("ref"))
        items = sorted(
            (item for item in items if item["Ref"] not in known),
            key=lambda item: str(item.get("IntDocNumber") or ""),
        )
        live = waybills.filtered(lambda w: w.state in LIVE_STATES)[:1]
        if live and live._np_is_in_flight():
            # Its own request may be the one we see: settled by its answer.
            stats["in_flight"] = 1
            return stats
        carrier = order.carrier_id if order.carrier_id.delivery_type == "novaposhta" else False
        # the delivery method the waybill was made with (the order's may have changed)
        extra_carrier = (
            carrier
            or waybills[:1].carrier_id
            or self.env["delivery.carrier"].search([("np_account_id", "=", account.id)], limit=1)
        )
        for item in items:
            if live and live.state in ("queued", "sending", "uncertain"):
                live._np_mark_created(item, adopted=True)
                stats["adopted"] = stats.get("adopted", 0) + 1
                continue
            if not waybills and order.state != "cancel" and carrier:
                # The waybill's record was rolled back after NP made it.
                live = self.create(
                    {
                        "order_id": order.id,
                        "carrier_id": carrier.id,
                        "account_id": account.id,
                        "state": "uncertain",
                        "client_barcode": order.name,
                        "recipient_phone": item.get("RecipientsPhone") or False,
                    }
                )
                live._np_mark_created(item, adopted=True)
                waybills |= live
                stats["adopted"] = stats.get("adopted", 0) + 1
                continue
            extra = self.create(
                {
                    "order_id": order.id,
                    "carrier_id": extra_carrier.id,
                    "account_id": account.id,
                    "state": "extra",
                    "name": str(item.get("IntDocNumber") or ""),
                    "ref": item["Ref"],
                    "client_barcode": order.name,
                    "recipient_phone": item.get("RecipientsPhone") or False,
                    "status_code": str(item.get("StateId") or "1"),
                    "np_answer": json.dumps(item, ensure_ascii=False, default=str)[:4000],
                }
            )
            waybills |= extra
            try:
                with self.env.cr.savepoint():
                    outcome = extra._np_settle_deletion(client)
            except NovaPoshtaError as error:
                with self.env.cr.savepoint():
                    if error.is_business:
                        extra._np_ask_a_person(account._np_problem_text(error))
                        outcome = "attention"
                    else:
                        extra._np_retry_later(error)
                        outcome = "retry"
            stats[f"extra_{outcome}"] = stats.get(f"extra_{outcome}", 0) + 1
        return stats
