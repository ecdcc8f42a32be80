"""The Administrator's day in the browser, in the Ukrainian interface: the
live access matrix and its exports, the order flow's trigger map, statuses
and status matrix, and the connectors' connection tests against the local
fake vendors."""

import csv
import io

import openpyxl

from odoo.tests import tagged

from odoo.addons.delivery_novaposhta.tests.fake_novaposhta import VALID_KEY, FakeNovaPoshta
from odoo.addons.fiscal_ua.tests.fake_checkbox import FakeCheckbox
from odoo.addons.sms_club.tests.fake_smsclub import TOKEN as SMSCLUB_TOKEN
from odoo.addons.sms_club.tests.fake_smsclub import FakeSmsClub

from .security_common import FakeVendorsCase

CASHIER_LOGIN = "adm-tour-cashier"
CASHIER_PASSWORD = "adm-tour-cashier-pass"
LICENSE_KEY = "adm-tour-licence-key"


@tagged("post_install", "-at_install")
class TestAdministratorTour(FakeVendorsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_user = cls.env.ref(
            "access_roles.user_demo_administrator", raise_if_not_found=False
        )
        if not cls.admin_user:
            cls.skipTest(cls, "the tour runs as the demo Administrator")
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.admin_user.lang = "uk_UA"
        company = cls.admin_user.company_id
        cls.company = company
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        cls.np_fake = FakeNovaPoshta().start()
        cls.addClassCleanup(cls.np_fake.stop)
        cls.sms_fake = FakeSmsClub().start()
        cls.addClassCleanup(cls.sms_fake.stop)
        cls.sms_fake.money = "321.0000"
        cls.checkbox_fake = FakeCheckbox(
            cashiers={CASHIER_LOGIN: CASHIER_PASSWORD}, license_keys={LICENSE_KEY}
        ).start()
        cls.addClassCleanup(cls.checkbox_fake.stop)
        sender = cls.env["sms.club.sender"].create(
            {"name": "AdmTourShop", "kind": "sms", "company_id": company.id}
        )
        company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": cls.sms_fake.url,
                "smsclub_token": SMSCLUB_TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": sender.id,
            }
        )
        cls.np_account = cls.env["novaposhta.account"].create(
            {
                "name": "Adm tour NP account",
                "company_id": company.id,
                "api_key": VALID_KEY,
                "api_url": cls.np_fake.url,
                "print_url": cls.np_fake.print_url,
                "timeout": 5.0,
                "sender_phone": "+380671112233",
            }
        )
        cashier = cls.env["fiscal.cashier"].create(
            {
                "name": "Adm tour cashier",
                "company_id": company.id,
                "login": CASHIER_LOGIN,
                "password": CASHIER_PASSWORD,
            }
        )
        cls.register = cls.env["fiscal.cash.register"].create(
            {
                "name": "Adm tour register",
                "company_id": company.id,
                "mode": "test",
                "base_url": cls.checkbox_fake.url,
                "license_key": LICENSE_KEY,
                "cashier_id": cashier.id,
                "request_timeout": 5.0,
                "receipt_wait": 1.0,
            }
        )

    def _tour(self, url, name):
        self.start_tour(url, name, login="administrator")

    def test_access_matrix_and_its_exports(self):
        self._tour(
            "/odoo/action-access_roles.access_matrix_line_action_server",
            "suite_administrator_matrix",
        )
        # What the export buttons download, as the Administrator's browser gets it.
        self.authenticate("administrator", "administrator")
        response = self.url_open("/access_roles/matrix/export/xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn("access_matrix.xlsx", response.headers["Content-Disposition"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(
            workbook.sheetnames, ["Права", "Правила записів", "Захищені поля", "Статуси"]
        )
        texts = "\n".join(
            str(cell.value or "") for sheet in workbook for row in sheet.iter_rows() for cell in row
        )
        self.assertIn("Лише підтверджені замовлення", texts)
        self.assertNotIn("Personal Orders", texts)
        response = self.url_open("/access_roles/matrix/export/csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/csv", response.headers["Content-Type"])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:2], ["Вид", "Роль"])
        self.assertIn("статуси", {row[0] for row in rows})

    def test_trigger_map(self):
        self._tour(
            "/odoo/action-crm_order_flow.sale_order_trigger_map_action",
            "suite_administrator_trigger_map",
        )

    def test_statuses_and_status_matrix(self):
        self._tour(
            "/odoo/action-crm_order_flow.sale_order_stage_action", "suite_administrator_statuses"
        )

    def test_nova_poshta_connection_test(self):
        self._tour(
            f"/odoo/action-delivery_novaposhta.novaposhta_account_action/{self.np_account.id}",
            "suite_administrator_connection_test",
        )

    def test_checkbox_connection_test(self):
        self._tour(
            f"/odoo/action-fiscal_ua.fiscal_cash_register_action/{self.register.id}",
            "suite_administrator_connection_test",
        )

    def test_sms_club_balance(self):
        self._tour("/odoo/settings", "suite_administrator_sms_balance")
        self.company.invalidate_recordset()
        self.assertEqual(self.company.smsclub_balance, 321.0)
