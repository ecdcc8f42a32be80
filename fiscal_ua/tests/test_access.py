"""Rights of the store roles on the fiscal models (the access matrix area "Fiscal receipts,
registers, shifts"): Administrator RWCD, Manager R, Accountant RWC (not credentials),
Support R receipts, others none; and who sees the fiscal fields of invoices and orders."""

import logging

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LICENSE_KEY, PASSWORD, FiscalCommon

CONFIG_MODELS = (
    "fiscal.cash.register",
    "fiscal.cashier",
    "fiscal.shift",
    "fiscal.tax",
    "fiscal.payment.form",
)


@tagged("post_install", "-at_install")
class TestFiscalAccess(FiscalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice([(cls.kettle, 1, 100.0, 0.0, cls.env["account.tax"])], post=True)

    def _issued_receipt(self):
        self._fiscalize(self.invoice)
        return self._receipts(self.invoice)

    def test_accountant_issues_receipts_and_manages_shifts(self):
        receipt = self._issued_receipt()
        self.assertEqual(receipt.create_uid, self.accountant)
        as_accountant = receipt.with_user(self.accountant)
        self.assertEqual(as_accountant.state, "done")
        as_accountant.check_access("write")
        with self.assertRaises(AccessError):
            as_accountant.unlink()
        for model in CONFIG_MODELS:
            with self.subTest(model=model):
                records = self.env[model].with_user(self.accountant)
                records.check_access("create")
                records.check_access("write")
                self.assertTrue(records.search([]))

    def test_accountant_cannot_read_credentials(self):
        register = self.register.with_user(self.accountant)
        cashier = self.cashier.with_user(self.accountant)
        self.assertEqual(register.read(["name"])[0]["name"], "Test register")
        self.assertTrue(register.license_key_set)
        self.assertTrue(cashier.credentials_set)
        for record, field in (
            (register, "license_key"),
            (cashier, "password"),
            (cashier, "login"),
            (cashier, "pin_code"),
            (cashier, "access_token"),
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                record.read([field])
        with self.assertRaises(AccessError):
            register.write({"license_key": "stolen-key-0000000000000"})
        # the credentials go to the API URL: only administrators may change it
        with self.assertRaises(AccessError):
            register.write({"base_url": "https://attacker.example.com/api/v1"})
        views = register.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="license_key"', views)

    def test_administrator_manages_everything(self):
        admin = self.users["administrator"]
        self.assertEqual(self.register.with_user(admin).license_key, LICENSE_KEY)
        self.assertEqual(self.cashier.with_user(admin).password, PASSWORD)
        receipt = self._issued_receipt()
        for model in CONFIG_MODELS + ("fiscal.receipt",):
            self.env[model].with_user(admin).check_access("unlink")
        self.assertTrue(receipt.with_user(admin).read(["fiscal_code"]))

    def test_manager_reads_only(self):
        manager = self.users["manager"]
        receipt = self._issued_receipt()
        self.assertEqual(receipt.with_user(manager).fiscal_code, receipt.fiscal_code)
        with self.assertRaises(AccessError):
            self.invoice.with_user(manager).action_fiscalize()
        with self.assertRaises(AccessError):
            receipt.with_user(manager).action_check()
        with self.assertRaises(AccessError):
            self.register.with_user(manager).action_open_shift()
        for model in CONFIG_MODELS:
            with self.subTest(model=model):
                self.env[model].with_user(manager).check_access("read")
                with self.assertRaises(AccessError):
                    self.env[model].with_user(manager).check_access("write")

    def test_support_reads_receipts_only(self):
        support = self.users["support"]
        receipt = self._issued_receipt().with_user(support)
        values = receipt.web_read(
            {
                "name": {},
                "state": {},
                "fiscal_code": {},
                "public_url": {},
                "register_id": {"fields": {"display_name": {}}},
                "move_id": {"fields": {"display_name": {}}},
            }
        )[0]
        self.assertEqual(values["state"], "done")
        self.assertEqual(values["register_id"]["display_name"], "Test register")
        with self.assertRaises(AccessError):
            receipt.write({"error_message": "x"})
        for model in CONFIG_MODELS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(support).search([])

    def test_other_roles_see_no_receipts(self):
        self._issued_receipt()
        for role in ("sales", "logistics", "marketer", "purchaser"):
            for model in CONFIG_MODELS + ("fiscal.receipt",):
                with self.subTest(role=role, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(self.users[role]).search([])

    def test_fiscal_fields_by_role(self):
        """The Administrator, the Manager and the Accountant see the fiscal
        fields of invoices and orders; Customer Support sees an order's
        receipts (not the invoices', nor the expected payment form); the
        other roles see none of them."""
        fiscal_roles = {"administrator", "manager", "accountant"}
        for role, user in self.users.items():
            move_fields = self.env["account.move"].with_user(user).fields_get()
            order_fields = self.env["sale.order"].with_user(user).fields_get()
            expected = {
                ("account.move", "fiscal_receipt_ids"): role in fiscal_roles,
                ("account.move", "fiscal_receipt_count"): role in fiscal_roles,
                ("account.move", "fiscal_state"): role in fiscal_roles,
                ("sale.order", "fiscal_payment_form_id"): role in fiscal_roles,
                ("sale.order", "fiscal_receipt_ids"): role in fiscal_roles | {"support"},
                ("sale.order", "fiscal_receipt_count"): role in fiscal_roles | {"support"},
            }
            for (model, name), visible in expected.items():
                fields = move_fields if model == "account.move" else order_fields
                with self.subTest(role=role, field=f"{model}.{name}"):
                    self.assertEqual(name in fields, visible)

    def test_fiscal_fields_are_hidden_from_other_roles(self):
        sales = self.users["sales"]
        self.assertNotIn(
            "fiscal_receipt_ids", self.env["account.move"].with_user(sales).fields_get()
        )
        self.assertNotIn("fiscal_state", self.env["account.move"].with_user(sales).fields_get())
        self.assertNotIn("fiscal_receipt_ids", self.env["sale.order"].with_user(sales).fields_get())

    def test_secrets_never_reach_messages_or_logs(self):
        self.fake.fail_next(
            "POST",
            r"receipts/sell$",
            "400",
            message=f"Licence {LICENSE_KEY} refused, password {PASSWORD}",
        )
        with self.assertLogs("odoo.addons.fiscal_ua", level=logging.DEBUG) as logs:
            self._fiscalize(self.invoice)
        receipt = self._receipts(self.invoice)
        self.assertEqual(receipt.state, "error")
        self.assertIn("refused, password", receipt.error_message)
        for text in [receipt.error_message, *logs.output]:
            self.assertNotIn(LICENSE_KEY, text)
            self.assertNotIn(PASSWORD, text)
        self.assertNotIn(LICENSE_KEY, receipt.payload)
