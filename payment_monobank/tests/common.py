import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields

from odoo.addons.payment.tests.common import PaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .fake_monobank import TOKEN, FakeMonobank


class MonobankCommon(PaymentCommon):
    """Odoo's payment test setup switched to Ukraine and UAH, with the monobank provider in
    test mode talking to a local fake monobank (``cls.fake``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeMonobank().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.currency_uah = cls._prepare_currency("UAH")
        cls.country_ukraine = cls.env.ref("base.ua")
        cls.provider = cls._prepare_provider(
            "monobank",
            update_values={
                "monobank_token": TOKEN,
                "monobank_api_url": cls.fake.url,
                "is_published": True,
            },
        )
        cls.currency = cls.currency_uah
        cls.partner.country_id = cls.country_ukraine
        cls.payment_method = cls.env.ref("payment.payment_method_card")
        cls.payment_method_id = cls.payment_method.id
        cls.payment_method_code = cls.payment_method.code
        cls.amount = 1111.11
        cls.kopecks = 111111
        cls.reference = "S00042-1"

    def setUp(self):
        super().setUp()
        self.fake.reset()

    # ------------------------------------------------------------ helpers
    def create_tx(self, **values):
        return self._create_transaction("redirect", **values)

    def render(self, tx):
        """The processing values (the redirect form) of ``tx``: creates the invoice."""
        return tx._get_processing_values()

    def rendered_tx(self, **values):
        tx = self.create_tx(**values)
        self.render(tx)
        return tx

    def paid_tx(self, **values):
        """A transaction paid at monobank, its status applied (reconciliation)."""
        tx = self.rendered_tx(**values)
        self.fake.pay(tx.reference, times=0)
        tx._monobank_reconcile()
        self.assertEqual(tx.state, "done")
        return tx

    def age(self, tx, minutes):
        """Pretend ``tx`` was created ``minutes`` ago."""
        tx.flush_recordset()
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(minutes=minutes), tx.id),
        )
        tx.invalidate_recordset(["create_date"])

    def requests_to(self, path):
        return [r for r in self.fake.requests if r["path"] == path]

    @contextmanager
    def all_logs(self):
        """Every log line of the block, at DEBUG, from Odoo (its HTTP server included),
        requests/urllib3 and werkzeug, kept in a list instead of printed (SQL queries
        excepted)."""
        lines = []

        class Keep(logging.Handler):
            def emit(self, record):
                lines.append(self.format(record))

        root = logging.getLogger()
        names = ("odoo", "odoo.addons", "urllib3", "requests", "werkzeug")
        loggers = [root] + [logging.getLogger(name) for name in names]
        sql = logging.getLogger("odoo.sql_db")
        saved = [(logger, logger.level) for logger in [*loggers, sql]]
        handlers = root.handlers[:]
        root.handlers = [Keep(logging.DEBUG)]
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        sql.setLevel(logging.INFO)
        try:
            yield lines
        finally:
            root.handlers = handlers
            for logger, level in saved:
                logger.setLevel(level)

    def post_process_triggers(self):
        cron = self.env.ref("payment.cron_post_process_payment_tx")
        return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])


class MonobankHttpCommon(MonobankCommon, PaymentHttpCommon):
    """The same with Odoo's HTTP server (the fake's callbacks reach the webhook)."""

    def webhook_url(self):
        return self._build_url("/payment/monobank/webhook")

    # The fake's callbacks reach Odoo through its HTTP server: the test's changes are flushed
    # before, and its cache is stale after.
    def pay(self, *args, **kwargs):
        self.env.flush_all()
        statuses = self.fake.pay(*args, **kwargs)
        self.env.invalidate_all()
        return statuses

    def notify(self, *args, **kwargs):
        self.env.flush_all()
        statuses = self.fake.notify(*args, **kwargs)
        self.env.invalidate_all()
        return statuses

    def deliver(self, *args, **kwargs):
        self.env.flush_all()
        status = self.fake.deliver(*args, **kwargs)
        self.env.invalidate_all()
        return status

    def url_open(self, *args, **kwargs):
        self.env.flush_all()
        response = super().url_open(*args, **kwargs)
        self.env.invalidate_all()
        return response
