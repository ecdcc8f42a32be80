from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _check_access_field_policy(self, vals):
        # Choosing the delivery method of a confirmed order sets it on the
        # order's open transfers too (Odoo's stock_delivery, in the same
        # request): that is the order's change, allowed to whoever may change
        # the order's delivery method. Any other carrier on a transfer stays
        # under the transfer's own field rights.
        if "carrier_id" in vals and self._access_carrier_follows_order(vals["carrier_id"]):
            vals = {name: value for name, value in vals.items() if name != "carrier_id"}
        return super()._check_access_field_policy(vals)

    def _access_carrier_follows_order(self, carrier_id):
        """Whether setting the carrier ``carrier_id`` on these transfers only
        makes each follow its sale order's delivery method, and the user may
        change that delivery method on every one of these orders."""
        if not self or "sale_id" not in self._fields or "carrier_id" not in self._fields:
            return False
        carrier_id = carrier_id.id if isinstance(carrier_id, models.BaseModel) else carrier_id
        orders = self.sale_id
        if any(
            not picking.sale_id or picking.sale_id.carrier_id.id != (carrier_id or False)
            for picking in self
        ):
            return False
        if not orders.has_access("write"):
            return False
        Policy = self.env["access.field.policy"]
        return not any(
            Policy._forbidden_fields(
                self.env.user, "sale.order", ["carrier_id"], order._access_status_group_code()
            )
            for order in orders
        )
