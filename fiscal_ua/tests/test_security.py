"""Security of the fiscal models against every store role, as JSON-RPC would
call them: fields only the system sets, records only the addon's actions
create, duplicating documents, every public method, and the credentials."""

import base64
import logging

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.access_roles.tests.common import ROLES

from .common import LICENSE_KEY, PASSWORD, FiscalCommon

# Fields only the system sets, per fiscal model: declared here, not read from the code.
SYSTEM_FIELDS = {
    "fiscal.receipt": (
        "name",
        "receipt_type",
        "state",
        "uuid",
        "purpose_key",
        "generation",
        "checkbox_id",
        "checkbox_status",
        "register_id",
        "company_id",
        "shift_id",
        "cashier_id",
        "move_id",
        "sale_order_id",
        "transaction_id",
        "partner_id",
        "related_receipt_id",
        "amount_total",
        "payments_data",
        "fiscal_code",
        "fiscal_date",
        "serial",
        "prepayment_relation_id",
        "public_url",
        "tax_url",
        "payload",
        "answer",
        "error_message",
        "attempt_count",
        "last_attempt_at",
        "check_count",
        "last_check_at",
        "needs_attention",
        "link_sent",
    ),
    "fiscal.shift": (
        "register_id",
        "company_id",
        "cashier_id",
        "checkbox_id",
        "serial",
        "status",
        "opened_at",
        "closed_at",
        "z_report",
        "x_report",
        "receipt_ids",
    ),
    "fiscal.tax": ("register_id", "company_id", "code", "label", "symbol", "rate", "no_vat"),
    "fiscal.cash.register": ("shift_ids", "current_shift_id", "license_key_set", "currency_id"),
    "fiscal.cashier": ("access_token", "credentials_set"),
    "fiscal.payment.form": ("checkbox_type",),
}
# Models whose records only the addon's actions create.
SYSTEM_RECORDS = ("fiscal.receipt", "fiscal.shift", "fiscal.tax")
WRITERS = {"administrator", "accountant"}
RECEIPT_READERS = {"administrator", "manager", "accountant", "support"}
CONFIG_READERS = {"administrator", "manager", "accountant"}
# Every public method fiscal_ua adds to a model, and the roles allowed to call it.
PUBLIC_METHODS = {
    ("fiscal.receipt", "action_recheck"): WRITERS,
    ("fiscal.receipt", "action_check"): WRITERS,
    ("fiscal.receipt", "action_retry"): WRITERS,
    ("fiscal.receipt", "action_send_to_customer"): WRITERS,
    ("fiscal.receipt", "action_download_pdf"): RECEIPT_READERS,
    ("fiscal.receipt", "action_open_link"): RECEIPT_READERS,
    ("fiscal.cash.register", "action_open_shift"): WRITERS,
    ("fiscal.cash.register", "action_close_shift"): WRITERS,
    ("fiscal.cash.register", "action_x_report"): WRITERS,
    ("fiscal.cash.register", "action_load_taxes"): WRITERS,
    ("fiscal.cash.register", "action_check_connection"): WRITERS,
    ("fiscal.shift", "action_close"): WRITERS,
    ("fiscal.shift", "action_x_report"): WRITERS,
    ("fiscal.shift", "action_view_receipts"): CONFIG_READERS,
    ("account.move", "action_fiscalize"): WRITERS,
    ("account.move", "action_fiscal_return"): WRITERS,
    ("account.move", "action_view_fiscal_receipts"): CONFIG_READERS,
    ("sale.order", "action_view_fiscal_receipts"): RECEIPT_READERS,
}
# the ORM's own methods, covered by the access rights and the system-field checks
ORM_METHODS = {"create", "write", "unlink", "copy", "read", "search", "init"}
CREDENTIALS = (
    ("fiscal.cash.register", "license_key"),
    ("fiscal.cashier", "login"),
    ("fiscal.cashier", "password"),
    ("fiscal.cashier", "pin_code"),
    ("fiscal.cashier", "access_token"),
)


