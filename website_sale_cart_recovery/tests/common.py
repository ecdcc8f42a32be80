from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

# A Monday morning in Kyiv, far from the real date (the database's own clock
# is not frozen).
T0 = datetime(2031, 4, 7, 7, 0, 0)


class CartRecoveryCommon(TransactionCase):
    """A website with a one-hour abandoned delay, a customer with a mobile
    and an e-mail, a product in stock, and the store roles of the report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.company = cls.env.company
        cls.company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
                "order_flow_promo_line": "Code PROMO10: 10% off",
            }
        )
        cls.website = cls.env["website"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.website.cart_abandoned_delay = 1.0
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Olha Kovalenko",
                "mobile": "+380501112233",
                "email": "olha@example.com",
                "lang": "en_US",
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Kettle",
                "type": "consu",
                "is_storable": True,
                "list_price": 1000.0,
                "default_code": "KET-1",
                "sale_ok": True,
                "website_published": True,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 50
        )
        cls.marketer = new_test_user(
            cls.env,
            login="cart_marketer",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        cls.manager = new_test_user(
            cls.env,
            login="cart_manager",
            groups="base.group_user,access_roles.group_role_manager",
        )
        cls.Recovery = cls.env["sale.cart.recovery"]

    def make_cart(self, partner=None, qty=1):
        # As website_sale makes a cart: as superuser, with the website.
        return (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "website_id": self.website.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "product_uom_qty": qty})
                    ],
                }
            )
        )

    def run_cron(self, moment):
        with freeze_time(moment):
            self.Recovery._cron_process_carts()

    def reminders(self, order):
        return order.customer_message_ids.filtered(
            lambda log: (log.template_name or "").startswith("Abandoned cart")
        )
