from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MonobankCommon
from .fake_monobank import TOKEN

CREATE = "/api/merchant/invoice/create"


@tagged("post_install", "-at_install")
class TestMonobankRendering(MonobankCommon):
    def test_invoice_payload(self):
        tx = self.create_tx()
        self.render(tx)
        [request] = self.requests_to(CREATE)
        self.assertEqual(request["headers"]["X-Token"], TOKEN)
        base_url = self.provider.get_base_url().rstrip("/")
        self.assertEqual(
            request["body"],
            {
                "amount": 111111,
                "ccy": 980,
                "merchantPaymInfo": {
                    "reference": "S00042-1",
                    "destination": "Payment S00042-1",
                    "comment": "Payment S00042-1",
                    "basketOrder": [
                        {"name": "Payment S00042-1", "qty": 1, "sum": 111111, "code": "S00042-1"}
                    ],
                },
                "redirectUrl": f"{base_url}/payment/monobank/return?ref=S00042-1",
                "webHookUrl": f"{base_url}/payment/monobank/webhook",
                "validity": 86400,
                "paymentType": "debit",
            },
        )
        invoice = self.fake.invoice("S00042-1")
        self.assertEqual(tx.provider_reference, invoice["invoiceId"])
        self.assertEqual(tx.state, "draft")

    def test_redirect_form_keeps_the_page_query(self):
        tx = self.create_tx()
        form = self._extract_values_from_html_form(self.render(tx)["redirect_form_html"])
        invoice_id = tx.provider_reference
        # a GET form replaces its action's query string: the page's parameters are inputs
        self.assertEqual(form["action"], f"{self.fake.url}/pay/{invoice_id}")
        self.assertEqual(form["method"], "get")
        self.assertEqual(form["inputs"], {"lang": "uk", "src": "odoo"})
        self.assertEqual(tx.monobank_page_url, f"{self.fake.url}/pay/{invoice_id}?lang=uk&src=odoo")

    def test_rendering_again_reuses_the_invoice(self):
        tx = self.create_tx()
        first = self.render(tx)["redirect_form_html"]
        second = self.render(tx)["redirect_form_html"]
        self.assertEqual(first, second)
        self.assertEqual(len(self.requests_to(CREATE)), 1)

    def test_refusal_leaves_the_transaction_draft(self):
        cases = (
            ("400", "monobank refused the request: Некоректні параметри запиту (BAD_REQUEST)"),
            ("429", "too many requests"),
        )
        for kind, text in cases:
            with self.subTest(kind=kind):
                tx = self.create_tx(reference=f"S-{kind}")
                self.fake.fail_next(kind)
                with (
                    self.assertLogs("odoo.addons.payment_monobank", "WARNING"),
                    self.assertRaises(ValidationError) as caught,
                ):
                    self.render(tx)
                self.assertIn(text, str(caught.exception))
                self.assertNotIn(TOKEN, str(caught.exception))
                self.assertEqual(tx.state, "draft")
                self.assertFalse(tx.provider_reference)

    def test_wrong_token(self):
        self.provider.monobank_token = "not-the-token"
        tx = self.create_tx()
        with (
            self.assertLogs("odoo.addons.payment_monobank", "WARNING"),
            self.assertRaises(ValidationError) as caught,
        ):
            self.render(tx)
        self.assertIn("refused the merchant token", str(caught.exception))
        self.assertNotIn("not-the-token", str(caught.exception))

    def test_lost_answer_sets_the_transaction_in_error(self):
        """monobank created the invoice but its answer was lost: the invoice id is unknown, so
        the transaction cannot be reconciled; it is set in error and the customer tries again
        (the page of that invoice was never shown: nobody can pay it)."""
        tx = self.create_tx()
        self.fake.fail_next("lost")
        error = None
        with self.assertLogs("odoo.addons.payment_monobank", "WARNING"):
            try:
                self.render(tx)
            except ValidationError as exc:
                error = exc
        self.assertIn("the payment page was not created, try again", str(error))
        self.assertEqual(tx.state, "error")
        self.assertIn("try again", tx.state_message)
        self.assertFalse(tx.provider_reference)
        self.assertEqual(len(self.fake.invoices), 1)  # created at monobank, never shown

    def test_only_uah(self):
        tx = self.create_tx(currency_id=self.currency_euro.id)
        with self.assertRaises(ValidationError) as caught:
            self.render(tx)
        self.assertIn("only in UAH", str(caught.exception))
        self.assertFalse(self.fake.requests)

    def test_basket_hook(self):
        lines = [
            {"name": "Чай", "qty": 2, "sum": 100000, "code": "TEA", "unit": "шт."},
            {"name": "Доставка", "qty": 1, "sum": 11111, "code": "SHIP"},
        ]
        with patch.object(
            self.registry["payment.transaction"], "_monobank_basket_items", return_value=lines
        ):
            self.rendered_tx()
        body = self.requests_to(CREATE)[-1]["body"]
        self.assertEqual(body["merchantPaymInfo"]["basketOrder"], lines)

    def test_basket_not_adding_up_is_one_line(self):
        lines = [{"name": "Чай", "qty": 1, "sum": 5, "code": "TEA"}]
        with (
            patch.object(
                self.registry["payment.transaction"], "_monobank_basket_items", return_value=lines
            ),
            self.assertLogs("odoo.addons.payment_monobank", "WARNING") as logs,
        ):
            self.rendered_tx()
        self.assertIn("adds up to 5 kopecks instead of 111111", logs.output[0])
        basket = self.requests_to(CREATE)[-1]["body"]["merchantPaymInfo"]["basketOrder"]
        self.assertEqual(
            basket, [{"name": "Payment S00042-1", "qty": 1, "sum": 111111, "code": "S00042-1"}]
        )
