"""A local fake of the SMS Club API for the tests and the benchmarks.

Plain Python (no Odoo import): ``FakeSmsClub().start()`` serves on a free port
of 127.0.0.1 and records every request it received (``calls``: path, JSON
body, headers, time). It speaks the shapes of the real API:

- ``/sms/send`` and ``/v2/sms/send`` → ``success_request.info`` (id → number)
  and ``add_info`` for refused numbers (any number in ``bad_numbers``), or
  ``add_info.src_addr`` for an alpha name the account does not have;
- ``/sms/status`` → codes, or Russian words with ``russian_states``; ids it
  does not know are left out;
- ``/sms/balance``, ``/sms/originator``, ``/vibers/originator``;
- ``/vibers/send`` → ``successfulRequest.requestData.messages`` with
  ``incorrectPhones``/``blackList``; ``/vibers/status`` → per id ``status``,
  ``additionStatus``, ``smsStatus``;
- the account has money (``money``) and each message costs ``price``: a send
  it cannot pay is refused with ``errorRequest.errors.noMoney`` and nothing
  is sent;
- at most ``rate_limit`` requests per token in any second (``rate_period``),
  counted when the request is answered, like the real service: one more gets
  HTTP 429 and is not processed.

Faults, queued with :meth:`fail_next` (the next request, to a path when
given) or drawn at random with :meth:`random_faults` (for the benchmarks):

================== ========================================================
``processed_timeout`` processed, then answered once the client has given
                   up (the answer is lost); ``slow`` is the same
``late``           not answered in time; processed once the client has
                   given up
``hang``           never processed; the connection is closed without an
                   answer once the client has given up
``reset``          processed, then the connection is reset (TCP RST)
``429``            HTTP 429, not processed
``500`` ``502``    processed, then HTTP 500 / 502 with an error page
``503``            HTTP 503, not processed
``ids_then_500``   processed, then HTTP 500 carrying the usual answer (ids)
``malformed``      processed, HTTP 200 with cut JSON
``empty``          processed, HTTP 200 with an empty body
``html``           processed, HTTP 200 with an HTML page
``400``            HTTP 400 ``{"name", "message"}`` with SMS Club's reason
``400_fields``     HTTP 400 with a list of ``{"field", "message"}``
``400_add_info``   HTTP 400 with ``success_request.add_info``
``401``            HTTP 401 (token refused)
``no_money``       ``errorRequest.errors.noMoney`` at HTTP 200, not sent
``no_money_http``  the same at HTTP 462 (some clients report 460–468)
``no_money_words`` SMS: ``add_info`` ``{"money": "Недостатньо коштів…"}``
``unknown_sender`` SMS: ``add_info.src_addr``; Viber: ``errorRequest.sender``
``invalid_number`` every number of the request refused as invalid
``system_error``   Viber: processed, then ``errorRequest.errors.systemError``
================== ========================================================

"Once the client has given up": the fake waits until the client closes the
connection (its timeout ran out), :meth:`FakeSmsClub.release` is called, or
``slow_seconds`` (``hang_seconds`` for ``hang``) have passed, whichever comes
first. So the tests wait for the client's own short timeout only, never for
a fixed time; a client that waits longer than ``slow_seconds`` gets the late
answer.

SMS Club has no request that deletes or cancels a message, so there is no
"lost answer on delete" here.
"""

