from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.payment import reset_payment_provider, setup_provider

from .common import MonobankCommon
from .fake_monobank import TOKEN


@tagged("post_install", "-at_install")
class TestMonobankProvider(MonobankCommon):
    def test_provider_record(self):
        provider = self.env.ref("payment_monobank.payment_provider_monobank")
        self.assertEqual(provider.code, "monobank")
        self.assertEqual(
            provider.redirect_form_view_id, self.env.ref("payment_monobank.redirect_form")
        )
        self.assertEqual(provider.module_id.name, "payment_monobank")
        self.assertTrue(provider.image_128)
        codes = set(provider.with_context(active_test=False).payment_method_ids.mapped("code"))
        self.assertEqual(codes, {"card", "visa", "mastercard"})
        self.assertEqual(provider._get_default_payment_method_codes(), codes)
        defaults = self.env["payment.provider"].default_get(["monobank_api_url"])
        self.assertEqual(defaults["monobank_api_url"], "https://api.monobank.ua")
        self.assertEqual(provider.monobank_reconcile_minutes, 15)

    def test_features(self):
        self.assertEqual(self.provider.support_refund, "partial")
        self.assertFalse(self.provider.support_tokenization)
        self.assertFalse(self.provider.support_manual_capture)
        self.assertFalse(self.provider.support_express_checkout)
        # enabling the provider activated its default payment methods
        self.assertTrue(self.env.ref("payment.payment_method_card").active)
        self.assertTrue(self.env.ref("payment.payment_method_visa").active)

    def test_uah_only(self):
        self.assertEqual(self.provider._get_supported_currencies(), self.currency_uah)
        self.assertEqual(self.provider.available_currency_ids, self.currency_uah)
        Provider = self.env["payment.provider"]
        for currency, expected in ((self.currency_uah, True), (self.currency_euro, False)):
            compatible = Provider._get_compatible_providers(
                self.company.id, self.partner.id, self.amount, currency_id=currency.id
            )
            self.assertEqual(self.provider in compatible, expected, currency.name)

    def test_token_required_when_enabled(self):
        with self.assertRaises(ValidationError):
            self.provider.write({"monobank_token": False})
        self.provider.write({"state": "disabled", "monobank_token": False})
        self.assertFalse(self.provider.monobank_token)

    def test_install_and_uninstall_hooks(self):
        setup_provider(self.env, "monobank")
        self.assertEqual(self.provider.code, "monobank")
        reset_payment_provider(self.env, "monobank")
        self.assertEqual(self.provider.code, "none")
        self.assertEqual(self.provider.state, "disabled")
        self.assertFalse(self.provider.redirect_form_view_id)

    def test_credentials_for_administrators_only(self):
        """Even a user who may read payment providers (an accountant once account_payment
        lets them) cannot read monobank's credentials: only administrators can."""
        readers = self.env["res.groups"].create({"name": "Payment provider readers"})
        self.env["ir.model.access"].create(
            {
                "name": "payment provider readers",
                "model_id": self.env["ir.model"]._get_id("payment.provider"),
                "group_id": readers.id,
                "perm_read": True,
            }
        )
        self._prepare_user(self.internal_user, "base.group_user")
        self.internal_user.groups_id = [(4, readers.id)]
        internal_provider = self.provider.with_user(self.internal_user)
        self.assertEqual(internal_provider.read(["name"])[0]["name"], self.provider.name)
        # the public key and the reconciliation delay are not secrets
        internal_provider.read(["monobank_pubkey", "monobank_reconcile_minutes"])
        for field_name in ("monobank_token", "monobank_api_url"):
            with self.subTest(field=field_name):
                with self.assertRaises(AccessError):
                    internal_provider.read([field_name])
                with self.assertRaises(AccessError):
                    internal_provider.search_read([], [field_name])
                self.assertTrue(self.provider.with_user(self.admin_user).read([field_name]))
        self.assertEqual(self.provider.with_user(self.admin_user).monobank_token, TOKEN)
