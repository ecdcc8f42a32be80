import time

from odoo.tests import BaseCase, tagged

from ..smsclub import SmsClubClient, SmsClubError, normalize_phone, parse_status
from .fake_smsclub import TOKEN, FakeSmsClub


def numbers(count, start=0):
    return [f"38050{1000000 + start + i:07d}" for i in range(count)]


@tagged("post_install", "-at_install")
class TestSmsClubClient(BaseCase):
    """The plain client against the fake SMS Club (no Odoo involved)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeSmsClub().start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = SmsClubClient(TOKEN, base_url=self.fake.url, timeout=5.0, rate=1000)

    def test_same_text_many_numbers_is_cut_in_calls_of_100(self):
        results = self.client.send_sms(numbers(250), "Hello", "MyShop")
        self.assertEqual([len(r.phones) for r in results], [100, 100, 50])
        self.assertEqual(self.fake.paths(), ["sms/send"] * 3)
        self.assertEqual(sum(len(r.accepted) for r in results), 250)
        call = self.fake.calls[0]
        self.assertEqual(call["auth"], f"Bearer {TOKEN}")
        self.assertEqual(call["body"]["src_addr"], "MyShop")

    def test_partial_failure_in_add_info(self):
        self.fake.bad_numbers = {"380501000001": "Number in stop list"}
        (result,) = self.client.send_sms(numbers(3), "Hello", "MyShop")
        self.assertEqual(len(result.accepted), 2)
        self.assertEqual(result.reason_for("380501000001"), "Number in stop list")
        self.assertIsNone(result.reason_for("380501000000"))

    def test_only_add_info_refuses_every_number(self):
        self.fake.fail_next("empty")
        (result,) = self.client.send_sms(numbers(2), "Hello", "MyShop")
        self.assertFalse(result.accepted)
        self.assertIn("Unknown sender", result.reason_for("380501000000"))

    def test_personal_texts_go_in_one_v2_call(self):
        items = [(phone, f"Text {i}") for i, phone in enumerate(numbers(120))]
        results = self.client.send_sms_each(items, "MyShop")
        self.assertEqual(self.fake.paths(), ["v2/sms/send", "v2/sms/send"])
        self.assertEqual(sum(len(r.accepted) for r in results), 120)
        self.assertEqual(self.fake.sent()[5], ("sms", "380501000005", "Text 5"))

    def test_a_number_twice_goes_in_two_calls(self):
        results = self.client.send_sms(["380501000000", "380501000000"], "Hello", "MyShop")
        self.assertEqual(len(results), 2)
        self.assertEqual(len(self.fake.sent()), 2)

    def test_status_codes_and_russian_words(self):
        (result,) = self.client.send_sms(numbers(2), "Hello", "MyShop")
        first, second = result.accepted.values()
        self.fake.set_state(first, "DELIVRD")
        self.assertEqual(self.client.sms_status([first, second])[first][0], "delivered")
        self.fake.russian_states = True
        self.fake.set_state(second, "UNDELIV")
        statuses = self.client.sms_status([first, second])
        self.assertEqual(statuses[first], ("delivered", "Доставлено"))
        self.assertEqual(statuses[second][0], "undeliverable")
        self.assertEqual(parse_status("Ожидает отправки"), "enroute")
        self.assertIsNone(parse_status("SOMETHING"))

    def test_balance_and_names(self):
        money, currency = self.client.balance()
        self.assertEqual((str(money), currency), ("8111.1700", "UAH"))
        self.assertEqual(self.client.sms_senders(), ["MyShop", "MyShopTest"])
        self.assertEqual(self.client.viber_senders(), ["MyShopViber"])

    def test_viber_with_sms_fallback_and_its_errors(self):
        self.fake.blacklist = {"380501000001"}
        (result,) = self.client.send_viber(
            numbers(2), "Hi", "MyShopViber", sms_sender="MyShop", sms_message="Hi"
        )
        body = self.fake.calls[-1]["body"]
        self.assertEqual((body["senderSms"], body["messageSms"]), ("MyShop", "Hi"))
        self.assertEqual(list(result.accepted), ["380501000000"])
        self.assertEqual(result.reason_for("380501000001"), "blacklisted")
        viber_id = result.accepted["380501000000"]
        self.fake.set_state(viber_id, "UNDELIV", sms_state="DELIVRD")
        status = self.client.viber_status([viber_id])[viber_id]
        self.assertEqual((status["state"], status["sms_state"]), ("undeliverable", "delivered"))
        self.fake.fail_next("no_money")
        (result,) = self.client.send_viber(numbers(1), "Hi", "MyShopViber")
        self.assertTrue(result.error.no_money)
        self.assertIn("Not enough money", result.reason_for("380501000000"))

    def test_http_errors_become_one_exception(self):
        for kind, status, outcome in (
            ("401", 401, "refused"),
            ("429", 429, "retry"),
            ("500", 500, "refused"),
            ("400", 400, "refused"),
            ("malformed", 200, "unknown"),
        ):
            self.fake.fail_next(kind)
            with self.assertRaises(SmsClubError) as caught:
                self.client.balance()
            self.assertEqual((caught.exception.status, caught.exception.outcome), (status, outcome))
            self.assertNotIn(TOKEN, str(caught.exception))

    def test_a_refused_token_stops_the_other_calls(self):
        client = SmsClubClient("wrong-token-123456", base_url=self.fake.url, rate=1000)
        results = client.send_sms(numbers(150), "Hello", "MyShop")
        self.assertTrue(all(r.error and r.error.is_auth for r in results))
        self.assertEqual(len(self.fake.calls), 1)

    def test_slow_reply_is_a_timeout_of_unknown_outcome(self):
        # Odoo's test runner raises any timeout below 10 s to 10 s
        self.fake.slow_seconds = 10.5
        client = SmsClubClient(TOKEN, base_url=self.fake.url, timeout=0.5, rate=1000)
        self.fake.fail_next("slow")
        (result,) = client.send_sms(numbers(1), "Hello", "MyShop")
        self.assertTrue(result.error.uncertain)
        self.assertEqual(len(self.fake.sent()), 1, "the fake accepted it: outcome unknown")

    def test_at_most_nine_requests_per_second(self):
        client = SmsClubClient(TOKEN, base_url=self.fake.url, rate=9)
        start = time.monotonic()
        for _i in range(12):
            client.balance()
        self.assertGreaterEqual(time.monotonic() - start, 0.95)
        times = [call["time"] for call in self.fake.calls]
        for i in range(len(times) - 9):
            self.assertGreaterEqual(times[i + 9] - times[i], 0.95)

    def test_phone_normalisation(self):
        self.assertEqual(normalize_phone("+38 (050) 111-22-33"), "380501112233")
        self.assertEqual(normalize_phone("0501112233"), "380501112233")
        self.assertIsNone(normalize_phone("12"))
        self.assertIsNone(normalize_phone("not a number"))
