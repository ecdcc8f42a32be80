"""The order paid online, across the suite: the manager agrees the order, the
customer gets the payment link by SMS, pays a prepayment at LiqPay, the order
goes to assembly and the prepayment receipt is issued at Checkbox; later the
customer pays the rest through the same link and gets the final receipt.
Every callback comes three times: nothing happens twice.

Each vendor is its own local fake: LiqPay (payment_liqpay), SMS Club
(sms_club), Checkbox (fiscal_ua)."""

import re

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.fiscal_ua.tests.common import FiscalCommon
from odoo.addons.payment_liqpay.tests.fake_liqpay import PRIVATE_KEY, PUBLIC_KEY, FakeLiqPay
from odoo.addons.sms_club.tests.fake_smsclub import TOKEN, FakeSmsClub


@tagged("post_install", "-at_install")
class TestOnlinePayment(FiscalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", "False")
        cls.liqpay = FakeLiqPay().start()
        cls.addClassCleanup(cls.liqpay.stop)
        cls.smsclub = FakeSmsClub().start()
        cls.addClassCleanup(cls.smsclub.stop)
        cls.company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": cls.smsclub.url,
                "smsclub_token": TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": cls.env["sms.club.sender"]
                .sudo()
                .create({"name": "MyShop", "kind": "sms", "company_id": cls.company.id})
                .id,
            }
        )
        shipped = cls.env.ref("payment_liqpay.payment_provider_liqpay").sudo()
        cls.provider = shipped.copy({"company_id": cls.company.id, "name": "LiqPay"})
        cls.provider.write(
            {
                "state": "test",
                "is_published": True,
                "liqpay_public_key": PUBLIC_KEY,
                "liqpay_private_key": PRIVATE_KEY,
                "liqpay_api_url": cls.liqpay.url,
                "journal_id": cls.bank_journal.id,
            }
        )
        cls.company.order_flow_payment_provider_id = cls.provider
        cls.form_online.provider_ids = [Command.set(cls.provider.ids)]
        cls.form_online.policy = "prepayment"
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Ірина Коваль", "mobile": "+380671234567", "lang": "en_US"}
        )
        cls.sales = cls.users["sales"]

    def setUp(self):
        super().setUp()
        self.liqpay.reset()
        self.smsclub.reset()

    def _process_queue(self):
        """The scheduled action that sends the queued receipts to Checkbox."""
        self.env["fiscal.receipt"]._cron_process_receipts()

    def sms_texts(self):
        self.env["sms.sms"].sudo()._process_queue()
        return [text for _kind, _phone, text in self.smsclub.sent()]

    def customer_pays(self, url, times=3):
        """The customer taps the link in the SMS and pays at LiqPay; LiqPay
        sends its callback ``times`` times."""
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        token = re.search(r'name="access_token" value="([^"]+)"', page.text).group(1)
        redirect = self.url_open(
            url.split("?")[0], data={"csrf_token": csrf, "access_token": token}
        )
        self.assertEqual(redirect.status_code, 200)
        checkout = self.liqpay.post_form(redirect.text)
        self.env.flush_all()
        answers = self.liqpay.pay(checkout["order_id"], times=times)
        self.assertEqual(answers, [200] * times)
        self.env.invalidate_all()
        tx = self.env["payment.transaction"].search([("reference", "=", checkout["order_id"])])
        # Odoo's post-processing, the scheduled action the callback triggers
        # (run as the scheduler's user)
        tx.with_user(self.env.ref("base.user_root"))._post_process()
        self.env.flush_all()
        self._process_queue()
        return checkout, tx

    def test_agreed_link_pay_assembly_receipts_nothing_twice(self):
        order = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create(
                {
                    "partner_id": self.buyer.id,
                    "require_payment": True,
                    "prepayment_percent": 0.3,
                    "carrier_id": self.env.ref("crm_order_flow.carrier_self_pickup").id,
                    "order_line": [
                        Command.create({"product_id": self.kettle.id, "price_unit": 1000.0})
                    ],
                }
            )
        )
        order = order.with_env(self.env)  # the rest is read by an administrator
        if order.state != "sale":
            order.action_confirm()
        order._order_flow_write_stage(self.env["sale.order.stage"]._get_by_code("agreed"))
        self.env.flush_all()
        # The payment link goes out by SMS and opens LiqPay for the prepayment.
        link = [text for text in self.sms_texts() if "/order-flow/pay/" in text]
        self.assertEqual(len(link), 1)
        url = re.search(r"https?://\S+/order-flow/pay/\S+", link[0]).group(0)
        checkout, prepayment_tx = self.customer_pays(url)
        self.assertEqual(checkout["amount"], "300.00")
        self.assertEqual(checkout.get("sandbox"), "1")
        self.assertEqual(prepayment_tx.state, "done")
        self.assertEqual((order.paid_amount, order.order_payment_state), (300.0, "partial"))
        self.assertEqual(order.stage_id.code, "to_assembly")
        prepayment = order.fiscal_receipt_ids
        self.assertEqual((prepayment.receipt_type, prepayment.state), ("prepayment", "done"))
        self.assertEqual(len(self.fake.calls_to("POST", r"prepayment-receipts$")), 1)
        # The rest through the same link: the final receipt, chained to the prepayment.
        checkout, rest_tx = self.customer_pays(url)
        self.assertEqual(checkout["amount"], "700.00")
        self.assertEqual(order.order_payment_state, "paid")
        final = order.fiscal_receipt_ids - prepayment
        self.assertEqual((final.receipt_type, final.state), ("final", "done"))
        self.assertEqual(final.related_receipt_id, prepayment)
        # LiqPay repeats both callbacks later, the post-processing runs again:
        # nothing is paid, issued or sent twice.
        sms_before = len(self.sms_texts())
        self.env.flush_all()
        for callback in list(self.liqpay.callbacks):
            self.assertEqual(self.liqpay.resend(callback), 200)
        self.env.invalidate_all()
        (prepayment_tx | rest_tx).with_user(self.env.ref("base.user_root"))._post_process()
        self._process_queue()
        self.assertEqual(len(order.transaction_ids.filtered(lambda tx: tx.state == "done")), 2)
        self.assertEqual(order.paid_amount, 1000.0)
        self.assertEqual(len(order.fiscal_receipt_ids), 2)
        self.assertEqual(len(self.fake.fiscal_receipts()), 2)
        self.assertEqual(len(self.sms_texts()), sms_before)
        self.assertEqual(
            [
                visit.stage_id.code
                for visit in self.env["sale.order.stage.history"].search(
                    [("order_id", "=", order.id)], order="id"
                )
            ].count("to_assembly"),
            1,
        )

    def test_no_role_writes_what_the_acquirer_answered(self):
        """The fields the provider addons add to a transaction (LiqPay's
        status, the time of monobank's last notice) are the acquirer's
        answers: refused for every role, like the transaction's state."""
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_card").id,
                    "reference": "SCENARIO-TX-1",
                    "amount": 100.0,
                    "currency_id": self.uah.id,
                    "partner_id": self.buyer.id,
                }
            )
        )
        for role in ("accountant", "administrator"):
            for vals in (
                {"liqpay_status": "success"},
                {"monobank_modified_date": "2099-01-01 00:00:00"},
                {"state": "done"},
            ):
                with self.subTest(role=role, vals=vals), self.assertRaises(AccessError):
                    tx.with_user(self.users[role]).write(vals)
        self.assertEqual((tx.state, tx.liqpay_status), ("draft", False))
