from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..models.access_credential_mixin import CredentialField
from ..tools.credentials import mask, redact


@tagged("post_install", "-at_install")
class TestCredentials(TransactionCase):
    def test_credential_field_is_admin_only_and_not_copied(self):
        field = CredentialField("API key")
        self.assertEqual(field._args__["groups"], "base.group_system")
        self.assertFalse(field._args__["copy"])
        self.assertTrue(field._args__["credential"])

    def test_mask_and_redact(self):
        self.assertEqual(mask("abcdef0123456789"), "••••6789")
        self.assertEqual(mask("1234"), "••••")
        self.assertEqual(mask(False), "")
        text = "GET https://api.example/?apiKey=abcdef0123456789 failed: 401"
        self.assertNotIn("abcdef0123456789", redact(text, "abcdef0123456789"))
        self.assertIn("••••6789", redact(text, "abcdef0123456789"))

    def test_credentials_of_the_suite_are_admin_only(self):
        """Every credential field of every installed model is readable by
        administrators only: connector addons cannot forget it."""
        found = []
        for model_name in self.env.registry:
            for name, field in self.env[model_name]._fields.items():
                if getattr(field, "credential", False):
                    found.append(f"{model_name}.{name}")
                    self.assertEqual(field.groups, "base.group_system", f"{model_name}.{name}")
                    self.assertFalse(field.copy, f"{model_name}.{name}")
        # the list is empty until the connector addons are installed: this
        # test guards them as they come
        self.assertIsInstance(found, list)
