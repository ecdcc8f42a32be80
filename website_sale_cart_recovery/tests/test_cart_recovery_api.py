from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CartRecoveryCommon


@tagged("post_install", "-at_install")
class TestCartRecoveryApi(CartRecoveryCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_user = new_test_user(
            cls.env,
            login="cart_api",
            groups="base.group_user,website_sale_cart_recovery.group_cart_recovery_api",
        )
        cls.values = {
            "phone": "+380671234567",
            "email": "ivan@example.com",
            "name": "Ivan Petrenko",
            "lines": [{"default_code": "KET-1", "qty": 2}],
            "external_id": "shop2-1001",
        }

    def api(self, values, user=None):
        return self.Recovery.with_user(user or self.api_user).api_create_cart(values)

    def test_creates_a_cart_once_per_external_id(self):
        answer = self.api(self.values)
        self.assertTrue(answer["created"])
        recovery = self.Recovery.browse(answer["cart_id"])
        order = recovery.order_id
        self.assertEqual(order.website_id, self.website)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.order_line.product_id, self.product)
        self.assertEqual(order.order_line.product_uom_qty, 2)
        self.assertEqual(order.partner_id.email, "ivan@example.com")
        self.assertEqual(recovery.source, "external")
        # the restoring link is the reminders', never handed to the caller
        self.assertNotIn("restore_url", answer)
        self.assertNotIn("access_token", str(answer))
        self.assertIn("/shop/cart?access_token=", order.cart_recovery_url)
        self.assertFalse(order.customer_message_ids, "a cart, not an order")
        again = self.api(dict(self.values, lines=[{"product_id": self.product.id, "qty": 5}]))
        self.assertFalse(again["created"])
        self.assertEqual(again["order_id"], order.id)
        self.assertEqual(order.order_line.product_uom_qty, 2)
        # The same customer's next cart finds the contact by the phone number.
        third = self.api(dict(self.values, external_id="shop2-1002", email=None))
        self.assertEqual(self.Recovery.browse(third["cart_id"]).partner_id, order.partner_id)

    def test_refuses_users_without_the_group(self):
        for user in (self.manager, self.marketer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.api(self.values, user=user)
        self.assertFalse(self.Recovery.search([("external_id", "=", "shop2-1001")]))

    def test_bad_input_is_refused_with_a_clear_message(self):
        cases = (
            ({"phone": None, "email": None}, "phone number or e-mail"),
            ({"phone": "12"}, "is not valid"),
            ({"email": "not-an-address", "phone": None}, "is not valid"),
            ({"lines": []}, "no lines"),
            ({"lines": [{"default_code": "NOPE"}]}, "no product for sale"),
            ({"lines": [{"default_code": "KET-1", "qty": 0}]}, "above zero"),
            ({"lines": [{"qty": 1}]}, "default_code"),
        )
        for change, message in cases:
            with self.subTest(change=change), self.assertRaisesRegex(UserError, message):
                self.api(dict(self.values, **change))
        self.assertFalse(self.Recovery.search([("external_id", "=", "shop2-1001")]))
