from odoo import _, api, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _order_flow_is_discount_line(self):
        """Lines that lower the order total on purpose carry a negative price:
        Odoo's “Discount” lines (the company's discount product) and the
        reward lines of loyalty programmes (sale_loyalty, when installed)."""
        self.ensure_one()
        return bool(
            getattr(self, "is_reward_line", False)
            or (
                self.product_id
                and self.product_id == self.order_id.company_id.sale_discount_product_id
            )
        )

    @api.constrains("product_uom_qty", "price_unit", "product_id", "display_type")
    def _check_order_flow_not_negative(self):
        for line in self:
            if line.display_type or line.is_downpayment:
                continue
            if (
                float_compare(
                    line.product_uom_qty, 0.0, precision_rounding=line.product_uom.rounding or 0.01
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "The quantity of “%(product)s” on order %(order)s cannot be negative "
                        "(%(quantity)s). Returns are registered from the delivery, not with a "
                        "negative quantity.",
                        product=line.product_id.display_name or line.name,
                        order=line.order_id.name,
                        quantity=line.product_uom_qty,
                    )
                )
            if line.price_unit < 0 and not line._order_flow_is_discount_line():
                raise ValidationError(
                    _(
                        "The unit price of “%(product)s” on order %(order)s cannot be negative "
                        "(%(price)s). To lower the total, give a discount (the Discount button "
                        "or the discount column).",
                        product=line.product_id.display_name or line.name,
                        order=line.order_id.name,
                        price=line.price_unit,
                    )
                )
