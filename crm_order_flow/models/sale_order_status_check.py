"""The checks of the order flow on a person's or a rule's change of an
order, run by ``write`` (``sale_order.py``) before anything is written: the
status matrix and the role's status rights (``_order_flow_check_move``), the
entry validations of a status (``_order_flow_check_entry``: payment secured,
delivery method, operator comment) and the edit locks of a status
(``_order_flow_check_edit``: locked statuses, protected fields, the
responsible salesperson)."""

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

# Fields written by Odoo itself as a side effect of reading, messaging or
# sharing an order: the order-flow edit checks never refuse them.
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


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

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