import contextlib
import json
import random
import select
import socket
import struct
import threading
import time
from collections import Counter, defaultdict, deque
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-smsclub-token-0001"
SEND_PATHS = ("sms/send", "v2/sms/send", "vibers/send")
# Faults that leave the request processed although the client learns nothing
PROCESSED_UNKNOWN = (
    "processed_timeout",
    "slow",
    "late",
    "reset",
    "500",
    "502",
    "ids_then_500",
    "malformed",
    "empty",
    "html",
    "system_error",
)
# Faults after which the request surely was not processed
NOT_PROCESSED = ("429", "503", "hang")
BUSINESS = ("400", "no_money", "unknown_sender", "invalid_number")
ALL_FAULTS = (
    "processed_timeout",
    "late",
    "hang",
    "reset",
    "429",
    "500",
    "502",
    "503",
    "malformed",
    "empty",
    "html",
    *BUSINESS,
)
HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class FakeSmsClub:
    def __init__(
        self,
        token=TOKEN,
        latency=0.0,
        jitter=0.0,
        slow_seconds=1.5,
        hang_seconds=None,
        rate_limit=9,
        rate_period=1.0,
    ):
        self.token = token
        self.latency = latency
        self.jitter = jitter
        self.slow_seconds = slow_seconds
        self.hang_seconds = hang_seconds
        self.rate_limit = rate_limit
        self.rate_period = rate_period
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.server = None
        self.thread = None
        self.random = None
        # a byte written here ends every wait for the client (see release)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        # requests being handled: a live count, never reset (a handler may
        # still be finishing when a test resets the fake)
        self.in_progress = 0
        self.reset()

    # ------------------------------------------------------------ control
    def reset(self):
        with self.lock:
            self.calls = []
            self.broken_replies = 0
            self.failures = []
            self.faults_done = Counter()
            self.next_id = 1000
            self.messages = {}  # id -> dict(kind, phone, text, state, sms_state)
            self.bad_numbers = {}  # phone -> reason
            self.blacklist = set()
            self.money = "8111.1700"
            self.price = "0.25"
            self.sms_names = ["MyShop", "MyShopTest"]
            self.viber_names = ["MyShopViber"]
            self.russian_states = False
            self.answered = defaultdict(deque)  # token -> times of answered requests
            self.too_many = 0
            self.random = None
            self._drain_wake()

    def release(self):
        """End now every wait for the client to give up (late answers and
        hangs go on at once), until :meth:`reset`."""
        self._wake_writer.send(b"x")

    def _drain_wake(self):
        with contextlib.suppress(BlockingIOError):  # nothing (more) to read
            while self._wake_reader.recv(1024):
                pass

    def fail_next(self, kind, path=None, times=1):
        """The next ``times`` requests (to ``path`` when given) fail as ``kind``."""
        with self.lock:
            for _i in range(times):
                self.failures.append((kind, path))

    def random_faults(self, ratio, seed=0, kinds=ALL_FAULTS, paths=None):
        """From now on, a request (to one of ``paths``, all when ``None``)
        fails with probability ``ratio`` with one of ``kinds``."""
        with self.lock:
            self.random = (random.Random(seed), ratio, tuple(kinds), paths)

    def set_state(self, message_id, state, sms_state=None):
        with self.lock:
            self.messages[str(message_id)]["state"] = state
            if sms_state is not None:
                self.messages[str(message_id)]["sms_state"] = sms_state

    def sent(self, kind=None):
        """Messages the fake accepted, ``[(kind, phone, text)]``."""
        with self.lock:
            return [
                (m["kind"], m["phone"], m["text"])
                for m in self.messages.values()
                if kind is None or m["kind"] == kind
            ]

    def paths(self):
        with self.lock:
            return [call["path"] for call in self.calls]

    def statuses(self):
        """HTTP statuses answered, in order (``None``: no answer). Waits for
        the requests being handled: a client may have its answer before the
        fake has noted what it answered."""
        self.wait_idle()
        with self.lock:
            return [call.get("status") for call in self.calls]

    def wait_idle(self, timeout=5.0):
        """Wait until no request is being handled (late processing done)."""
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.in_progress > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test log clean
                pass

            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.release()
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ------------------------------------------------------------ serving
    def _reply(self, handler, status, body, raw=False, content_type="application/json"):
        data = body if raw else json.dumps(body, ensure_ascii=False)
        data = data.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            with self.lock:
                self.broken_replies += 1  # the client gave up waiting (timeout)
        return status

    def _error(self, handler, status, name, message):
        body = {"name": name, "message": message, "code": 0, "status": status}
        return self._reply(handler, status, body)

    def _until_the_client_gives_up(self, handler, seconds):
        """Wait until the client closes the connection (its timeout ran out),
        :meth:`release` is called or ``seconds`` have passed."""
        select.select([handler.connection, self._wake_reader], [], [], seconds)

    def _reset(self, handler):
        """Close the connection with a TCP reset, without an answer."""
        connection = handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
        handler.close_connection = True

    def _take_failure(self, path):
        with self.lock:
            for index, (kind, fail_path) in enumerate(self.failures):
                if fail_path is None or fail_path == path:
                    del self.failures[index]
                    return kind
            if self.random is not None:
                rng, ratio, kinds, paths = self.random
                if (paths is None or path in paths) and rng.random() < ratio:
                    return rng.choice(kinds)
        return None

    def _serve(self, handler, method):
        with self.lock:
            self.in_progress += 1
        status = None
        try:
            status = self._handle(handler, method)
        finally:
            # noted before the request counts as handled (see statuses())
            call = getattr(handler, "_fake_call", None)
            if call is not None:
                with self.lock:
                    call["status"] = status
            with self.idle:
                self.in_progress -= 1
                self.idle.notify_all()

    def _handle(self, handler, method):
        path = handler.path.strip("/")
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            body = None
        auth = handler.headers.get("Authorization")
        call = {"path": path, "method": method, "body": body, "auth": auth}
        call["time"] = time.monotonic()
        handler._fake_call = call
        with self.lock:
            self.calls.append(call)
        delay = self.latency + (random.uniform(0, self.jitter) if self.jitter else 0.0)
        if delay:
            time.sleep(delay)
        if auth != f"Bearer {self.token}":
            return self._error(handler, 401, "Unauthorized", "Invalid token")
        if not self._within_rate(auth):
            return self._error(handler, 429, "Too Many Requests", "Rate limit exceeded.")
        if body is None:
            return self._error(handler, 400, "Bad Request", "Bad JSON")
        failure = self._take_failure(path)
        if failure:
            with self.lock:
                self.faults_done[failure] += 1
            return self._fault(handler, failure, path, body)
        status, answer = self._route(path, body)
        return self._reply(handler, status, answer)

    def _within_rate(self, auth):
        """Count this request now (when it is answered); refuse it with 429
        when ``rate_limit`` requests were already answered in the last
        ``rate_period`` (a second)."""
        if not self.rate_limit:
            return True
        with self.lock:
            now = time.monotonic()
            window = self.answered[auth] = deque(
                t for t in self.answered[auth] if 0 <= now - t < self.rate_period
            )
            if len(window) >= self.rate_limit:
                self.too_many += 1
                return False
            window.append(now)
            return True

    def _fault(self, handler, kind, path, body):  # noqa: C901 - one branch per fault
        if kind in ("429", "503", "401"):
            names = {
                "429": "Too Many Requests",
                "503": "Service Unavailable",
                "401": "Unauthorized",
            }
            return self._error(handler, int(kind), names[kind], f"{names[kind]} (fake)")
        if kind == "hang":
            self._until_the_client_gives_up(handler, self.hang_seconds or self.slow_seconds)
            self._reset(handler)
            return None
        if kind == "late":
            self._until_the_client_gives_up(handler, self.slow_seconds)
            status, answer = self._route(path, body)
            return self._reply(handler, status, answer)
        if kind in BUSINESS or kind.startswith(("400", "no_money")) or kind == "unknown_sender":
            return self._business_fault(handler, kind, path, body)
        # the others are processed first
        status, answer = self._route(path, body)
        if kind in ("processed_timeout", "slow"):
            self._until_the_client_gives_up(handler, self.slow_seconds)
            return self._reply(handler, status, answer)
        if kind == "reset":
            self._reset(handler)
            return None
        if kind in ("500", "502"):
            return self._reply(handler, int(kind), HTML_PAGE, raw=True, content_type="text/html")
        if kind == "ids_then_500":
            return self._reply(handler, 500, answer)
        if kind == "malformed":
            text = json.dumps(answer, ensure_ascii=False)
            return self._reply(handler, 200, text[: max(1, len(text) // 2)], raw=True)
        if kind == "empty":
            return self._reply(handler, 200, "", raw=True)
        if kind == "html":
            return self._reply(handler, 200, HTML_PAGE, raw=True, content_type="text/html")
        if kind == "system_error":
            error = {"errorRequest": {"errors": {"systemError": ["Internal error"]}}}
            return self._reply(handler, 200, error)
        raise ValueError(f"unknown fault {kind}")

    def _business_fault(self, handler, kind, path, body):
        viber = path.startswith("vibers")
        if kind == "400":
            return self._error(handler, 400, "Bad Request", "Текст повідомлення заборонений")
        if kind == "400_fields":
            answer = [{"field": "message", "message": "Текст повідомлення задовгий"}]
            return self._reply(handler, 400, answer)
        if kind == "400_add_info":
            answer = {"success_request": {"add_info": {"message": "Заборонене слово в тексті"}}}
            return self._reply(handler, 400, answer)
        if kind == "no_money":
            return self._reply(handler, 200, self._no_money())
        if kind == "no_money_http":
            return self._reply(handler, 462, self._no_money())
        if kind == "no_money_words":
            answer = {"success_request": {"add_info": {"money": "Недостатньо коштів на рахунку"}}}
            return self._reply(handler, 200, answer)
        if kind == "unknown_sender":
            if viber:
                error = {"errorRequest": {"errors": {"sender": ["Sender not found"]}}}
                return self._reply(handler, 200, error)
            answer = {"success_request": {"add_info": {"src_addr": "Alpha name not found"}}}
            return self._reply(handler, 200, answer)
        if kind == "invalid_number":
            phones = self._phones(path, body)
            if viber:
                error = {"errorRequest": {"errors": {"anyCorrectPhones": ["No correct phones"]}}}
                return self._reply(handler, 200, error)
            add_info = {str(phone): "Некоректний номер одержувача" for phone in phones}
            return self._reply(handler, 200, {"success_request": {"add_info": add_info}})
        raise ValueError(f"unknown fault {kind}")

    @staticmethod
    def _no_money():
        return {"errorRequest": {"errors": {"noMoney": ["Not enough money on the balance"]}}}

    @staticmethod
    def _phones(path, body):
        if path == "v2/sms/send":
            return [m.get("phone") for m in body.get("data_message") or []]
        return body.get("phones") or body.get("phone") or []

    def _new_id(self, kind, phone, text, **extra):
        with self.lock:
            self.next_id += 1
            message_id = str(self.next_id)
            self.messages[message_id] = dict(
                kind=kind, phone=phone, text=text, state="ENROUTE", sms_state=None, **extra
            )
            return message_id

    def _pay(self, count):
        """Take the price of ``count`` messages; ``False`` when the money is
        not enough (nothing is taken)."""
        with self.lock:
            cost = Decimal(str(self.price)) * count
            money = Decimal(str(self.money))
            if cost > money:
                return False
            self.money = str(money - cost)
            return True

    def _sms_send(self, items, sender):
        info, add_info = {}, {}
        if sender not in self.sms_names:
            return 200, {"success_request": {"add_info": {"src_addr": "Alpha name not found"}}}
        good = []
        for phone, text in items:
            phone = str(phone)
            if phone in self.bad_numbers or not (phone.isdigit() and len(phone) == 12):
                add_info[phone] = self.bad_numbers.get(phone, "Invalid phone number")
            else:
                good.append((phone, text))
        with self.lock:
            if good and not self._pay(len(good)):
                return 200, self._no_money()
            for phone, text in good:
                info[self._new_id("sms", phone, text)] = phone
        answer = {}
        if info:
            answer["info"] = info
        if add_info:
            answer["add_info"] = add_info
        return 200, {"success_request": answer}

    def _state_word(self, state):
        if not self.russian_states:
            return state
        return {
            "ENROUTE": "Отправлено",
            "DELIVRD": "Доставлено",
            "EXPIRED": "Просрочено",
            "UNDELIV": "Недоставляемое",
            "REJECTD": "Отклонено",
        }.get(state, state)

    def _route(self, path, body):
        body = body or {}
        if path == "sms/send":
            phones = body.get("phone") or []
            if not phones or not body.get("message"):
                return 200, {"success_request": {"add_info": {"phone": "Phones or text missing"}}}
            return self._sms_send([(p, body["message"]) for p in phones], body.get("src_addr"))
        if path == "v2/sms/send":
            items = [(m.get("phone"), m.get("message")) for m in body.get("data_message") or []]
            return self._sms_send(items, body.get("src_addr"))
        if path == "sms/status":
            info = {}
            with self.lock:
                for message_id in body.get("id_sms") or []:
                    message = self.messages.get(str(message_id))
                    if message:
                        info[str(message_id)] = self._state_word(message["state"])
            return 200, {"success_request": {"info": info}}
        if path == "sms/balance":
            money = f"{Decimal(str(self.money)):.4f}"
            return 200, {"success_request": {"info": {"money": money, "currency": "UAH"}}}
        if path == "sms/originator":
            return 200, {"success_request": {"info": list(self.sms_names)}}
        if path == "vibers/originator":
            return 200, {"successfulRequest": {"requestData": list(self.viber_names)}}
        if path == "vibers/send":
            return self._viber_send(body)
        if path == "vibers/status":
            return self._viber_status(body)
        return 404, {"name": "Not Found", "message": "Page not found.", "code": 0, "status": 404}

    def _viber_send(self, body):
        if body.get("sender") not in self.viber_names:
            return 200, {"errorRequest": {"errors": {"sender": ["Sender not found"]}}}
        good, incorrect, black = [], [], []
        for phone in body.get("phones") or []:
            phone = str(phone)
            if phone in self.blacklist:
                black.append(phone)
            elif phone in self.bad_numbers or not (phone.isdigit() and len(phone) == 12):
                incorrect.append(phone)
            else:
                good.append(phone)
        if not good and (incorrect or black):
            return 200, {"errorRequest": {"errors": {"anyCorrectPhones": ["No correct phones"]}}}
        messages = []
        fallback = bool(body.get("senderSms") and body.get("messageSms"))
        with self.lock:
            if good and not self._pay(len(good)):
                return 200, self._no_money()
            for phone in good:
                message_id = self._new_id("viber", phone, body.get("message"), fallback=fallback)
                messages.append({"id": int(message_id), "number": phone})
        return 200, {
            "successfulRequest": {
                "requestData": {
                    "messages": messages,
                    "additionalInfo": {"incorrectPhones": incorrect, "blackList": black},
                }
            }
        }

    def _viber_status(self, body):
        data = {}
        with self.lock:
            for message_id in body.get("messageIds") or []:
                message = self.messages.get(str(message_id))
                if message:
                    data[str(message_id)] = {
                        "status": self._state_word(message["state"]),
                        "additionStatus": "Прочитано" if message["state"] == "DELIVRD" else "",
                        "smsStatus": self._state_word(message["sms_state"])
                        if message["sms_state"]
                        else None,
                    }
        return 200, {"successfulRequest": {"requestData": data}}
