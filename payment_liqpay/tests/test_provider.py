"""The provider record, its hooks and the checkout form."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .. import uninstall_hook
from ..liqpay import verify
from .common import LiqPayCommon
from .fake_liqpay import PRIVATE_KEY, PUBLIC_KEY


@tagged("post_install", "-at_install")
class TestLiqPayProvider(LiqPayCommon):
    def test_provider_record(self):
        provider = self.env.ref("payment_liqpay.payment_provider_liqpay")
        self.assertEqual(provider.code, "liqpay")
        self.assertEqual(
            provider.redirect_form_view_id, self.env.ref("payment_liqpay.redirect_form")
        )
        self.assertEqual(provider.module_id.name, "payment_liqpay")
        self.assertEqual(
            set(provider.payment_method_ids.mapped("code")), {"card", "visa", "mastercard"}
        )
        self.assertEqual(
            provider._get_default_payment_method_codes(), {"card", "visa", "mastercard"}
        )
        defaults = self.env["payment.provider"].default_get(
            ["liqpay_api_url", "liqpay_reconcile_minutes"]
        )
        self.assertEqual(
            defaults, {"liqpay_api_url": "https://www.liqpay.ua", "liqpay_reconcile_minutes": 15}
        )

    def test_features_and_currencies(self):
        self.assertEqual(self.liqpay.support_refund, "partial")
        self.assertFalse(self.liqpay.support_tokenization)
        self.assertFalse(self.liqpay.support_manual_capture)
        self.assertEqual(
            set(self.liqpay.available_currency_ids.mapped("name")), {"UAH", "USD", "EUR"}
        )

    def test_default_payment_methods_activated(self):
        methods = self.liqpay.with_context(active_test=False).payment_method_ids
        self.assertTrue(all(methods.mapped("active")))

    def test_keys_required_when_enabled(self):
        provider = self.liqpay.copy({"name": "LiqPay 2"})
        self.assertFalse(provider.liqpay_private_key, "the keys are not copied")
        with self.assertRaises(ValidationError):
            provider.state = "test"

    def test_reconcile_minutes_at_least_one(self):
        with self.assertRaises(ValidationError):
            self.liqpay.liqpay_reconcile_minutes = 0

    def test_uninstall_hook_resets_the_provider(self):
        uninstall_hook(self.env)
        self.assertEqual(self.liqpay.code, "none")
        self.assertEqual(self.liqpay.state, "disabled")
        self.assertFalse(self.liqpay.redirect_form_view_id)

    def test_cron_every_five_minutes(self):
        cron = self.env.ref("payment_liqpay.ir_cron_liqpay_reconcile_pending")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (5, "minutes"))
        self.assertEqual(cron.code.strip(), "model._cron_liqpay_reconcile_pending()")


@tagged("post_install", "-at_install")
class TestLiqPayCheckoutForm(LiqPayCommon):
    def test_checkout_form(self):
        tx = self._create_transaction("redirect")
        form = self.checkout_form(tx)
        self.assertEqual(form["action"], f"{self.fake.url}/api/3/checkout")
        self.assertEqual(form["method"], "post")
        self.assertEqual(set(form["inputs"]), {"data", "signature"})
        data = form["inputs"]["data"]
        self.assertTrue(verify(PRIVATE_KEY, data, form["inputs"]["signature"]))
        decoded = self.checkout(tx)
        base_url = self.liqpay.get_base_url()
        self.assertEqual(
            decoded,
            {
                "version": 3,
                "public_key": PUBLIC_KEY,
                "action": "pay",
                "amount": "1111.11",
                "currency": "UAH",
                "description": f"Payment {tx.reference}",
                "order_id": tx.reference,
                "result_url": f"{base_url}/payment/liqpay/return?ref=Test+Transaction",
                "server_url": f"{base_url}/payment/liqpay/webhook",
                "language": "uk",
                "sandbox": "1",
            },
        )
        # the fake LiqPay accepted the signature and knows the order now
        self.assertEqual(self.fake.payment(tx.reference)["amount"], "1111.11")
        self.assertNotIn(PRIVATE_KEY, str(form))

    def test_production_has_no_sandbox_flag(self):
        self.liqpay.state = "enabled"
        tx = self._create_transaction("redirect", amount=10.5, currency_id=self.currency_usd.id)
        decoded = self.checkout(tx)
        self.assertNotIn("sandbox", decoded)
        self.assertEqual((decoded["amount"], decoded["currency"]), ("10.50", "USD"))

    def test_no_keys_no_form(self):
        self.liqpay.state = "disabled"
        self.liqpay.liqpay_private_key = False
        tx = self._create_transaction("redirect")
        with self.assertRaises(UserError) as caught:
            tx._get_processing_values()
        self.assertIn("private key", str(caught.exception))
