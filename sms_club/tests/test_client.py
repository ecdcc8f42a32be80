import socket
import threading

from odoo.tests import BaseCase, tagged

from ..smsclub import (
    REFUSED,
    RETRY,
    UNKNOWN,
    SmsClubClient,
    SmsClubError,
    parse_status,
)
from .common import RATE_PERIOD, SLOW, TIMEOUT, FakeSmsClubTimeouts
from .fake_smsclub import TOKEN, FakeSmsClub


def numbers(count, start=0):
    return [f"38050{1000000 + start + i:07d}" for i in range(count)]


def dead_url():
    """An address where nothing listens: the connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@tagged("post_install", "-at_install")
class TestSmsClubClient(FakeSmsClubTimeouts, BaseCase):
    """The plain client against the fake SMS Club (no Odoo involved)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeSmsClub(slow_seconds=SLOW).start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = SmsClubClient(TOKEN, base_url=self.fake.url, timeout=TIMEOUT, rate=1000)

    def send_one(self, fault=None, path="sms/send", viber=False):
        if fault:
            self.fake.fail_next(fault, path=path)
        if viber:
            (result,) = self.client.send_viber(
                numbers(1), "Hi", "MyShopViber", sms_sender="MyShop", sms_message="Hi"
            )
        else:
            (result,) = self.client.send_sms(numbers(1), "Hello", "MyShop")
        self.fake.wait_idle()
        return result

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
        self.assertEqual(result.outcome_for("380501000001"), (REFUSED, "Number in stop list"))
        self.assertIsNone(result.reason_for("380501000000"))

    def test_unknown_alpha_name_refuses_every_number(self):
        self.fake.fail_next("unknown_sender")
        (result,) = self.client.send_sms(numbers(2), "Hello", "MyShop")
        self.assertFalse(result.accepted)
        self.assertEqual(result.outcome_for("380501000000")[0], REFUSED)
        self.assertIn("Alpha name not found", result.reason_for("380501000000"))

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
        statuses = self.client.sms_status([first, second, "999999"])
        self.assertEqual(statuses[first], ("delivered", "Доставлено"))
        self.assertEqual(statuses[second][0], "undeliverable")
        self.assertNotIn("999999", statuses, "an id SMS Club does not know is left out")
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
        self.assertEqual(result.outcome_for("380501000001"), (REFUSED, "blackList"))
        viber_id = result.accepted["380501000000"]
        self.fake.set_state(viber_id, "UNDELIV", sms_state="DELIVRD")
        status = self.client.viber_status([viber_id])[viber_id]
        self.assertEqual((status["state"], status["sms_state"]), ("undeliverable", "delivered"))
        result = self.send_one("invalid_number", path="vibers/send", viber=True)
        self.assertEqual(
            result.outcome_for(numbers(1)[0]), (REFUSED, "anyCorrectPhones: No correct phones")
        )

    # ------------------------------------------------------------- outcomes
    def test_each_fault_has_its_outcome(self):
        """What the client tells about a failed send, and whether SMS Club
        processed it: never "refused" or "retry" when it may have been."""
        cases = {
            # fault: (outcome, processed by the fake)
            "401": (REFUSED, False),
            "429": (RETRY, False),
            "503": (RETRY, False),
            "500": (UNKNOWN, True),
            "502": (UNKNOWN, True),
            "malformed": (UNKNOWN, True),
            "empty": (UNKNOWN, True),
            "html": (UNKNOWN, True),
            "processed_timeout": (UNKNOWN, True),
            "late": (UNKNOWN, True),
            "hang": (UNKNOWN, False),
            "reset": (UNKNOWN, True),
            "400": (REFUSED, False),
            "no_money": ("no_money", False),
        }
        for fault, (outcome, processed) in cases.items():
            with self.subTest(fault=fault):
                self.fake.reset()
                result = self.send_one(fault)
                self.assertEqual(result.outcome_for(numbers(1)[0])[0], outcome)
                self.assertEqual(len(self.fake.sent()), int(processed))
                self.assertNotIn(TOKEN, result.reason_for(numbers(1)[0]))

    def test_viber_faults_have_their_outcome(self):
        for fault, outcome in (("500", UNKNOWN), ("429", RETRY), ("system_error", UNKNOWN)):
            with self.subTest(fault=fault):
                self.fake.reset()
                result = self.send_one(fault, path="vibers/send", viber=True)
                self.assertEqual(result.outcome_for(numbers(1)[0])[0], outcome)

    def test_connection_refused_is_retried_later(self):
        client = SmsClubClient(TOKEN, base_url=dead_url(), timeout=TIMEOUT, rate=1000)
        with self.assertRaises(SmsClubError) as caught:
            client.balance()
        self.assertEqual((caught.exception.outcome, caught.exception.kind), (RETRY, "connect"))
        (result,) = client.send_sms(numbers(1), "Hello", "MyShop")
        self.assertEqual(result.outcome_for(numbers(1)[0])[0], RETRY)

    def test_ids_in_an_error_answer_are_kept_for_the_look_up(self):
        result = self.send_one("ids_then_500")
        outcome, sms_id = result.outcome_for(numbers(1)[0])
        self.assertEqual(outcome, UNKNOWN)
        self.assertEqual(sms_id, next(iter(self.fake.messages)))

    def test_a_400_keeps_sms_club_reason(self):
        for fault, reason in (
            ("400", "Текст повідомлення заборонений"),
            ("400_fields", "message: Текст повідомлення задовгий"),
            ("400_add_info", "message: Заборонене слово в тексті"),
        ):
            with self.subTest(fault=fault):
                result = self.send_one(fault)
                self.assertEqual(result.outcome_for(numbers(1)[0]), (REFUSED, reason))
                self.assertEqual(result.error.status, 400)

    def test_not_enough_money_in_each_form(self):
        for fault in ("no_money", "no_money_http", "no_money_words"):
            with self.subTest(fault=fault):
                result = self.send_one(fault)
                self.assertEqual(result.outcome_for(numbers(1)[0])[0], "no_money")
        # the account really cannot pay: nothing is sent, in SMS and Viber
        self.fake.reset()
        self.fake.money = "0.10"
        self.assertEqual(self.send_one().outcome_for(numbers(1)[0])[0], "no_money")
        result = self.send_one(viber=True)
        self.assertEqual(result.outcome_for(numbers(1)[0])[0], "no_money")
        self.assertFalse(self.fake.sent())

    def test_a_number_missing_from_the_answer_is_of_unknown_outcome(self):
        (result,) = self.client.send_sms(numbers(1), "Hello", "MyShop")
        result.accepted.clear()  # as if SMS Club had left it out of its answer
        self.assertEqual(result.outcome_for(numbers(1)[0]), (UNKNOWN, None))

    def test_a_refused_token_stops_the_other_calls(self):
        client = SmsClubClient("wrong-token-123456", base_url=self.fake.url, rate=1000)
        results = client.send_sms(numbers(150), "Hello", "MyShop")
        self.assertTrue(all(r.error and r.error.is_auth for r in results))
        self.assertEqual(len(self.fake.calls), 1)

    def test_library_text_never_reaches_the_error(self):
        """A token pasted with a line break makes the HTTP library quote the
        header in its error: the error says what happened, nothing more."""
        client = SmsClubClient(
            "secret-token-42\nX: y", base_url=self.fake.url, timeout=TIMEOUT, rate=1000
        )
        with self.assertRaises(SmsClubError) as caught:
            client.balance()
        self.assertEqual(caught.exception.kind, "config")
        self.assertNotIn("secret-token-42", str(caught.exception))
        self.assertIsNone(caught.exception.__cause__)
        self.assertTrue(caught.exception.__suppress_context__)

    # ----------------------------------------------------------- rate limit
    # SMS Club counts 9 requests a second; here the fake and the client count
    # 9 requests per RATE_PERIOD: the same rule, ten times faster.
    def test_hundred_calls_in_a_row_get_no_429(self):
        """SMS Club counts at most 9 requests a period when they reach it;
        with answers that take longer or shorter, requests started a period
        apart can reach it less than a period apart."""
        fake = FakeSmsClub(jitter=RATE_PERIOD * 0.03, rate_period=RATE_PERIOD).start()
        self.addCleanup(fake.stop)
        client = SmsClubClient(TOKEN, base_url=fake.url, timeout=5.0, rate_period=RATE_PERIOD)
        for _i in range(100):
            client.balance()
        self.assertEqual(fake.too_many, 0)
        self.assertNotIn(429, fake.statuses())
        self.assertEqual(len(fake.calls), 100)

    def test_the_limit_is_shared_by_the_clients_of_the_process(self):
        fake = FakeSmsClub(jitter=RATE_PERIOD * 0.01, rate_period=RATE_PERIOD).start()
        self.addCleanup(fake.stop)

        def calls():
            client = SmsClubClient(TOKEN, base_url=fake.url, timeout=5.0, rate_period=RATE_PERIOD)
            for _i in range(15):
                client.balance()

        threads = [threading.Thread(target=calls) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(fake.too_many, 0)
        self.assertEqual(fake.statuses(), [200] * 30)
