from contextvars import ContextVar

from odoo import fields, models

# Ids of the orders whose delivery method is being set in this request, by a
# user allowed to set it (see set_delivery_line). Server-side state of the
# running call: nothing a client sends can put an order in it.
CARRIER_BEING_SET = ContextVar("access_roles_carrier_being_set", default=frozenset())


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # The order form counts the order's invoices through its lines' journal
    # items. Roles that read orders but not accounting (Support, Logistics)
    # get the count computed on their behalf; the invoices themselves and
    # their journal items stay out of their reach (access rights unchanged).
    invoice_count = fields.Integer(compute_sudo=True)
    invoice_ids = fields.Many2many(compute_sudo=True)

    def _access_status_group_code(self):
        """Status group of the order for field rights. Without the order flow
        (crm_order_flow overrides this) Odoo's own state stands in: quotation
        → new, sent → approval, confirmed → assembly, locked → done,
        cancelled → cancel."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancel"
        if self.state == "sale":
            return "done" if self.locked else "assembly"
        if self.state == "sent":
            return "approval"
        return "new"

    _access_policy_checked_early = True

    def write(self, vals):
        # Field rights first, before any side effect of the order's write.
        self._check_access_field_policy(vals)
        return super().write(vals)

    def set_delivery_line(self, carrier, amount):
        # Choosing the delivery method (the order form's shipping dialog)
        # replaces the order's delivery line: the line is part of the
        # delivery method, so whoever may change the order's delivery method
        # may replace it, even where the role may not change the order's
        # other lines (a Sales Manager once the order is in assembly).
        if self.env.su:
            return super().set_delivery_line(carrier, amount)
        self.check_access("write")
        self._check_access_field_policy({"carrier_id": carrier.id})
        token = CARRIER_BEING_SET.set(CARRIER_BEING_SET.get() | frozenset(self.ids))
        try:
            return super().set_delivery_line(carrier, amount)
        finally:
            CARRIER_BEING_SET.reset(token)

    def _action_cancel(self):
        # Cancelling is an order right: a role that may change the order may
        # cancel it, and the order's transfers are cancelled on its behalf
        # although that role may only read transfers.
        if self.env.su:
            return super()._action_cancel()
        self.check_access("write")
        return super(SaleOrder, self.sudo())._action_cancel()
