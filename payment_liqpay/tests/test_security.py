"""The keys are for administrators only and never written anywhere."""

import inspect
import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LiqPayCommon
from .fake_liqpay import PRIVATE_KEY, PUBLIC_KEY

KEY_FIELDS = ("liqpay_public_key", "liqpay_private_key", "liqpay_api_url")


@tagged("post_install", "-at_install")
class TestLiqPaySecurity(LiqPayCommon):
    def test_keys_unreadable_for_non_administrators(self):
        # a role that may read providers (as some accounting roles may), not an administrator
        group = self.env["res.groups"].create({"name": "Provider readers"})
        self.env["ir.model.access"].create(
            {
                "name": "provider readers",
                "model_id": self.env["ir.model"]._get_id("payment.provider"),
                "group_id": group.id,
                "perm_read": True,
            }
        )
        user = new_test_user(self.env, login="lq_reader", groups="base.group_user")
        user.groups_id = [Command.link(group.id)]
        provider = self.liqpay.with_user(user)
        self.assertEqual(provider.read(["name"])[0]["name"], self.liqpay.name)
        for field in KEY_FIELDS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                provider.read([field])
        self.assertFalse(set(KEY_FIELDS) & set(provider.fields_get()))
        # the administrator reads them
        admin = self.liqpay.with_user(self.admin_user)
        self.assertEqual(admin.liqpay_private_key, PRIVATE_KEY)

    def test_keys_never_in_logs(self):
        tx = self._create_transaction("redirect")
        with self.assertLogs("odoo.addons", logging.DEBUG) as logs:
            self.checkout(tx)
            self.fake.pay(tx.reference, "wait_secure", times=0)
            tx._liqpay_reconcile()
            self.fake.pay(tx.reference, times=0)
            tx._liqpay_reconcile()
            tx.action_refund(amount_to_refund=10)
            with self.assertRaises(UserError) as refused:
                tx.action_refund(amount_to_refund=5000)
            self.fake.fail_next("empty")
            tx.action_refund(amount_to_refund=1)
        self.assertEqual(tx.state, "done")
        text = "\n".join(logs.output) + str(refused.exception)
        self.assertIn(tx.reference, text)
        for secret in (PRIVATE_KEY, PUBLIC_KEY):
            self.assertNotIn(secret, text)

    def test_liqpay_failure_text_scrubbed(self):
        """A failure reason of LiqPay's quoting a key: the key is not kept anywhere."""
        tx = self._create_transaction("redirect")
        self.checkout(tx)
        reason = f"Declined for {PUBLIC_KEY} ({PRIVATE_KEY})"
        self.fake.pay(tx.reference, "failure", times=0, err_description=reason)
        with self.assertLogs("odoo.addons", logging.DEBUG) as logs:
            tx._liqpay_reconcile()
        self.assertEqual(tx.state, "error")
        self.assertIn("Declined for *** (***)", tx.state_message)
        text = "\n".join(logs.output) + tx.state_message
        for secret in (PRIVATE_KEY, PUBLIC_KEY):
            self.assertNotIn(secret, text)

    def test_no_public_method(self):
        """Every method of this addon is private: none can be called over RPC."""
        for model in ("payment.provider", "payment.transaction"):
            for cls in type(self.env[model]).__mro__:
                if not cls.__module__.startswith("odoo.addons.payment_liqpay"):
                    continue
                public = [
                    name
                    for name, member in vars(cls).items()
                    if inspect.isfunction(member) and not name.startswith("_")
                ]
                self.assertFalse(public, f"{cls.__module__}: {public}")
