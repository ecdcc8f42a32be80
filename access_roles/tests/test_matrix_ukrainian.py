import csv
import io

import openpyxl

from odoo.tests import tagged

from .common import AccessRolesCommon


@tagged("post_install", "-at_install")
class TestMatrixUkrainian(AccessRolesCommon):
    """The access matrix (screen, CSV, XLSX) in the Ukrainian interface:
    record rules, protected fields and statuses by their Ukrainian names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"].search(
            [("name", "in", ("access_roles", "crm_order_flow", "sale", "mail"))]
        )._load_module_terms(
            ["access_roles", "crm_order_flow", "sale", "mail", "product"], ["uk_UA"]
        )
        cls.admin_uk = cls.users["administrator"]
        cls.admin_uk.lang = "uk_UA"
        cls.Matrix = (
            cls.env["access.matrix.line"].with_user(cls.admin_uk).with_context(lang="uk_UA")
        )

    def _csv_rows(self):
        content = self.Matrix._export_csv().decode("utf-8-sig")
        return list(csv.reader(io.StringIO(content)))

    def _rows_of(self, rows, role_xmlid, model=None):
        role = self.env.ref(role_xmlid).with_context(lang="uk_UA").name
        return [row for row in rows if row[1] == role and (model is None or row[4] == model)]

    def test_record_rules_by_their_ukrainian_names(self):
        rows = self._csv_rows()
        self.assertEqual(rows[0][6], "Правила записів")
        logistics = self._rows_of(rows, "access_roles.group_role_logistics", "sale.order")
        self.assertIn("R: Лише підтверджені замовлення", logistics[0][6])
        self.assertNotIn("Logistics: confirmed orders only", logistics[0][6])
        sales = self._rows_of(rows, "access_roles.group_role_sales", "sale.order")
        self.assertIn("Власні замовлення та замовлення без продавця", sales[0][6])
        self.assertNotIn("Personal Orders", sales[0][6])

    def test_protected_fields_by_their_ukrainian_labels(self):
        rows = self._csv_rows()
        sales_products = self._rows_of(rows, "access_roles.group_role_sales", "product.template")
        protected = sales_products[0][7]
        self.assertIn("приховано (закупівельна ціна / собівартість)", protected)
        self.assertNotIn("Cost:", protected)
        label = (
            self.env["product.template"]
            ._fields["standard_price"]
            ._description_string(self.env(context={"lang": "uk_UA"}))
        )
        self.assertNotEqual(label, "Cost")
        self.assertIn(f"{label}: приховано", protected)
        sales_lines = self._rows_of(rows, "access_roles.group_role_sales", "sale.order.line")
        self.assertIn("не може змінювати", sales_lines[0][7])

    def test_statuses_by_their_ukrainian_names(self):
        rows = self._csv_rows()
        statuses = [row for row in rows if row[0] == "статуси"]
        self.assertTrue(statuses)
        support = self._rows_of(statuses, "access_roles.group_role_support")[0][7]
        if "sale.order.stage" in self.env:  # the order flow names its statuses
            self.assertNotIn("ready_to_wait", support)
            self.assertNotIn("delivery_postponed", support)
            stage = (
                self.env["sale.order.stage"]
                .with_context(lang="uk_UA")
                .search([("code", "=", "delivery_postponed")])
            )
            self.assertIn(f"статус «{stage.name}»", support)
        sales = self._rows_of(statuses, "access_roles.group_role_sales")[0][7]
        if "sale.order.stage" in self.env:
            self.assertNotIn("cancelled", sales)
        self.assertIn("лише Самовивіз", sales)

    def test_xlsx_sheets_in_ukrainian(self):
        workbook = openpyxl.load_workbook(io.BytesIO(self.Matrix._export_xlsx()))
        self.assertEqual(workbook.sheetnames[1], "Правила записів")
        texts = "\n".join(
            str(cell.value or "") for sheet in workbook for row in sheet.iter_rows() for cell in row
        )
        self.assertIn("Лише підтверджені замовлення", texts)
        self.assertIn("приховано (закупівельна ціна / собівартість)", texts)
        for english in ("Personal Orders", "Logistics: confirmed orders only", "Cost:"):
            self.assertNotIn(english, texts)

    def test_screen_lines_in_ukrainian(self):
        self.Matrix.action_open_matrix()
        lines = self.Matrix.search(
            [("create_uid", "=", self.admin_uk.id), ("model", "=", "sale.order")]
        )
        logistics = lines.filtered(
            lambda line: line.role_id == self.env.ref("access_roles.group_role_logistics")
        )
        self.assertIn("Лише підтверджені замовлення", logistics.rules)

    def test_status_rights_screen_names_the_status(self):
        right = (
            self.env["access.status.right"]
            .with_user(self.admin_uk)
            .with_context(lang="uk_UA")
            .search([("status_code", "=", "cancelled")], limit=1)
        )
        self.assertTrue(right)
        if "sale.order.stage" in self.env:
            self.assertTrue(right.status_name)
            self.assertNotEqual(right.status_name, "cancelled")
