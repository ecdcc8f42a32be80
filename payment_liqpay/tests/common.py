import requests

from odoo.addons.payment.tests.common import PaymentCommon

from ..liqpay import decode_data
from .fake_liqpay import PRIVATE_KEY, PUBLIC_KEY, FakeLiqPay


class LiqPayCommon(PaymentCommon):
    """A LiqPay provider in test mode, in hryvnias, for a customer in Ukraine,
    pointed at a local fake LiqPay (``cls.fake``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeLiqPay().start()
        cls.addClassCleanup(cls.fake.stop)

        cls.currency_uah = cls._prepare_currency("UAH")
        cls.country_ukraine = cls.env.ref("base.ua")
        cls.liqpay = cls._prepare_provider(
            "liqpay",
            update_values={
                "liqpay_public_key": PUBLIC_KEY,
                "liqpay_private_key": PRIVATE_KEY,
                "liqpay_api_url": cls.fake.url,
                "is_published": True,
            },
        )
        cls.provider = cls.liqpay
        cls.currency = cls.currency_uah
        cls.partner.country_id = cls.country_ukraine
        cls.payment_method = cls.env.ref("payment.payment_method_card")
        cls.payment_method_id = cls.payment_method.id
        cls.payment_method_code = cls.payment_method.code
        cls.cron_post_process = cls.env.ref("payment.cron_post_process_payment_tx")

    def setUp(self):
        super().setUp()
        self.fake.reset()

    # ------------------------------------------------------------------ helpers
    def checkout_form(self, tx):
        """The form the customer's browser gets (rendered by Odoo)."""
        html = tx._get_processing_values()["redirect_form_html"]
        return self._extract_values_from_html_form(html)

    def checkout(self, tx):
        """The customer's browser posts the checkout form to (the fake) LiqPay."""
        form = self.checkout_form(tx)
        response = requests.post(form["action"], data=form["inputs"], timeout=10)
        self.assertEqual(response.status_code, 200, "the fake LiqPay shows its checkout page")
        return decode_data(form["inputs"]["data"])

    def pay(self, tx, status="success", **kwargs):
        """The customer pays: the fake sends its signed callback(s) to Odoo."""
        self.env.flush_all()
        codes = self.fake.pay(tx.reference, status=status, **kwargs)
        self.env.invalidate_all()
        return codes

    def resend(self, callback):
        self.env.flush_all()
        code = self.fake.resend(callback)
        self.env.invalidate_all()
        return code

    def refunds(self, tx):
        return tx.child_transaction_ids.filtered(lambda t: t.operation == "refund")

    def post_processing_triggered(self):
        return bool(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron_post_process.id)])
        )
