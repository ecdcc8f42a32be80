from werkzeug.urls import url_encode

from odoo import api, fields, models

from odoo.addons.base_automation.models.base_automation import CREATE_TRIGGERS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # The website sets it when it makes a visitor's cart (as superuser), and
    # the order flow's rules leave a website's open cart alone
    # (base_automation.py): nobody moves an order in or out of the website by
    # hand (a quotation would escape its status' rules and time limits); a
    # duplicate is a back-office quotation.
    website_id = fields.Many2one(system_only=True, copy=False)
    cart_recovery_url = fields.Char(
        string="Link that restores the cart", compute="_compute_cart_recovery_url"
    )
    cart_recovery_ids = fields.One2many(
        "sale.cart.recovery", "order_id", string="Cart reminders", readonly=True
    )

    def _compute_cart_recovery_url(self):
        # Odoo's own abandoned-cart link (website_sale's /shop/cart with the
        # order's access token, "squash": the visitor's session gets this
        # cart). It logs nobody in and opens no other cart.
        for order in self:
            if order.id and order.website_id and order.state == "draft":
                # sudo: the token is created the first time a link is made,
                # whoever makes it (the reminder's sender may not write orders).
                token = order.sudo()._portal_ensure_token()
                order.cart_recovery_url = (
                    f"{order.website_id.get_base_url()}/shop/cart?"
                    + url_encode({"access_token": token, "revive": "squash"})
                )
            else:
                order.cart_recovery_url = False

    @api.model
    def _order_flow_message_placeholders(self):
        return super()._order_flow_message_placeholders() + ("cart_recovery_url",)

    @api.model
    def _order_flow_sample_message_values(self):
        values = super()._order_flow_sample_message_values()
        values["cart_recovery_url"] = f"{self.get_base_url()}/shop/cart?access_token=SAMPLE"
        return values

    def _cart_recovery_is_open_cart(self):
        """A visitor's cart on the website, not placed yet (checkout moves
        it out of the quotation state)."""
        self.ensure_one()
        return bool(self.website_id) and self.state == "draft"

    # Checkout places a cart through Odoo's own order actions: a pending
    # payment marks it sent, a paid or free one confirms it.
    def action_confirm(self):
        carts = self.filtered(lambda order: order._cart_recovery_is_open_cart())
        result = super().action_confirm()
        carts._cart_recovery_placed()
        return result

    def action_quotation_sent(self):
        carts = self.filtered(lambda order: order._cart_recovery_is_open_cart())
        result = super().action_quotation_sent()
        carts._cart_recovery_placed()
        return result

    def _cart_recovery_placed(self):
        """Checkout placed these carts: the automation rules left out while
        they were carts (see base_automation.py) run now, as for an order
        created as it is (its status, payment…): Odoo's creation triggers,
        each rule's condition checked; the reminder chains of the customers
        stop."""
        placed = self.filtered(lambda order: order.state != "draft")
        if not placed:
            return
        Automation = self.env["base.automation"].with_context(old_values=None)
        for automation in Automation._get_actions(placed, CREATE_TRIGGERS):
            orders = automation._filter_post(placed.with_env(automation.env))
            if orders:
                automation._process(orders)
        # sudo: the reminder chain is the system's record, whoever places the order.
        recoveries = (
            self.env["sale.cart.recovery"]
            .sudo()
            .search(
                [
                    ("state", "=", "open"),
                    "|",
                    ("order_id", "in", placed.ids),
                    ("partner_id", "in", placed.partner_id.ids),
                ]
            )
        )
        recoveries._check_stop()
