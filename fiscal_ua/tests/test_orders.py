"""Orders paid online, prepayments, cash on delivery, the receipt link."""

from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FiscalCommon

EVENING = datetime(2031, 1, 15, 20, 30, 0)  # 22:30 in Kyiv (UTC+2 in winter)
MORNING_OPEN = datetime(2031, 1, 16, 7, 0, 0)  # 09:00 in Kyiv


@tagged("post_install", "-at_install")
class TestOrderReceipts(FiscalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Test acquiring",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
            }
        )
        cls.form_online.provider_ids = [Command.set(cls.provider.ids)]
        cls.method = cls.env.ref("payment.payment_method_card")
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "Іван Покупець",
                "phone": "+380501112233",
                "email": "ivan@example.com",
                "lang": "en_US",
            }
        )
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", "False")

    def _order(self, partner=None, confirm=True):
        # Composed as a salesperson does (the order, then its lines), so that
        # it stays a quotation where an order process confirms new orders on
        # creation.
        order = self.env["sale.order"].create({"partner_id": (partner or self.buyer).id})
        order.order_line = [
            Command.create(
                {
                    "product_id": self.kettle.id,
                    "product_uom_qty": 1,
                    "price_unit": 1000.0,
                    "tax_id": [Command.set(self.tax_20.ids)],
                }
            )
        ]
        if confirm:
            order.action_confirm()
        return order

    def _pay_online(self, order, amount):
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "amount": amount,
                "currency_id": self.uah.id,
                "partner_id": order.partner_id.id,
                "reference": f"{order.name}-{len(order.transaction_ids) + 1}",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        transaction._set_done()
        # Odoo's own payment creation needs an accounting setup of the provider
        # that is not the subject here; everything else of the post-processing runs.
        Transaction = type(self.env["payment.transaction"])
        # as Odoo's scheduled post-processing does it (its user is the system)
        with patch.object(Transaction, "_create_payment", lambda tx, **kw: None):
            transaction.with_user(self.env.ref("base.user_root"))._post_process()
        return transaction

    def _process_queue(self):
        self.env["fiscal.receipt"]._cron_process_receipts()

    def _sms_text(self, order):
        """The text of the SMS with the receipt link, as the customer gets it."""
        message = self._link_log(order).message_id
        return self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)]).body

    def _link_log(self, order):
        """The entries of the order's customer message log with the receipt link."""
        return order.customer_message_ids.filtered(
            lambda m: m.template_name == "Fiscal receipt link"
        )

    def test_fully_paid_online_order_is_fiscalized_and_the_link_sent(self):
        order = self._order()
        self._pay_online(order, 1000.0)
        receipt = order.fiscal_receipt_ids
        self.assertEqual((receipt.receipt_type, receipt.state), ("sell", "draft"))
        self.assertFalse(self.fake.calls, "queued: the payment does not wait for Checkbox")
        self._process_queue()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.payment_summary, "Інтернет еквайринг 1000.00")
        self.assertEqual(
            self.fake.receipts[receipt.uuid]["payments"][0]["label"], "Інтернет еквайринг"
        )
        # One SMS with the receipt link (an order process may send others).
        sms = order.message_ids.filtered(
            lambda m: m.message_type == "sms" and receipt.public_url in (m.body or "")
        )
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.partner_ids, self.buyer)
        self.assertTrue(receipt.link_sent)
        # it is in the order's customer message log, from the editable template
        log = self._link_log(order)
        self.assertEqual((log.medium, log.message_id), ("sms", sms))
        self.assertEqual(log.template_name, "Fiscal receipt link")
        # and it goes out through Odoo's SMS queue (the SMS provider sends it)
        outgoing = self.env["sms.sms"].sudo().search([("mail_message_id", "=", sms.id)])
        self.assertEqual(outgoing.number, "+380501112233")
        self.assertIn(receipt.public_url, outgoing.body)

    def test_customer_without_phone_gets_the_link_by_email(self):
        order = self._order(partner=self.customer)
        self._pay_online(order, 1000.0)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        message = order.message_ids.filtered(lambda m: receipt.public_url in (m.body or ""))
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(message.subject, f"Your fiscal receipt for order {order.name}")
        self.assertEqual(
            (self._link_log(order).medium, self._link_log(order).message_id), ("email", message)
        )
        self.assertTrue(receipt.link_sent)

    def test_customer_who_wants_no_messages_gets_no_link(self):
        self.buyer.order_notify_channel = "none"
        order = self._order()
        self._pay_online(order, 1000.0)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        self.assertEqual(receipt.state, "done")
        self.assertFalse(
            order.message_ids.filtered(lambda m: receipt.public_url in (m.body or "")),
            "no message with the link",
        )
        self.assertFalse(self._link_log(order))
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.buyer.id)]))
        self.assertFalse(receipt.link_sent)
        note = order.message_ids.filtered(
            lambda m: receipt.display_name in (m.body or "") and "was not sent" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertTrue(note.subtype_id.internal, "a note for the staff, not for the customer")
        self.assertIn("No messages", note.body)

    def test_link_outside_the_sending_window_waits_for_it(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        self.register.send_receipt_link = False
        order = self._order()
        self._pay_online(order, 1000.0)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        self.assertEqual((receipt.state, receipt.link_sent), ("done", False))
        self.register.send_receipt_link = True
        with freeze_time(EVENING):
            receipt.sudo()._fiscal_after_done()  # as the scheduled action does
        self.assertTrue(receipt.link_sent)
        log = self._link_log(order)
        self.assertEqual((log.scheduled_date, log.state), (MORNING_OPEN, "scheduled"))
        self.assertIn(receipt.public_url, log.message_id.body)
        outgoing = self.env["sms.sms"].sudo().search([("mail_message_id", "=", log.message_id.id)])
        self.assertFalse(outgoing, "nothing goes out before the window opens")
        with freeze_time(MORNING_OPEN.replace(minute=1)):
            self.env["mail.message.schedule"].sudo()._send_notifications_cron()
        outgoing = self.env["sms.sms"].sudo().search([("mail_message_id", "=", log.message_id.id)])
        self.assertEqual(outgoing.number, "+380501112233")

    def test_link_templates_are_editable_and_speak_the_customers_language(self):
        sms = self.env.ref("fiscal_ua.sms_template_receipt_link")
        mail = self.env.ref("fiscal_ua.mail_template_receipt_link")
        # the receipt link is one of the placeholders template authors may use
        self.assertIn(
            "{{ object.fiscal_receipt_url }} (Receipt link)", sms._order_flow_placeholder_help()
        )
        self.assertTrue(
            self.env["sale.order"]._order_flow_sample_message_values()["fiscal_receipt_url"]
        )
        for template in (sms, mail):
            self.assertFalse(template._order_flow_has_code(), template.name)
        # a Ukrainian-speaking customer gets the shipped text in Ukrainian
        ukrainian = self.env["res.partner"].create(
            {
                "name": "Оксана Покупець",
                "phone": "+380671112233",
                "email": "oksana@example.com",
                "lang": "uk_UA",
            }
        )
        order = self._order(partner=ukrainian)
        self._pay_online(order, 1000.0)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        self.assertEqual(
            self._sms_text(order),
            f"Ваш фіскальний чек до замовлення {order.name}: {receipt.public_url}",
        )
        # an administrator changes the text; it is what the customer gets
        sms.with_user(
            self.users["administrator"]
        ).body = "Receipt of {{ object.name }}: {{ object.fiscal_receipt_url }} Thank you!"
        order = self._order()
        self._pay_online(order, 1000.0)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        self.assertEqual(
            self._sms_text(order), f"Receipt of {order.name}: {receipt.public_url} Thank you!"
        )

    def test_payment_post_processed_twice_gives_one_receipt(self):
        order = self._order()
        transaction = self._pay_online(order, 1000.0)
        order._fiscal_on_transaction_done(transaction)
        self._process_queue()
        self.assertEqual(len(order.fiscal_receipt_ids), 1)
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_prepayment_then_final_receipt(self):
        self.form_online.policy = "prepayment"
        order = self._order()
        self._pay_online(order, 300.0)
        prepayment = order.fiscal_receipt_ids
        self.assertEqual(prepayment.receipt_type, "prepayment")
        self._process_queue()
        self.assertEqual(prepayment.state, "done")
        relation = prepayment.prepayment_relation_id
        self.assertTrue(relation)
        body = self.fake.calls_to("POST", r"prepayment-receipts$")[0]["body"]
        self.assertEqual(body["goods"][0]["good"]["price"], 100000, "goods at full price")
        self.assertEqual(body["payments"][0]["value"], 30000, "payment of the prepaid part")
        self._pay_online(order, 700.0)
        final = order.fiscal_receipt_ids - prepayment
        self.assertEqual((final.receipt_type, final.related_receipt_id), ("final", prepayment))
        self._process_queue()
        self.assertEqual(final.state, "done")
        call = self.fake.calls_to("POST", rf"prepayment-receipts/{relation}$")[0]
        self.assertEqual(
            call["body"],
            {
                "id": final.uuid,
                "payments": [
                    {"type": "CASHLESS", "value": 70000, "label": "Інтернет еквайринг", "code": 1}
                ],
            },
        )
        self.assertEqual(self.fake.chains[relation]["paid_sum"], 100000)
        # the customer gets the link of each receipt
        self.assertTrue(prepayment.link_sent)
        self.assertTrue(final.link_sent)
        for receipt in prepayment | final:
            self.assertTrue(
                order.message_ids.filtered(
                    lambda m, url=receipt.public_url: (
                        m.message_type == "sms" and url in (m.body or "")
                    )
                ),
                receipt.display_name,
            )

    def test_final_receipt_waits_for_the_prepayment_receipt(self):
        self.form_online.policy = "prepayment"
        order = self._order()
        self._pay_online(order, 300.0)
        prepayment = order.fiscal_receipt_ids
        self.fake.done_after_polls = 10**6
        self.register.receipt_wait = 0.05
        self._process_queue()
        self.assertEqual(prepayment.state, "sent")
        self._pay_online(order, 700.0)
        final = order.fiscal_receipt_ids - prepayment
        self._process_queue()
        self.assertEqual(final.state, "draft")
        self.assertIn("Waiting for the prepayment receipt", final.error_message)
        self.fake.done_after_polls = 1
        self._process_queue()
        self.assertEqual((prepayment.state, final.state), ("done", "done"))

    def test_partial_payment_with_full_payment_policy_waits_for_the_rest(self):
        order = self._order()
        self._pay_online(order, 400.0)
        self.assertFalse(order.fiscal_receipt_ids)
        self._pay_online(order, 600.0)
        receipt = order.fiscal_receipt_ids
        self._process_queue()
        self.assertEqual(receipt.state, "done")
        payments = self.fake.receipts[receipt.uuid]["payments"]
        self.assertEqual([p["value"] for p in payments], [100000])

    def test_order_receipt_that_cannot_be_built_is_listed_as_error(self):
        excise = self.env["account.tax"].create(
            {"name": "Акциз 5%", "amount": 5.0, "type_tax_use": "sale"}
        )
        order = self._order()
        order.order_line.tax_id = excise
        self._pay_online(order, order.amount_total)
        self._process_queue()
        receipt = order.fiscal_receipt_ids
        self.assertEqual(receipt.state, "error")
        self.assertIn("Акциз 5%", receipt.error_message)
        self.assertFalse(self.fake.calls_to("POST", r"receipts/sell$"))

    def test_policy_none_issues_nothing(self):
        self.form_online.policy = "none"
        order = self._order()
        self._pay_online(order, 1000.0)
        self.assertFalse(order.fiscal_receipt_ids)

    def test_invoice_of_an_order_fiscalized_at_payment_needs_no_second_receipt(self):
        order = self._order()
        self._pay_online(order, 1000.0)
        self._process_queue()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.fiscal_state, "done")
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.accountant).action_fiscalize()
        self.assertIn("was fiscalized when it was paid", str(caught.exception))
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_cash_on_delivery_receipt_at_shipping(self):
        order = self._order(confirm=False)
        order.fiscal_payment_form_id = self.form_cod
        order.action_confirm()
        self.assertFalse(order.fiscal_receipt_ids)
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        receipt = order.fiscal_receipt_ids
        self.assertEqual(receipt.receipt_type, "sell")
        self._process_queue()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            self.fake.receipts[receipt.uuid]["payments"],
            [{"type": "CASHLESS", "value": 100000, "label": "Післяплата", "code": 1}],
        )

    def test_cash_on_delivery_issued_by_the_carrier(self):
        self.form_cod.policy = "none"
        order = self._order(confirm=False)
        order.fiscal_payment_form_id = self.form_cod
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        self.assertFalse(order.fiscal_receipt_ids)

    def test_prepayment_online_rest_cash_on_delivery(self):
        self.form_online.policy = "prepayment"
        order = self._order(confirm=False)
        order.fiscal_payment_form_id = self.form_cod
        order.action_confirm()
        self._pay_online(order, 200.0)
        self._process_queue()
        prepayment = order.fiscal_receipt_ids
        self.assertEqual(prepayment.state, "done")
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        final = order.fiscal_receipt_ids - prepayment
        self._process_queue()
        self.assertEqual((final.receipt_type, final.state), ("final", "done"))
        self.assertEqual(final.payment_summary, "Післяплата 800.00")
        self.assertEqual(self.fake.chains[prepayment.prepayment_relation_id]["paid_sum"], 100000)

    def test_acquirer_that_fiscalizes_gets_no_second_receipt(self):
        """A provider marked "Fiscal receipts issued by the acquirer": no
        receipt from the store, a note saying why, and the invoice refuses a
        receipt by hand too."""
        self.provider.fiscal_by_acquirer = True
        order = self._order()
        transaction = self._pay_online(order, 1000.0)
        order._fiscal_on_transaction_done(transaction)
        self._process_queue()
        self.assertFalse(order.fiscal_receipt_ids)
        self.assertFalse(self.fake.fiscal_receipts())
        self.assertTrue(
            any(
                "issues the receipts of its payments" in body
                for body in order.message_ids.mapped("body")
            )
        )
        invoice = order._create_invoices()
        invoice.action_post()
        # the invoice is paid through the transaction's payment
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": order.partner_id.id,
                "amount": 1000.0,
                "currency_id": self.uah.id,
                "journal_id": self.env["account.journal"]
                .search([("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1)
                .id,
                "payment_transaction_id": transaction.id,
            }
        )
        payment.action_post()
        (payment.move_id.line_ids + invoice.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.accountant).action_fiscalize()
        self.assertIn("issues the fiscal receipts of its payments itself", str(caught.exception))
        self.assertFalse(self.fake.fiscal_receipts())

    def test_prepayment_fiscalized_by_the_acquirer_leaves_the_rest_to_a_person(self):
        self.form_online.policy = "prepayment"
        self.provider.fiscal_by_acquirer = True
        order = self._order(confirm=False)
        order.fiscal_payment_form_id = self.form_cod
        order.action_confirm()
        self._pay_online(order, 200.0)
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        self._process_queue()
        self.assertFalse(order.fiscal_receipt_ids)
        self.assertFalse(self.fake.fiscal_receipts())
        self.assertTrue(
            any(
                "issue the receipt of the rest" in body for body in order.message_ids.mapped("body")
            )
        )

    def test_prepayment_processed_again_after_the_final_receipt_gives_nothing(self):
        """A payment post-processed once more, after the order was paid in
        full, is not taken for the final payment a second time."""
        self.form_online.policy = "prepayment"
        order = self._order()
        first = self._pay_online(order, 300.0)
        second = self._pay_online(order, 700.0)
        self._process_queue()
        self.assertEqual(
            sorted(order.fiscal_receipt_ids.mapped("receipt_type")), ["final", "prepayment"]
        )
        order._fiscal_on_transaction_done(first)
        order._fiscal_on_transaction_done(second)
        self._process_queue()
        self.assertEqual(len(order.fiscal_receipt_ids), 2)
        self.assertEqual(len(self.fake.fiscal_receipts()), 2)

    def test_rest_paid_elsewhere_after_an_acquirer_receipt_is_left_to_a_person(self):
        """The prepayment went through an acquirer that fiscalizes it, the
        rest through another provider: a sale receipt of the store would
        name the acquirer's payment again, so none is issued, a note says
        so once, however often the payment is processed."""
        acquirer = self.provider.copy({"name": "Fiscalizing acquirer", "fiscal_by_acquirer": True})
        order = self._order()
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": acquirer.id,
                "payment_method_id": self.method.id,
                "amount": 300.0,
                "currency_id": self.uah.id,
                "partner_id": order.partner_id.id,
                "reference": f"{order.name}-acq",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        transaction._set_done()
        order._fiscal_on_transaction_done(transaction)
        rest = self._pay_online(order, 700.0)
        order._fiscal_on_transaction_done(rest)
        self._process_queue()
        self.assertEqual(order.order_payment_state, "paid")
        self.assertFalse(order.fiscal_receipt_ids)
        self.assertFalse(self.fake.fiscal_receipts())
        notes = [
            body
            for body in order.message_ids.mapped("body")
            if "issue the receipt of this payment by hand" in body
        ]
        self.assertEqual(len(notes), 1)
        self.assertIn(rest.reference, notes[0])
