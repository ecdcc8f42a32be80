from datetime import date, datetime
from decimal import Decimal
from unittest.mock import patch

from odoo.tests.common import BaseCase

from odoo.addons.access_roles.tools.credentials import redact
from odoo.addons.crm_order_flow.tools.phone import phone_national_digits

from ..models.sale_order import np_phone
from ..novaposhta import (
    NovaPoshtaClient,
    NovaPoshtaError,
    match_waybill,
    parse_datetime,
)
from ..novaposhta import client as np_client
from ..novaposhta.client import NovaPoshtaResponse, to_decimal
from .common import CLOSED_URL, FakeNovaPoshtaTimeouts
from .fake_novaposhta import EXPIRED_KEY, VALID_KEY, FakeNovaPoshta


class TestClient(FakeNovaPoshtaTimeouts, BaseCase):
    """The plain client against the fake server: envelope, errors, parsing,
    timeouts and retries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeNovaPoshta(slow_seconds=1.0).start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = NovaPoshtaClient(
            VALID_KEY,
            url=self.fake.url,
            print_url=self.fake.print_url,
            timeout=(0.5, 0.5),
            retries=2,
            retry_delay=0.01,
        )

    def test_envelope_shapes(self):
        res = NovaPoshtaResponse(
            {
                "success": True,
                "data": [{"a": 1}],
                "warnings": [{"Recipient": "updated"}, "plain"],
                "info": {"totalCount": "3922"},
            }
        )
        self.assertEqual(res.warnings, ["Recipient: updated", "plain"])
        self.assertEqual(res.total_count, 3922)
        self.assertIsNone(NovaPoshtaResponse({"success": True, "info": []}).total_count)
        items, total = self.client.get_warehouses(page=1, limit=3)
        self.assertEqual(len(items), 3)
        self.assertEqual(total, len(self.fake.warehouses))

    def test_np_error_carries_code_and_text(self):
        client = NovaPoshtaClient(EXPIRED_KEY, url=self.fake.url, timeout=1)
        with self.assertRaises(NovaPoshtaError) as caught:
            client.get_cities()
        self.assertEqual(caught.exception.codes, ["20000201204"])
        self.assertTrue(caught.exception.is_key_expired)
        self.assertIn("API key expired", str(caught.exception))
        self.assertNotIn(EXPIRED_KEY, str(caught.exception))
        with self.assertRaises(NovaPoshtaError) as caught:
            NovaPoshtaClient("wrong", url=self.fake.url, timeout=1).get_cities()
        self.assertTrue(caught.exception.is_auth)

    def test_money_numbers_and_dates(self):
        self.assertEqual(to_decimal("1250.50"), Decimal("1250.50"))
        self.assertEqual(to_decimal(1250), Decimal(1250))
        self.assertEqual(to_decimal("1 250,5"), Decimal("1250.5"))
        self.assertEqual(to_decimal(""), Decimal(0))
        expected = datetime(2025, 3, 14, 9, 30, 0)
        for text in ("14-03-2025 09:30:00", "2025-03-14 09:30:00", "14.03.2025 09:30:00"):
            self.assertEqual(parse_datetime(text), expected)
        self.assertEqual(parse_datetime("09:30 14.03.2025"), datetime(2025, 3, 14, 9, 30))
        self.assertEqual(parse_datetime("2025-03-14").date(), date(2025, 3, 14))
        self.assertIsNone(parse_datetime("0001-01-01 00:00:00"))
        self.assertIsNone(parse_datetime(""))
        with self.assertRaises(ValueError):
            parse_datetime("next Tuesday")

    def test_phones_read_as_the_store_reads_them(self):
        """What the Odoo side sends (the store's phone rule) and what the
        client compares when it looks up a waybill whose answer was lost
        agree on every usual spelling of a Ukrainian number."""
        spellings = (
            "067 123 45 67",
            "0671234567",
            "(067) 123-45-67",
            "8 067 123 45 67",
            "80671234567",
            "380671234567",
            "+380 67 123 45 67",
            "+38 (067) 123-45-67",
            "00380671234567",
            "67 123 45 67",
        )
        for spelling in spellings:
            with self.subTest(spelling=spelling):
                self.assertEqual(np_phone(spelling), "380671234567")
                self.assertEqual(np_client._phone_key(spelling), np_phone(spelling))
                self.assertEqual(phone_national_digits(spelling), "671234567")
        # a number the store's rule refuses goes as its digits: NP says what is wrong
        for wrong in ("0001234", "12-34"):
            with self.subTest(wrong=wrong):
                self.assertEqual(np_client._phone_key(wrong), np_phone(wrong))
        sent = {"RecipientsPhone": "+38 (067) 123-45-67", "DateTime": "14.03.2025"}
        sent.update({"Cost": "500", "SeatsAmount": "1"})
        listed = {"DateTime": "14.03.2025", "Cost": "500.00", "SeatsAmount": "1"}
        self.assertTrue(match_waybill(dict(listed, RecipientsPhone="0671234567"), expected=sent))
        self.assertFalse(match_waybill(dict(listed, RecipientsPhone="0671234568"), expected=sent))

    def test_key_masked_as_the_suite_masks_secrets(self):
        """The client's own masking of the key in NP's texts gives what the
        suite's helper gives."""
        for key in (VALID_KEY, "abcd1234", "abcd"):
            with self.subTest(key=key):
                text = f"API key {key} is not valid"
                self.assertEqual(np_client._redact(text, key), redact(text, key))
                self.assertNotIn(key, np_client._redact(text, key))

    def test_reads_retried_after_500_and_malformed(self):
        self.fake.fail_next("500", "getCities")
        self.fake.fail_next("malformed", "getCities")
        items, _total = self.client.get_cities()
        self.assertTrue(items)
        self.assertEqual(self.fake.count_calls("getCities"), 3)

    def test_read_timeout_gives_up_after_retries(self):
        self.fake.fail_next("timeout", "getCities", times=3)
        with self.assertRaises(NovaPoshtaError) as caught:
            self.client.get_cities()
        self.assertTrue(caught.exception.transient)
        self.assertFalse(caught.exception.uncertain)
        self.assertEqual(self.fake.count_calls("getCities"), 3)

    def test_writes_never_retried(self):
        self.fake.fail_next("500", "InternetDocument.save")
        with self.assertRaises(NovaPoshtaError) as caught:
            self.client.save_waybill({"PayerType": "Sender"})
        self.assertTrue(caught.exception.uncertain)
        self.assertEqual(self.fake.count_calls("save"), 1)

    def test_failure_as_http_200(self):
        with self.assertRaises(NovaPoshtaError) as caught:
            self.client.save_waybill({"PayerType": "Sender"})
        self.assertFalse(caught.exception.uncertain)
        self.assertIn("20000100001", caught.exception.codes)

    def test_tracking_batch_limit_and_not_found(self):
        with self.assertRaises(ValueError):
            self.client.track([(str(n), "") for n in range(101)])
        self.fake.add_waybill(number="20450000000555", status="5")
        data = self.client.track([("20450000000555", ""), ("20459999999999", "")])
        by_number = {item["Number"]: item for item in data}
        self.assertEqual(by_number["20450000000555"]["StatusCode"], "5")
        self.assertEqual(by_number["20459999999999"]["StatusCode"], "3")

    def test_label_pdf(self):
        self.assertTrue(self.client.label_pdf("20450000000001").startswith(b"%PDF"))
        bad = NovaPoshtaClient("wrong-key-000", url=self.fake.url, print_url=self.fake.print_url)
        with self.assertRaises(NovaPoshtaError):
            bad.label_pdf("20450000000001")

    # ---------------------------------------------------- real answer shapes
    def test_delivery_date_in_the_recorded_shape(self):
        """Recorded real answers carry the date in ``data[0].date``."""
        self.assertTrue(self.client.get_delivery_date({}))
        real = {
            "success": True,
            "data": [
                {"date": "2019.01.02 12:13:14", "timezone_type": "3", "timezone": "Europe/Kiev"}
            ],
            "errors": [],
            "warnings": [],
            "info": [],
        }
        with patch.object(self.fake, "_m_InternetDocument_getDocumentDeliveryDate", lambda p: real):
            self.assertEqual(self.client.get_delivery_date({}), date(2019, 1, 2))
        older = dict(real, data=[{"DeliveryDate": {"date": "2019-01-03 00:00:00.000000"}}])
        with patch.object(
            self.fake, "_m_InternetDocument_getDocumentDeliveryDate", lambda p: older
        ):
            self.assertEqual(self.client.get_delivery_date({}), date(2019, 1, 3))
        empty = dict(real, data=[{}])
        with (
            patch.object(self.fake, "_m_InternetDocument_getDocumentDeliveryDate", lambda p: empty),
            self.assertRaises(NovaPoshtaError),
        ):
            self.client.get_delivery_date({})  # a wrong guess fails loudly

    def test_waybill_matched_on_content(self):
        """A ``getDocumentList`` row as NP sends it (no client barcode)."""
        row = {
            "Ref": "157bb4f4-09e5-4bfb-8d3f-603661fb36b2",
            "DateTime": "01.01.2019",
            "Weight": "5",
            "SeatsAmount": "2",
            "IntDocNumber": "20400030200931",
            "Cost": "15000",
            "CityRecipient": "b2ae9819-8fef-4a02-a1d6-2a65e5cdcaac",
            "RecipientAddress": "fac557b3-8440-4e11-8eee-93360450b1d9",
            "StateId": "1",
        }
        sent = {
            "DateTime": "01.01.2019",
            "Weight": "5.0",
            "SeatsAmount": "2",
            "Cost": "15000",
            "CityRecipient": "b2ae9819-8fef-4a02-a1d6-2a65e5cdcaac",
            "RecipientAddress": "fac557b3-8440-4e11-8eee-93360450b1d9",
            "RecipientsPhone": "380501112233",
            "Description": "Товари",
            "InfoRegClientBarcodes": "S00042",
        }
        self.assertTrue(match_waybill(row, "S00042", sent))
        self.assertFalse(match_waybill(dict(row, Cost="14999"), "S00042", sent))
        self.assertFalse(match_waybill(dict(row, DateTime="02.01.2019"), "S00042", sent))
        self.assertFalse(match_waybill(dict(row, RecipientsPhone="0671234567"), "S00042", sent))
        self.assertTrue(match_waybill(dict(row, RecipientsPhone="0501112233"), "S00042", sent))
        # too little to compare: never a match
        self.assertFalse(match_waybill({"DateTime": "01.01.2019", "Cost": "15000"}, "", sent))
        # a barcode, when NP sends one, decides
        self.assertFalse(match_waybill(dict(row, InfoRegClientBarcodes="S00043"), "S00042", sent))
        self.assertTrue(match_waybill(dict(row, ClientBarcode="S00042"), "S00042", {}))

    def test_fault_kinds(self):
        """Each transport fault is told apart (the user is told what happened)."""
        kinds = {}
        for fault in ("hang", "reset", "429", "500", "502", "503", "malformed", "empty", "html"):
            self.fake.fail_next(fault, "InternetDocument.save")
            with self.assertRaises(NovaPoshtaError) as caught:
                NovaPoshtaClient(VALID_KEY, url=self.fake.url, timeout=(0.5, 0.5)).save_waybill({})
            self.assertTrue(caught.exception.uncertain, fault)
            kinds[fault] = caught.exception.kind
        self.assertEqual(
            kinds,
            {
                "hang": "timeout",
                "reset": "connection",
                "429": "rate_limit",
                "500": "server",
                "502": "server",
                "503": "server",
                "malformed": "malformed",
                "empty": "empty",
                "html": "html",
            },
        )
        refused = NovaPoshtaClient(VALID_KEY, url=CLOSED_URL, timeout=(0.5, 0.5))
        # refused at once, with the client's own timeouts (not raised by the test framework)
        with (
            self.assertNoLogs("odoo.tests.common.requests", "INFO"),
            self.assertRaises(NovaPoshtaError) as caught,
        ):
            refused.save_waybill({})
        self.assertEqual(caught.exception.kind, "unreachable")
        self.assertFalse(caught.exception.uncertain, "nothing was sent")