@tagged("post_install", "-at_install")
class TestFiscalSecurity(FiscalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice([(cls.kettle, 1, 100.0, 0.0, cls.env["account.tax"])])
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", "False")

    def _issue(self):
        self._fiscalize(self.invoice)
        receipt = self._receipts(self.invoice)
        self.assertEqual(receipt.state, "done")
        return receipt

    # ------------------------------------------------------------------ values
    def _value(self, record, name, create=False):
        """A value different from the record's (and, for a create, from the
        field's default), of the field's type."""
        field = record._fields[name]
        current = record[name] if record else None
        kind = field.type
        if create and kind == "boolean":
            return True
        if create and kind in ("one2many", "many2many"):
            return [Command.link(self.env[field.comodel_name].sudo().search([], limit=1).id)]
        if kind in ("char", "text"):
            return "MADE-UP-0001"
        if kind in ("integer",):
            return 987
        if kind in ("float", "monetary"):
            return 9876.5
        if kind == "boolean":
            return not current
        if kind == "selection":
            values = [key for key, _label in field._description_selection(self.env)]
            return next(v for v in values if v != current)
        if kind == "datetime":
            return fields.Datetime.to_string(fields.Datetime.now().replace(year=2020))
        if kind == "date":
            return "2020-01-01"
        if kind == "binary":
            return base64.b64encode(b"x")
        if kind == "many2one":
            other = self.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
            return other.id or current.id
        if kind in ("one2many", "many2many"):
            return [Command.clear()]
        raise AssertionError(f"no test value for {field}")

    def _records(self):
        receipt = self._issue()
        return {
            "fiscal.receipt": receipt,
            "fiscal.shift": receipt.shift_id,
            "fiscal.tax": self.fiscal_tax_20,
            "fiscal.cash.register": self.register,
            "fiscal.cashier": self.cashier,
            "fiscal.payment.form": self.form_card,
        }

    def _writers(self, model):
        writers = []
        for role in ROLES:
            try:
                self.env[model].with_user(self.users[role]).check_access("write")
            except AccessError:
                continue
            writers.append(role)
        return writers

    # ------------------------------------------------------------------ system fields
    def test_system_fields_are_refused_on_write_for_every_role(self):
        records = self._records()
        for model, names in SYSTEM_FIELDS.items():
            record = records[model].sudo()
            writers = self._writers(model)
            self.assertEqual(set(writers), WRITERS, model)
            for role in ROLES:
                for name in names:
                    value = self._value(record, name)
                    before = record.read([name])[0][name]
                    with (
                        self.subTest(model=model, field=name, role=role),
                        self.assertRaises(AccessError),
                        self.env.cr.savepoint(),
                    ):
                        record.with_user(self.users[role]).write({name: value})
                    record.invalidate_recordset()
                    self.assertEqual(record.read([name])[0][name], before, f"{model}.{name}")

    def test_system_fields_are_refused_on_create_for_every_role(self):
        records = self._records()
        minimal = {
            "fiscal.receipt": {"receipt_type": "sell", "register_id": self.register.id},
            "fiscal.shift": {"register_id": self.register.id, "checkbox_id": "made-up"},
            "fiscal.tax": {"register_id": self.register.id, "code": 77},
            "fiscal.cash.register": {"name": "Made-up register"},
            "fiscal.cashier": {"name": "Made-up cashier"},
            "fiscal.payment.form": {"name": "Made-up form"},
        }
        for model, names in SYSTEM_FIELDS.items():
            Model = self.env[model]
            for role in self._writers(model):
                user = self.users[role]
                if model not in SYSTEM_RECORDS:
                    # the user's own data is accepted
                    Model.with_user(user).create(dict(minimal[model]))
                count = Model.sudo().search_count([])
                for name in (None, *names):
                    vals = dict(minimal[model])
                    if name:
                        vals[name] = self._value(records[model].sudo(), name, create=True)
                    elif model not in SYSTEM_RECORDS:
                        continue
                    with (
                        self.subTest(model=model, field=name, role=role),
                        self.assertRaises(AccessError),
                        self.env.cr.savepoint(),
                    ):
                        Model.with_user(user).create(vals)
                self.assertEqual(Model.sudo().search_count([]), count, model)

    def test_made_up_receipt_cannot_block_the_real_one(self):
        """The reported attack: as Accountant, a receipt "done" with a
        made-up fiscal code; then the issued receipt's fiscal code and
        amount edited."""
        Receipt = self.env["fiscal.receipt"].with_user(self.accountant)
        with self.assertRaises(AccessError):
            Receipt.create(
                {
                    "receipt_type": "sell",
                    "state": "done",
                    "fiscal_code": "FAKE-123",
                    "purpose_key": f"sell:move:{self.invoice.id}",
                    "uuid": "made-up",
                    "register_id": self.register.id,
                    "move_id": self.invoice.id,
                    "amount_total": 1.0,
                }
            )
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.accountant).write(
                {
                    "fiscal_receipt_ids": [
                        Command.create(
                            {"receipt_type": "sell", "state": "done", "fiscal_code": "FAKE-1"}
                        )
                    ]
                }
            )
        self.assertEqual(self.invoice.fiscal_state, "none")
        receipt = self._issue()
        code = receipt.fiscal_code
        for vals in ({"fiscal_code": "FAKE-123"}, {"amount_total": 1.0}, {"state": "error"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                receipt.with_user(self.accountant).write(vals)
        self.assertEqual((receipt.fiscal_code, receipt.amount_total), (code, 100.0))
        with self.assertRaises(AccessError):
            receipt.with_user(self.users["administrator"]).copy()

    def test_the_system_still_sets_its_fields(self):
        receipt = self._issue()
        self.assertTrue(receipt.fiscal_code)
        self.register.with_user(self.accountant).action_x_report()
        self.assertTrue(receipt.shift_id.x_report)
        self.register.with_user(self.accountant).action_load_taxes()
        self.assertEqual(len(self.register.tax_ids), 3)
        # mapping Odoo taxes to the register's rates stays the accountant's
        self.fiscal_tax_7.with_user(self.accountant).tax_ids = [Command.set(self.tax_20.ids)]
        self.assertEqual(self.fiscal_tax_7.tax_ids, self.tax_20)

    # ------------------------------------------------------------------ copy
    def test_sales_manager_duplicates_an_own_order(self):
        sales = self.users["sales"]
        order = (
            self.env["sale.order"]
            .with_user(sales)
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": sales.id,
                    "order_line": [Command.create({"product_id": self.kettle.id})],
                }
            )
        )
        order.sudo().fiscal_payment_form_id = self.form_cod
        copy = order.copy()
        self.assertEqual(copy.user_id, sales)
        self.assertEqual(len(copy.order_line), 1)
        self.assertFalse(copy.sudo().fiscal_payment_form_id, "a fiscal field is not copied")

    def test_accountant_duplicates_a_register_without_its_secrets(self):
        copy = self.register.with_user(self.accountant).copy({"name": "Second register"})
        self.assertEqual(copy.name, "Second register")
        self.assertFalse(copy.sudo().license_key)
        self.assertFalse(copy.sudo().base_url)
        self.assertFalse(copy.shift_ids)

    # ------------------------------------------------------------------ public methods
    def _public_methods(self):
        """Public methods defined by fiscal_ua on any model."""
        found = set()
        for model_name in self.env.registry:
            model = self.env[model_name]
            for cls in type(model).__mro__:
                if not cls.__module__.startswith("odoo.addons.fiscal_ua."):
                    continue
                for name, member in vars(cls).items():
                    if callable(member) and not name.startswith("_") and name not in ORM_METHODS:
                        found.add((model_name, name))
        return found

    def test_every_public_method_is_listed(self):
        self.assertEqual(self._public_methods(), set(PUBLIC_METHODS))

    def test_every_public_method_checks_its_caller(self):
        receipt = self._issue()
        refund = self.invoice._reverse_moves()
        refund.action_post()
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        records = {
            "fiscal.receipt": receipt,
            "fiscal.cash.register": self.register,
            "fiscal.shift": receipt.shift_id,
            "account.move": self.invoice,
            "sale.order": order,
        }
        for (model, method), allowed in PUBLIC_METHODS.items():
            for role in ROLES:
                record = records[model].with_user(self.users[role])
                calls = len(self.fake.calls)
                receipts = self.env["fiscal.receipt"].sudo().search_count([])
                with self.subTest(model=model, method=method, role=role):
                    if role in allowed:
                        # allowed: it works, or refuses for a business reason (not a right)
                        try:
                            with self.env.cr.savepoint():
                                getattr(record, method)()
                        except AccessError:
                            raise
                        except UserError as exc:
                            self.assertTrue(str(exc))
                    else:
                        with self.assertRaises(AccessError), self.env.cr.savepoint():
                            getattr(record, method)()
                        self.assertEqual(len(self.fake.calls), calls, "nothing sent to Checkbox")
                        self.assertEqual(
                            self.env["fiscal.receipt"].sudo().search_count([]), receipts
                        )
                self.fake.wait_idle()

    # ------------------------------------------------------------------ credentials
    def test_credentials_are_unreadable_to_other_roles_every_way(self):
        receipt = self._issue()
        export = self.env.ref("base.group_allow_export")
        for role in ROLES:
            if role == "administrator":
                continue
            user = self.users[role]
            user.groups_id = [Command.link(export.id)]
            for model, name in CREDENTIALS:
                Model = self.env[model].with_user(user)
                record = (
                    self.register if model == "fiscal.cash.register" else self.cashier
                ).with_user(user)
                attempts = {
                    "read": lambda record=record, name=name: record.read([name]),
                    "search": lambda Model=Model, name=name: Model.search([(name, "!=", False)]),
                    "read_group": lambda Model=Model, name=name: Model.read_group(
                        [], [name], [name]
                    ),
                    "export": lambda record=record, name=name: record.export_data([name]),
                    "web_read": lambda record=record, name=name: record.web_read({name: {}}),
                }
                for how, attempt in attempts.items():
                    with self.subTest(role=role, field=name, how=how):
                        with self.assertRaises(AccessError):
                            attempt()
                self.assertNotIn(name, Model.fields_get())
            # through the relations of a receipt
            Receipt = self.env["fiscal.receipt"].with_user(user)
            for path in ("register_id.license_key", "register_id.cashier_id.password"):
                with self.subTest(role=role, path=path), self.assertRaises(AccessError):
                    Receipt.search([(path, "=", LICENSE_KEY)])
            with self.subTest(role=role, how="related read"), self.assertRaises(AccessError):
                receipt.with_user(user).web_read({"register_id": {"fields": {"license_key": {}}}})
        admin = self.users["administrator"]
        self.assertEqual(self.register.with_user(admin).license_key, LICENSE_KEY)

    def test_credentials_never_in_logs_urls_or_messages(self):
        """Sign-in, a refused token, a vendor error that echoes the secrets and
        a refused sign-in, with every logger of the connector at DEBUG."""
        loggers = ("odoo.addons.fiscal_ua", "urllib3", "requests")
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Keep(level=logging.DEBUG)
        saved = {}
        for name in loggers:
            logger = logging.getLogger(name)
            saved[name] = logger.level
            logger.setLevel(logging.DEBUG)
            logger.addHandler(handler)
        tokens = set()
        try:
            self._issue()
            tokens |= set(self.fake.tokens)
            self.fake.expire_tokens()
            self.fake.fail_next(
                "POST",
                r"receipts/sell$",
                "400",
                message=f"Licence {LICENSE_KEY} refused, password {PASSWORD}",
            )
            invoice = self._simple_invoice(50.0)
            self._fiscalize(invoice)
            refused = self._receipts(invoice)
            tokens |= set(self.fake.tokens)
            self.fake.expire_tokens()
            self.cashier.sudo().password = "wrong-password-42"
            with self.assertRaises(UserError) as caught:
                self.register.with_user(self.accountant).action_check_connection()
        finally:
            for name in loggers:
                logger = logging.getLogger(name)
                logger.removeHandler(handler)
                logger.setLevel(saved[name])
        self.assertTrue(records, "the loggers were heard")
        self.assertEqual(len(tokens), 2, "signed in, then again after the token was refused")
        texts = [
            *records,
            str(caught.exception),
            refused.error_message,
            refused.payload,
            refused.answer or "",
            *[call["path"] for call in self.fake.calls],
            *self.invoice.message_ids.mapped("body"),
            *invoice.message_ids.mapped("body"),
        ]
        for text in texts:
            for secret in (LICENSE_KEY, PASSWORD, "wrong-password-42", *tokens):
                self.assertNotIn(secret, str(text))
