"""The live access matrix, computed from the database, equals the declared
matrix below: any change of rights must be made here too, deliberately.

R read, W write, C create, D delete, * only some records (record rules).
Where a role may change only some fields, its W is narrowed by field rights
(access.field.policy), listed in the matrix's protected fields.

An addon that joins the roles to another Odoo app (access_roles_purchase…)
declares the cells that app changes in its ``tests/matrix_expected.py``:
``RIGHTS = {model: {role: rights}}`` and ``PROTECTED = {(role, model):
[fragments]}``; they are applied here when the addon is installed."""

import csv
import importlib
import io

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common import ROLES

# model: rights of the roles, in the order of ROLES
EXPECTED = {
    "sale.order": ("R W C D", "R W C", "R* W* C*", "R* W*", "R W", "–", "R W", "–"),
    "sale.order.line": ("R W C D", "R W C D", "R* W* C* D*", "R* W*", "R W", "–", "R", "–"),
    "res.partner": ("R W C D", "R W C", "R W C", "R", "R", "R W", "R W", "R*"),
    "product.template": ("R W C D", "R W", "R", "R", "R", "R", "R", "R"),
    "product.product": ("R W C D", "R W", "R", "R", "R", "R", "R", "R"),
    "stock.picking": ("R W C D", "R W", "R W", "R W C", "R", "–", "R", "–"),
    "stock.quant": ("R W C", "R", "R", "R W C", "R", "R", "R", "R"),
    "account.move": ("R W C D", "R", "R*", "–", "R W C D", "–", "–", "–"),
    "account.payment": ("R W C D", "R", "–", "–", "R W C D", "–", "–", "–"),
    # every employee: his own templates (Odoo); the Marketer: also the order's templates
    "mail.template": (
        "R W C D",
        "R W* C* D*",
        "R W* C* D*",
        "R W* C* D*",
        "R W* C* D*",
        "R W* C* D*",
        "R W* C* D*",
        "R W* C* D*",
    ),
    "sms.template": ("R W C D", "R", "R", "R", "R", "R W C", "R", "R"),
    "base.automation": ("R W C D", "R", "–", "–", "–", "–", "–", "–"),
    "access.status.right": ("R W C D", "R", "R", "R", "R", "R", "R", "R"),
    "access.field.policy": ("R W C D", "R", "–", "–", "–", "–", "–", "–"),
    "res.config.settings": ("R W C", "–", "–", "–", "–", "–", "–", "–"),
    "res.users": ("R W C D", "R", "R", "R", "R", "R", "R", "R"),
}

# who may export lists (Odoo's “Export” of list views), in the order of ROLES: the roles
# whose work is reporting (Administrator, Manager, Accountant / Finance, Purchaser); the
# roles that handle customers' personal data one record at a time may not copy it out.
EXPECTED_EXPORT = ("Export", "Export", "–", "–", "Export", "–", "–", "Export")

# protected fields: (role, model) -> fragments that must appear
EXPECTED_PROTECTED = {
    ("sales", "sale.order"): ["may not change", "Order Lines"],
    ("sales", "sale.order.line"): ["may not change", "Unit Price", "Discount"],
    ("sales", "product.template"): ["Cost: hidden"],
    ("logistics", "sale.order"): ["may change only"],
    ("support", "res.partner"): ["may change only", "Phone"],
    ("marketer", "res.partner"): ["may change only", "Tags"],
    ("marketer", "mail.template"): ["may change only", "Subject", "Body"],
    ("marketer", "sms.template"): ["may change only", "Body"],
}


def _declared_by_installed_addons(env):
    """The ``matrix_expected`` modules of the installed addons built on
    access_roles."""
    declared = []
    for module in env["access.matrix.line"]._suite_module_names():
        name = f"odoo.addons.{module}.tests.matrix_expected"
        try:
            declared.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if name != error.name and not name.startswith(f"{error.name}."):
                raise  # an error inside the module, not a module that is absent
    return declared


def expected_rights(env):
    """EXPECTED as {model: {role: rights}}, with the cells of the installed
    addons."""
    expected = {model: dict(zip(ROLES, rights, strict=True)) for model, rights in EXPECTED.items()}
    for declared in _declared_by_installed_addons(env):
        for model, cells in getattr(declared, "RIGHTS", {}).items():
            expected.setdefault(model, dict.fromkeys(ROLES, "–")).update(cells)
    return expected


