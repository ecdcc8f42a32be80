"""The order's core in the order flow: its business status (the status
fields, the pipeline), ``create`` and ``write`` (the move into a status, with
the checks of ``sale_order_status_check.py`` before anything is written), the
automatic moves made for automation rules and carriers, and Odoo's own state
and lock following the status.

The other concerns of the order live next to this file, each in its own part
of the ``sale.order`` model:

- ``sale_order_status_check.py``: the status matrix, the entry validations
  of a status and the edit locks;
- ``sale_order_stage_history.py``: the status visits (history and time in
  status);
- ``sale_order_payment.py``: the paid amount and how the customer pays;
- ``sale_order_delivery.py``: the carrier-agnostic delivery facts;
- ``sale_order_rule_action.py``: the work automation rules call by name
  (reservation, shipment, returns, overdue notice, calls);
- ``sale_order_messaging.py``: customer messages (channel, sending window,
  message log, placeholders);
- ``sale_order_phone_order.py``: the one-screen phone order.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import (
    acting_as,
    changing_state,
    current_cause,
    error_text,
    is_changing_state,
    is_syncing_state,
    journal_note,
    syncing_state,
)
from .sale_order_phone_order import FORM_ONLY_FIELDS

_logger = logging.getLogger(__name__)

# Context keys that would keep a person's change of an order out of its
# chatter (tracking, the creation note): a client may not choose them.
UNAUDITED_CONTEXT_KEYS = ("tracking_disable", "mail_notrack", "mail_create_nolog")


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
    operator_comment = fields.Text(
        tracking=True,
        help="Required to cancel an order or register a return: say why.",
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
        if any(name in vals for name in FORM_ONLY_FIELDS):
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
            decision = order._order_flow_move_decision(stage, cause=cause)
            if decision["result"] == "skip":
                continue
            if decision["result"] == "refuse":
                order._order_flow_report_refused_move(stage, decision["reason"])
                continue
            try:
                with self.env.cr.savepoint():
                    order._order_flow_write_stage(stage, cause=cause)
                moved |= order
                journal_note(
                    order.id,
                    "done",
                    detail=_("Moved to “%(status)s”", status=stage.name),
                    stage_id=stage.id,
                )
            except (UserError, ValidationError) as error:
                order._order_flow_report_refused_move(stage, error)
        return moved

    def _order_flow_move_decision(self, stage, cause="rule"):
        """Whether an automatic move of the order into ``stage`` would be
        made, decided without writing anything: the status matrix and the
        entry validations, as the move itself checks them (the role of the
        user does not count). The one decision of the rules' moves, used when
        a rule moves an order and when an administrator tries a rule on past
        orders (the dry-run). Returns a dict: ``result`` 'move', 'skip' (the
        order is in the status already) or 'refuse', with the ``reason``."""
        self.ensure_one()
        if self.stage_id == stage:
            return {
                "result": "skip",
                "reason": _("The order is in the status “%(status)s” already.", status=stage.name),
            }
        running_cause, automation_id = current_cause()
        try:
            with acting_as(cause, automation_id if running_cause == cause else False):
                # sudo: an automatic move is made for the rule or the carrier,
                # not for the role of the user whose change started it.
                self.sudo()._order_flow_check_move(stage, {})
        except (UserError, ValidationError) as error:
            return {"result": "refuse", "reason": error_text(error)}
        return {"result": "move", "reason": False}

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
        reason = error if isinstance(error, str) else error_text(error)
        journal_note(self.id, "refused", reason=reason, stage_id=stage.id)
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
