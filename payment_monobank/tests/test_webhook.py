import json
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment_monobank.monobank import client as monobank_client

from .common import MonobankHttpCommon
from .fake_monobank import TOKEN

PUBKEY = "/api/merchant/pubkey"
STATUS = "/api/merchant/invoice/status"
LOGGER = "odoo.addons.payment_monobank"


@tagged("post_install", "-at_install")
class TestMonobankWebhook(MonobankHttpCommon):
    def deliver_data(self, data):
        """Send ``data`` as a callback signed by the fake monobank."""
        body = json.dumps(data).encode()
        return self.deliver(body, x_sign=self.fake.sign(body), url=self.webhook_url())

    # ------------------------------------------------------------ payment
    def test_paid_callback(self):
        tx = self.rendered_tx()
        triggers = self.post_process_triggers()
        self.assertEqual(self.pay(tx.reference), [200])
        self.assertEqual(tx.state, "done")
        invoice = self.fake.invoice(tx.reference)
        self.assertEqual(tx.provider_reference, invoice["invoiceId"])
        self.assertEqual(
            fields.Datetime.to_string(tx.monobank_modified_date),
            invoice["modifiedDate"].replace("T", " ").rstrip("Z"),
        )
        # the key was fetched once and cached; Odoo's post-processing runs at once
        self.assertEqual(len(self.requests_to(PUBKEY)), 1)
        self.assertTrue(self.provider.monobank_pubkey.startswith("-----BEGIN PUBLIC KEY"))
        self.assertGreater(len(self.post_process_triggers() - triggers), 0)

    def test_replayed_callback_changes_nothing_twice(self):
        tx = self.rendered_tx()
        self.assertEqual(self.pay(tx.reference, times=3), [200, 200, 200])
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.child_transaction_ids)
        changed = tx.last_state_change
        self.assertEqual(self.notify(tx.reference, times=2), [200, 200])
        self.assertEqual(tx.last_state_change, changed)
        self.assertEqual(len(self.requests_to(PUBKEY)), 1)

    def test_callbacks_out_of_order(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, status="processing", times=0)  # sent late, below
        self.assertEqual(self.pay(tx.reference), [200])
        self.assertEqual(tx.state, "done")
        applied = tx.monobank_modified_date
        with self.assertNoLogs("odoo.addons.payment", "WARNING"):
            self.assertEqual(self.deliver(self.fake.callbacks[0]), 200)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.monobank_modified_date, applied)

        # and a pending status that comes first is applied
        other = self.rendered_tx(reference="S00043-1")
        self.assertEqual(self.pay(other.reference, status="processing"), [200])
        self.assertEqual(other.state, "pending")

    def test_callback_for_a_provider_disabled_since(self):
        tx = self.rendered_tx()
        self.provider.state = "disabled"
        self.assertEqual(self.pay(tx.reference), [200])
        self.assertEqual(tx.state, "done")

    def test_failure_and_expiry(self):
        failed = self.rendered_tx(reference="S-FAIL")
        self.assertEqual(self.pay(failed.reference, status="failure"), [200])
        self.assertEqual(failed.state, "error")
        self.assertIn("Недостатньо коштів", failed.state_message)
        expired = self.rendered_tx(reference="S-EXP")
        self.assertEqual(self.pay(expired.reference, status="expired"), [200])
        self.assertEqual(expired.state, "cancel")

    def test_reversed_payment_refunded_once(self):
        tx = self.rendered_tx()
        self.pay(tx.reference)
        self.assertEqual(self.pay(tx.reference, status="reversed", times=2), [200, 200])
        self.assertEqual(tx.state, "done")
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(
            (refund.operation, refund.state, refund.amount), ("refund", "done", -1111.11)
        )
        self.assertEqual(self.notify(tx.reference), [200])
        self.assertEqual(tx.child_transaction_ids, refund)

    # ------------------------------------------------------------ refused callbacks
    def test_bad_signature(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, times=0)
        callback = self.fake.callbacks[-1]
        forged = callback.body.replace(b'"status": "success"', b'"status": "success" ')
        cases = (
            ("another body's signature", forged, callback.x_sign),
            ("no signature", callback.body, ""),
            ("garbage", callback.body, "bm90IGEgc2lnbmF0dXJl"),
        )
        for name, body, x_sign in cases:
            with self.subTest(name), self.assertLogs(LOGGER, "WARNING") as logs:
                status = self.deliver(body, x_sign=x_sign, url=callback.url)
                self.assertEqual(status, 403)
            self.assertIn("signature does not match", logs.output[-1])
            self.assertNotIn(TOKEN, "\n".join(logs.output))
        self.assertEqual(tx.state, "draft")

    def test_key_rotation_fetches_the_key_again(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, status="processing")
        self.assertEqual(tx.state, "pending")
        self.fake.rotate_key()
        # the key was last asked for more than the refresh interval ago: it is fetched again,
        # once
        self.provider.monobank_pubkey_attempt_date = fields.Datetime.now() - timedelta(minutes=5)
        self.assertEqual(self.pay(tx.reference), [200])
        self.assertEqual(tx.state, "done")
        self.assertEqual(len(self.requests_to(PUBKEY)), 2)
        self.assertIn(self.fake.public_pem.splitlines()[1], self.provider.monobank_pubkey)

    def test_bad_signatures_do_not_flood_monobank(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, status="processing")
        self.fake.rotate_key()  # callbacks signed by a key monobank rotated a moment ago
        with self.assertLogs(LOGGER, "WARNING"):
            self.assertEqual(self.pay(tx.reference, times=2), [403, 403])
        self.assertEqual(len(self.requests_to(PUBKEY)), 1)  # the first one only
        self.assertEqual(tx.state, "pending")
        # a minute later monobank sends it again: the new key is fetched, once
        self.provider.monobank_pubkey_attempt_date = fields.Datetime.now() - timedelta(minutes=5)
        self.assertEqual(self.notify(tx.reference), [200])
        self.assertEqual(tx.state, "done")
        self.assertEqual(len(self.requests_to(PUBKEY)), 2)

    def test_callback_without_declared_length_is_refused(self):
        """A body whose length is not declared (chunked) would be read whole before
        any check: refused at once."""
        tx = self.rendered_tx()

        def chunks():
            yield b'{"invoiceId": "'
            yield b"x" * 1024
            yield b'"}'

        response = requests.post(
            self.webhook_url(), data=chunks(), headers={"X-Sign": "AAAA"}, timeout=10
        )
        self.assertEqual(response.status_code, 413)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.requests_to(PUBKEY))

    def test_key_requests_limited_while_monobank_fails(self):
        """monobank answers 5xx when asked for its key: the callback is refused with 503
        (monobank sends it again later) and the key is not asked for again within a minute,
        the first fetch included, whatever the callbacks; then it is, and the callback
        goes through."""
        tx = self.rendered_tx()
        self.fake.fail_next("5xx")
        with (
            patch.object(monobank_client.requests, "request", wraps=requests.request) as spy,
            self.assertLogs(LOGGER, "WARNING") as logs,
        ):
            self.assertEqual(self.pay(tx.reference, times=3), [503, 503, 503])
        self.assertEqual(len(self.requests_to(PUBKEY)), 1)
        self.assertEqual(spy.call_args.kwargs["timeout"], 5.0)
        self.assertIn("the public key of provider", logs.output[0])
        self.assertIn("cannot be checked now", logs.output[-1])
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.provider.monobank_pubkey)
        self.provider.monobank_pubkey_attempt_date = fields.Datetime.now() - timedelta(minutes=2)
        self.assertEqual(self.notify(tx.reference), [200])
        self.assertEqual(len(self.requests_to(PUBKEY)), 2)
        self.assertEqual(tx.state, "done")

    def test_oversized_callback_refused_before_reading(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, times=0)
        data = json.loads(self.fake.callbacks[-1].body)
        data["destination"] = "x" * (64 * 1024)
        # refused by Odoo's HTTP layer (the route's max_content_length) ...
        self.assertEqual(self.deliver_data(data), 413)
        # ... or, without a content type, by the webhook itself, before reading the body
        body = json.dumps(data).encode()
        with self.assertLogs(LOGGER, "WARNING") as logs:
            response = self.url_open(
                self.webhook_url(), data=body, headers={"X-Sign": self.fake.sign(body)}
            )
        self.assertEqual(response.status_code, 413)
        self.assertIn("over the limit", logs.output[-1])
        self.assertFalse(self.requests_to(PUBKEY))  # not even the signature was checked
        self.assertEqual(tx.state, "draft")

    def test_unknown_reference(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            status = self.deliver_data(
                {
                    "invoiceId": "nope",
                    "status": "success",
                    "amount": 100,
                    "ccy": 980,
                    "reference": "NOT-OURS",
                    "modifiedDate": "2025-03-01T09:00:00Z",
                }
            )
        self.assertEqual(status, 404)
        self.assertIn("unknown reference 'NOT-OURS'", logs.output[-1])

    def test_unreadable_signed_body(self):
        self.pay(self.rendered_tx().reference, status="processing")  # caches the key
        with self.assertLogs(LOGGER, "WARNING"):
            status = self.deliver(b"not json", url=self.webhook_url())
        self.assertEqual(status, 400)

    def test_wrong_amount(self):
        tx = self.rendered_tx()
        self.assertEqual(self.pay(tx.reference, amount=100), [200])
        self.assertEqual(tx.state, "error")
        self.assertIn("the payment amount (1.00 UAH) differs", tx.state_message)
        self.assertIn("nothing is recorded as paid", tx.state_message)

    def test_wrong_currency(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, times=0)
        data = json.loads(self.fake.callbacks[-1].body)
        data["ccy"] = 840
        self.assertEqual(self.deliver_data(data), 200)
        self.assertEqual(tx.state, "error")
        self.assertIn("the payment currency (code 840) differs", tx.state_message)

    # ------------------------------------------------------------ the customer's return
    def test_return_asks_monobank(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, times=0)  # paid, the callback is late
        response = self.url_open(
            f"/payment/monobank/return?ref={tx.reference}&status=failure", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(
            self.requests_to(STATUS)[-1]["query"], {"invoiceId": tx.provider_reference}
        )

    def test_return_when_monobank_fails(self):
        tx = self.rendered_tx()
        self.fake.fail_next("5xx")
        with self.assertLogs(LOGGER, "WARNING"):
            response = self.url_open(
                f"/payment/monobank/return?ref={tx.reference}", allow_redirects=False
            )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(tx.state, "draft")
        # coming back again at once, or with an unknown reference, asks nobody
        for ref in (tx.reference, "NOPE"):
            response = self.url_open(f"/payment/monobank/return?ref={ref}", allow_redirects=False)
            self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self.requests_to(STATUS)), 1)

    def test_return_waits_briefly_for_monobank(self):
        tx = self.rendered_tx()
        self.pay(tx.reference, times=0)
        with patch.object(monobank_client.requests, "request", wraps=requests.request) as spy:
            self.url_open(f"/payment/monobank/return?ref={tx.reference}", allow_redirects=False)
        self.assertEqual(tx.state, "done")
        self.assertEqual(spy.call_args.kwargs["timeout"], 5.0)

    def test_return_ignores_a_refund_reference(self):
        """Refunds are followed by the webhook and the scheduled check only: the public
        return route asks nothing about them (it cannot hasten their error)."""
        tx = self.rendered_tx()
        self.pay(tx.reference)
        self.fake.fail_next("reset")
        with self.assertLogs(LOGGER, "WARNING"):
            tx.action_refund(amount_to_refund=100.0)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.state, "pending")
        sent = len(self.requests_to(STATUS))
        response = self.url_open(
            f"/payment/monobank/return?ref={refund.reference}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self.requests_to(STATUS)), sent)
        self.assertEqual(refund.state, "pending")

    # ------------------------------------------------------------ the payment link
    def test_payment_link_page_and_redirect_form(self):
        route_values = self._prepare_pay_values()
        context = self._get_portal_pay_context(**route_values)
        self.assertIn(self.payment_method_id, context["payment_method_ids"])
        values = {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method_id,
            "token_id": None,
            "amount": self.amount,
            "currency_id": self.currency.id,
            "partner_id": self.partner.id,
            "access_token": route_values["access_token"],
            "tokenization_requested": False,
            "landing_route": "/payment/status",
            "reference_prefix": "LINK",
            "is_validation": False,
            "flow": "redirect",
        }
        processing_values = self._get_processing_values(**values)
        form = self._extract_values_from_html_form(processing_values["redirect_form_html"])
        tx = self._get_tx(processing_values["reference"])
        self.assertEqual(tx.provider_id, self.provider)
        self.assertEqual(form["action"], f"{self.fake.url}/pay/{tx.provider_reference}")
        self.assertEqual(form["inputs"], {"lang": "uk", "src": "odoo"})

    # ------------------------------------------------------------ secrets
    def test_token_never_logged(self):
        with self.all_logs() as lines:
            tx = self.rendered_tx()
            self.pay(tx.reference, status="processing")
            self.fake.fail_next("lost")
            self.url_open(f"/payment/monobank/return?ref={tx.reference}", allow_redirects=False)
            self.pay(tx.reference)
            tx.action_refund(amount_to_refund=100.0)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.child_transaction_ids.state, "done")
        output = "\n".join(lines)
        self.assertIn("monobank request: POST /api/merchant/invoice/cancel", output)
        self.assertIn("/payment/monobank/webhook", output)
        self.assertNotIn(TOKEN, output)

    # ------------------------------------------------------------ payment link
    @mute_logger("odoo.addons.payment.models.payment_transaction")
    def test_payment_link(self):
        """/payment/pay (Odoo's payment link) offers monobank; the transaction's form
        opens the invoice's page at monobank; the customer pays there and the
        transaction is done."""
        self.partner.company_id = self.env.company
        self.reference = "S00042-LINK"
        route_values = self._prepare_pay_values()
        self.env.flush_all()
        context = self._get_portal_pay_context(**route_values)
        self.assertIn(self.payment_method_id, context["payment_method_ids"])
        page = self._portal_pay(**route_values).text
        self.assertIn(f'data-provider-code="{self.provider.code}"', page)
        values = {
            key: context[key]
            for key in (
                "amount",
                "currency_id",
                "partner_id",
                "landing_route",
                "reference_prefix",
                "access_token",
            )
        }
        values.update(
            provider_id=self.provider.id,
            payment_method_id=self.payment_method_id,
            token_id=None,
            flow="redirect",
            tokenization_requested=False,
        )
        processing_values = self._get_processing_values(**values)
        self.env.invalidate_all()
        tx = self._get_tx(processing_values["reference"])
        invoice = self.fake.invoice(tx.reference)
        form = self._extract_values_from_html_form(processing_values["redirect_form_html"])
        self.assertEqual(form["method"], "get")
        self.assertEqual(form["action"], f"{self.fake.url}/pay/{invoice['invoiceId']}")
        self.assertEqual(form["inputs"], {"lang": "uk", "src": "odoo"})
        self.assertEqual(tx.provider_reference, invoice["invoiceId"])
        self.assertEqual(self.pay(tx.reference), [200])
        self.assertEqual(tx.state, "done")
