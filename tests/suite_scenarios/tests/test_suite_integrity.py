"""The suite as a whole: every addon of the repository covered by the
suite-wide checks, every model of the suite in the access matrix with rights
for the store roles, the demo logins of the README working."""

import inspect
import os

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.access_roles.tests.common import ROLES

SUITE = (
    "base_automation_performance",
    "access_roles",
    "access_roles_purchase",
    "access_roles_sale_margin",
    "crm_order_flow",
    "delivery_novaposhta",
    "sms_club",
    "fiscal_ua",
    "payment_liqpay",
    "payment_monobank",
    "crm_rf_segments",
    "website_sale_cart_recovery",
)
# Technical addons of the suite that are not built on access_roles: they
# define no model, field or public method of their own (checked below), so
# the store roles have nothing to be given there.
TECHNICAL = ("base_automation_performance",)
# Payment providers built the way Odoo's own are, on Odoo's payment app alone:
# they add no model of their own, only fields and hooks on Odoo's payment
# provider and transaction, whose rights are Odoo's (providers: administrators;
# transactions: accounting, with access_roles refusing every role the fields
# the provider's code sets).
PROVIDERS = ("payment_liqpay", "payment_monobank")


@tagged("post_install", "-at_install")
class TestSuiteIntegrity(TransactionCase):
    def test_every_addon_of_the_repository_is_checked_here(self):
        """The suite-wide checks (system-only fields, the access matrix, the
        public methods, the attack suite) cover the addons named in SUITE: an
        addon added at the repository's root must be named there too."""
        root = os.path.dirname(get_module_path("access_roles"))
        addons = {
            name
            for name in os.listdir(root)
            if os.path.isfile(os.path.join(root, name, "__manifest__.py"))
        }
        self.assertEqual(addons, set(SUITE))

    def test_every_model_of_the_suite_is_in_the_access_matrix(self):
        """A model added by any addon of the suite shows in the live matrix,
        and some store role has a right on it (a model nobody may open is a
        forgotten access file)."""
        Matrix = self.env["access.matrix.line"]
        names = [
            name
            for name, model_class in self.env.registry.items()
            if model_class._original_module in SUITE
            and not model_class._abstract
            and not model_class._transient
        ]
        suite_models = self.env["ir.model"].search([("model", "in", names)])
        self.assertTrue(suite_models, "the suite defines models")
        in_matrix = Matrix._matrix_models()
        live = Matrix._compute_matrix()
        with_rights = {line["model"] for line in live}
        for model in suite_models:
            with self.subTest(model=model.model):
                self.assertIn(model, in_matrix)
                self.assertIn(model.model, with_rights)

    def test_suite_modules_are_found_as_built_on_access_roles(self):
        found = set(self.env["access.matrix.line"]._suite_module_names())
        self.assertTrue(set(SUITE) - set(TECHNICAL) - set(PROVIDERS) <= found)

    def test_payment_providers_add_no_model_and_keep_their_keys_to_administrators(self):
        Provider = self.env["payment.provider"]
        for name, model_class in self.env.registry.items():
            with self.subTest(model=name):
                self.assertNotIn(model_class._original_module, PROVIDERS)
        for name in ("liqpay_public_key", "liqpay_private_key", "monobank_token"):
            with self.subTest(field=name):
                self.assertEqual(Provider._fields[name].groups, "base.group_system")

    def test_technical_addons_add_no_model_field_or_public_method(self):
        """A technical addon only changes how Odoo's own models work: a model,
        a field or a public method (an RPC endpoint) of its own would need
        rights for the store roles, so it would belong to an addon built on
        access_roles."""
        for name, model_class in self.env.registry.items():
            with self.subTest(model=name):
                self.assertNotIn(model_class._original_module, TECHNICAL)
                for field in model_class._fields.values():
                    self.assertNotIn(field._module, TECHNICAL, field)
                for klass in model_class.mro():
                    parts = (getattr(klass, "__module__", "") or "").split(".")
                    if (
                        len(parts) < 3
                        or parts[:2] != ["odoo", "addons"]
                        or parts[2] not in TECHNICAL
                    ):
                        continue
                    public = [
                        attr
                        for attr, member in vars(klass).items()
                        if inspect.isfunction(member)
                        and not attr.startswith("_")
                        and attr not in ("create", "write", "unlink")
                    ]
                    self.assertFalse(public, f"{klass.__module__} adds public methods")

    def test_demo_logins_of_the_readme(self):
        demo = self.env.ref("access_roles.user_demo_sales", raise_if_not_found=False)
        if not demo:
            self.skipTest("database without demo data")
        for role in ROLES:
            with self.subTest(role=role):
                user = self.env.ref(f"access_roles.user_demo_{role}")
                self.assertEqual(user.login, role)
                self.assertEqual(
                    user.store_role_id, self.env.ref(f"access_roles.group_role_{role}")
                )
                user.with_user(user)._check_credentials(
                    {"login": role, "password": role, "type": "password"}, {"interactive": True}
                )