def expected_protected(env):
    expected = {key: list(fragments) for key, fragments in EXPECTED_PROTECTED.items()}
    for declared in _declared_by_installed_addons(env):
        for key, fragments in getattr(declared, "PROTECTED", {}).items():
            expected.setdefault(key, []).extend(fragments)
    return expected


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.Matrix = cls.env["access.matrix.line"]
        cls.roles = {xmlid: cls.env.ref(f"access_roles.group_role_{xmlid}") for xmlid in ROLES}
        cls.live = cls.Matrix._compute_matrix()
        cls.cells = {(line["model"], line["role_id"]): line for line in cls.live}

    def test_live_matrix_equals_declared_matrix(self):
        differences = []
        for model, rights in expected_rights(self.env).items():
            for xmlid, expected in rights.items():
                line = self.cells.get((model, self.roles[xmlid].id))
                live = line["rights"] if line else "–"
                if live != expected:
                    differences.append(f"{model} / {xmlid}: declared {expected!r}, live {live!r}")
        self.assertFalse(differences, "Access matrix changed:\n" + "\n".join(differences))

    def test_export_right_is_a_row_of_the_matrix(self):
        exports = {
            line["role_id"]: line["rights"] for line in self.live if line["kind"] == "export"
        }
        self.assertEqual(
            tuple(exports.get(self.roles[xmlid].id) for xmlid in ROLES), EXPECTED_EXPORT
        )

    def test_export_right_is_the_one_odoo_applies(self):
        """The matrix says what Odoo does: a role marked “Export” exports a
        list, the others are refused."""
        partner = self.env["res.partner"].create({"name": "Exported customer"})
        for xmlid, expected in zip(ROLES, EXPECTED_EXPORT, strict=True):
            # made as in Settings: Odoo's default groups, then the role
            user = self.env["res.users"].create(
                {"name": f"Export {xmlid}", "login": f"export_{xmlid}"}
            )
            user.groups_id = [(4, self.roles[xmlid].id)]
            Partner = self.env["res.partner"].with_user(user)
            with self.subTest(role=xmlid):
                if expected == "Export":
                    rows = Partner.browse(partner.id).export_data(["name"])["datas"]
                    self.assertEqual(rows, [["Exported customer"]])
                else:
                    with self.assertRaises(UserError):
                        Partner.browse(partner.id).export_data(["name"])

    def test_protected_fields_are_listed(self):
        for (xmlid, model), fragments in expected_protected(self.env).items():
            line = self.cells[(model, self.roles[xmlid].id)]
            for fragment in fragments:
                self.assertIn(fragment, line["protected_fields"], f"{xmlid} / {model}")

    def test_record_rules_are_listed_with_the_limited_rights(self):
        line = self.cells[("sale.order", self.roles["sales"].id)]
        # Odoo's own rule ("Personal Orders") by its name for the matrix
        self.assertIn("Own orders and orders without a salesperson", line["rules"])
        self.assertIn("user_id", line["rules"])
        line = self.cells[("res.partner", self.roles["purchaser"].id)]
        self.assertIn("supplier_rank", line["rules"])

    def test_matrix_follows_the_database(self):
        """A right granted in the UI shows at once: the matrix is live."""
        self.env["ir.model.access"].create(
            {
                "name": "marketer reads orders",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "group_id": self.roles["marketer"].id,
                "perm_read": True,
            }
        )
        cells = {(line["model"], line["role_id"]): line for line in self.Matrix._compute_matrix()}
        self.assertEqual(cells[("sale.order", self.roles["marketer"].id)]["rights"], "R")

    def test_models_of_other_addons_appear(self):
        """A model that grants a right to a store role is in the matrix without
        any change to access_roles (here: a right given on a model that is not
        in any area)."""
        model = self.env.ref("base.model_res_partner_bank")
        self.env["ir.model.access"].create(
            {
                "name": "support reads banks",
                "model_id": model.id,
                "group_id": self.roles["support"].id,
                "perm_read": True,
            }
        )
        self.assertIn(model, self.Matrix._matrix_models())

    def test_screen_opens_for_managers_not_for_sales(self):
        manager = self.env["res.users"].create(
            {
                "name": "M",
                "login": "matrix_manager",
                "groups_id": [
                    (6, 0, [self.env.ref("base.group_user").id, self.roles["manager"].id])
                ],
            }
        )
        action = self.Matrix.with_user(manager).action_open_matrix()
        lines = self.Matrix.with_user(manager).search(action["domain"])
        self.assertEqual(len(lines), len(self.live))
        sales = self.env["res.users"].create(
            {
                "name": "S",
                "login": "matrix_sales",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id, self.roles["sales"].id])],
            }
        )
        with self.assertRaises(AccessError):
            self.Matrix.with_user(sales).action_open_matrix()

    def test_only_readers_of_the_matrix_may_view_it_even_through_sudo(self):
        sales = self.env["res.users"].create(
            {
                "name": "S",
                "login": "matrix_sales_sudo",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id, self.roles["sales"].id])],
            }
        )
        self.assertFalse(self.Matrix.with_user(sales)._can_view_matrix())
        self.assertFalse(self.Matrix.with_user(sales).sudo()._can_view_matrix())
        admin = self.env["res.users"].create(
            {
                "name": "A",
                "login": "matrix_admin",
                "groups_id": [(6, 0, [self.roles["administrator"].id])],
            }
        )
        self.assertTrue(self.Matrix.with_user(admin)._can_view_matrix())

    def test_credentials_hidden_from_the_roles_outside_their_groups(self):
        credentials = [
            (model_name, name)
            for model_name, model_class in self.env.registry.items()
            if not model_class._abstract
            for name, field in model_class._fields.items()
            if getattr(field, "credential", False)
        ]
        if not credentials:
            self.skipTest("no installed addon has a credential field")
        model_name, name = credentials[0]
        label = self.env[model_name]._fields[name]._description_string(self.env)
        model = self.env["ir.model"]._get(model_name)
        policies = self.env["access.field.policy"]
        cost = self.env.ref("access_roles.group_see_cost")
        for xmlid, hidden in (("administrator", False), ("manager", True), ("support", True)):
            role = self.roles[xmlid]
            lines = self.Matrix._protected_fields(
                model, role, role | role.trans_implied_ids, policies, cost
            )
            with self.subTest(role=xmlid):
                self.assertEqual(f"{label}: hidden (credential)" in lines, hidden)

    def test_csv_export(self):
        rows = list(csv.reader(io.StringIO(self.Matrix._export_csv().decode("utf-8-sig"))))
        self.assertEqual(len(rows), 1 + len(self.live) + len(self.roles))
        exports = {r[1]: r[5] for r in rows if r[0] == "export"}
        self.assertEqual(tuple(exports[self.roles[xmlid].name] for xmlid in ROLES), EXPECTED_EXPORT)
        sales_orders = [
            r for r in rows if r[1] == self.roles["sales"].name and r[4] == "sale.order"
        ]
        self.assertEqual(sales_orders[0][5], "R* W* C*")
        statuses = {r[1]: r[7] for r in rows if r[0] == "statuses"}
        # a status right names the order status, not its technical code
        if "sale.order.stage" in self.env:
            self.assertIn("status “Cancelled”", statuses[self.roles["sales"].name])
            self.assertNotIn("cancelled", statuses[self.roles["sales"].name])
        else:  # without the order flow there are codes only
            self.assertIn("cancelled", statuses[self.roles["sales"].name])

    def test_xlsx_export(self):
        workbook = openpyxl.load_workbook(io.BytesIO(self.Matrix._export_xlsx()))
        self.assertEqual(len(workbook.sheetnames), 4)
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        sales_col = header.index(self.roles["sales"].name)
        row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == "sale.order")
        self.assertEqual(row[sales_col], "R* W* C*")
        export = next(
            r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "Export of lists"
        )
        self.assertEqual(
            tuple(export[header.index(self.roles[xmlid].name)] for xmlid in ROLES),
            EXPECTED_EXPORT,
        )
        statuses = {
            r[0]: r[1] for r in workbook.worksheets[3].iter_rows(min_row=2, values_only=True)
        }
        if "sale.order.stage" in self.env:
            self.assertIn("status “Customer will wait”", statuses[self.roles["support"].name])
            self.assertNotIn("ready_to_wait", statuses[self.roles["support"].name])
        else:
            self.assertIn("ready_to_wait", statuses[self.roles["support"].name])
