"""Shifts: manual open, X-report, close; closing before midnight (Kyiv)."""

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FiscalCommon


@tagged("post_install", "-at_install")
class TestShifts(FiscalCommon):
    def _open(self):
        self.register.with_user(self.accountant).action_open_shift()
        return self.register.current_shift_id

    def test_accountant_opens_reports_and_closes_a_shift(self):
        register = self.register.with_user(self.accountant)
        action = register.action_open_shift()
        shift = self.register.current_shift_id
        self.assertEqual(shift.status, "OPENED")
        self.assertIn(str(shift.serial), action["params"]["message"])
        self.assertEqual(shift.cashier_id, self.cashier)
        self.assertTrue(shift.opened_at)
        register.action_x_report()
        self.assertIn('"is_z_report": false', shift.x_report)
        register.action_close_shift()
        self.assertEqual(shift.status, "CLOSED")
        self.assertTrue(shift.closed_at)
        self.assertIn('"is_z_report": true', shift.z_report)
        self.assertFalse(self.register.current_shift_id)
        self.assertFalse(self.fake.open_shift_id)

    def test_x_report_shows_the_sales_of_the_shift(self):
        """Checkbox nests the sums of a report by payment type: the X-report
        shows the shift's sales and returns, not 0.00."""
        sold = self._simple_invoice(1000.0)
        self._fiscalize(sold)
        self._fiscalize(self._simple_invoice(500.0))
        refund = sold._reverse_moves()
        refund.action_post()
        refund.with_user(self.accountant).action_fiscal_return()
        action = self.register.with_user(self.accountant).action_x_report()
        message = action["params"]["message"]
        self.assertIn("Sales: 2 receipts, 1500.00 UAH", message)
        self.assertIn("returns: 1 receipts, 1000.00 UAH", message)
        self.assertIn('"sell_sum": 150000', self.register.current_shift_id.x_report)

    def test_open_shift_uses_the_shift_already_open_on_checkbox(self):
        self._open()
        self.env["fiscal.shift"].search([]).unlink()
        shift = self._open()
        self.assertEqual(shift.status, "OPENED")
        self.assertEqual(len(self.fake.calls_to("POST", r"shifts$")), 1)

    def test_scheduled_action_closes_the_shift_before_midnight_kyiv(self):
        shift = self._open()
        shift.opened_at = "2025-03-10 06:00:00"
        with freeze_time("2025-03-10 10:00:00"):  # 12:00 in Kyiv
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "OPENED")
        with freeze_time("2025-03-10 21:50:00"):  # 23:50 in Kyiv (UTC+2 in March)
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "CLOSED")
        self.assertTrue(shift.z_report)
        self.assertEqual(len(self.fake.calls_to("POST", r"shifts/close$")), 1)

    def test_summer_time_is_kyiv_time(self):
        shift = self._open()
        shift.opened_at = "2025-07-10 06:00:00"
        with freeze_time("2025-07-10 20:30:00"):  # 23:30 in Kyiv (UTC+3): not yet
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "OPENED")
        with freeze_time("2025-07-10 20:50:00"):  # 23:50 in Kyiv
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "CLOSED")

    def test_shift_left_open_from_yesterday_is_closed(self):
        shift = self._open()
        shift.opened_at = "2025-03-10 06:00:00"
        with freeze_time("2025-03-11 07:00:00"):
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "CLOSED")

    def test_first_receipt_of_the_day_closes_yesterdays_shift_and_opens_one(self):
        old = self._open()
        old.opened_at = "2020-01-01 08:00:00"
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(old.status, "CLOSED")
        self.assertNotEqual(receipt.shift_id, old)
        self.assertEqual(receipt.shift_id.status, "OPENED")

    def test_closing_fails_without_stopping_other_registers(self):
        shift = self._open()
        shift.opened_at = "2020-01-01 08:00:00"
        broken = self.register.sudo().copy({"name": "Broken"})
        self.env["fiscal.shift"].sudo().create(
            {
                "register_id": broken.id,
                "checkbox_id": "broken-shift",
                "status": "OPENED",
                "opened_at": "2020-01-01 08:00:00",
            }
        )
        with mute_logger("odoo.addons.fiscal_ua.models.fiscal_cash_register"):
            self.env["fiscal.cash.register"]._cron_close_shifts()
        self.assertEqual(shift.status, "CLOSED")
        self.assertEqual(broken.current_shift_id.status, "OPENED")

    def test_load_tax_rates_keeps_the_mapping(self):
        self.register.with_user(self.accountant).action_load_taxes()
        self.assertEqual(set(self.register.tax_ids.mapped("code")), {1, 2, 8})
        self.assertEqual(self.fiscal_tax_20.tax_ids, self.tax_20 | self.tax_20_excluded)
        self.assertEqual(len(self.register.tax_ids), 3)
