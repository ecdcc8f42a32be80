"""The work automation rules ask of an order by name (the rules' server
actions call these methods, see ``data/base_automation_data.xml``): stock
reservation, shipment registration with the carrier, goods returned to stock,
the overdue notice, a customer's call. Each reports a failure on the order and
gives the salesperson a to-do rather than undoing what triggered the rule. The
customer messages rules send are in ``sale_order_messaging.py``."""

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

from ..tools import error_text, syncing_state


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    # Who gets the “Assemble the order!” to-do of the rule on paid orders.
    warehouse_user_id = fields.Many2one(
        related="company_id.order_flow_warehouse_user_id", string="Warehouse user"
    )

    def _order_flow_reserve(self, failure_code="offer_replacement"):
        """Auto-reservation (the rules “New: auto-reservation” and “Awaiting
        stock arrival” / “Customer will wait: retry the reservation”):
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
        """The rule “Handed to delivery by carrier: register the shipment”:
        register the shipment with the carrier when the order is handed to
        delivery. The carrier integration does the work
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
        """The rule “Returned: goods back to stock”: the goods of a returned
        order go back to stock. Delivered transfers get a validated return;
        transfers not delivered yet are cancelled, which releases their
        reservations."""
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
        """The rule “Time limit of the status exceeded”: tell the salesperson
        that the order stayed too long in its status."""
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
