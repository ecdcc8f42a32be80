import json

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCartRestore(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.product = cls.env["product.product"].create(
            {
                "name": "Blue Kettle 77",
                "list_price": 100.0,
                "default_code": "BK-77",
                "sale_ok": True,
                "website_published": True,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Olha", "mobile": "+380501112233", "email": "olha@example.com"}
        )
        cls.cart = (
            cls.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "website_id": cls.website.id,
                    "order_line": [Command.create({"product_id": cls.product.id})],
                }
            )
        )
        cls.api_user = new_test_user(
            cls.env,
            login="cart_api_rpc",
            password="cart_api_rpc_pw",
            groups="base.group_user,website_sale_cart_recovery.group_cart_recovery_api",
        )

    def session(self):
        return http.root.session_store.get(self.opener.cookies["session_id"])

    def test_link_restores_the_cart_for_the_visitor_and_refuses_a_wrong_token(self):
        url = self.cart.cart_recovery_url
        path = url[url.index("/shop/cart") :]
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/shop/cart"))
        self.assertIn("Blue Kettle 77", response.text)
        session = self.session()
        self.assertEqual(session.get("sale_order_id"), self.cart.id)
        self.assertFalse(session.uid, "the link logs nobody in")
        # Another visitor with a wrong token: no page, no cart.
        self.opener.cookies.clear()
        response = self.url_open("/shop/cart?access_token=wrong-token&revive=squash")
        self.assertEqual(response.status_code, 404)
        sid = self.opener.cookies.get("session_id")
        if sid:
            self.assertFalse(http.root.session_store.get(sid).get("sale_order_id"))

    def test_external_cart_over_json_rpc(self):
        def call(password, values):
            payload = {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        self.env.cr.dbname,
                        self.api_user.id,
                        password,
                        "sale.cart.recovery",
                        "api_create_cart",
                        [values],
                    ],
                },
            }
            return self.url_open(
                "/jsonrpc", data=json.dumps(payload), headers={"Content-Type": "application/json"}
            ).json()

        values = {"phone": "+380671234567", "lines": [{"default_code": "BK-77", "qty": 1}]}
        answer = call("cart_api_rpc_pw", values)
        self.assertTrue(answer["result"]["created"], answer)
        order = self.env["sale.order"].browse(answer["result"]["order_id"])
        self.assertEqual(order.order_line.product_id, self.product)
        with mute_logger("odoo.http"):
            refused = call("wrong", values)
        self.assertIn("error", refused)
