"""A local fake of the SMS Club API for the tests and the benchmark.

Plain Python (no Odoo import): ``FakeSmsClub().start()`` serves on a free port
of 127.0.0.1 and records every request it received (``calls``: path, JSON
body, headers). It speaks the shapes of ``shared/spec/smsclub.md``:

- ``/sms/send`` and ``/v2/sms/send`` → ``success_request.info`` (id → number)
  and ``add_info`` for refused numbers (any number in ``bad_numbers``);
- ``/sms/status`` → codes, or Russian words with ``russian_states``;
- ``/sms/balance``, ``/sms/originator``, ``/vibers/originator``;
- ``/vibers/send`` → ``successfulRequest.requestData.messages`` with
  ``incorrectPhones``/``blackList``; ``/vibers/status`` → per id ``status``,
  ``additionStatus``, ``smsStatus``;
- failures queued with :meth:`fail_next`: ``401``, ``429``, ``500``,
  ``400``, ``malformed`` (HTTP 200, not JSON), ``slow`` (answers after
  ``slow_seconds`` — past the client's timeout — but still accepts the SMS),
  ``no_money`` (Viber ``errorRequest``), ``empty`` (only ``add_info``).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "test-smsclub-token-0001"


class FakeSmsClub:
    def __init__(self, token=TOKEN, latency=0.0, slow_seconds=1.5):
        self.token = token
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.lock = threading.RLock()
        self.server = None
        self.thread = None
        self.reset()

    # ------------------------------------------------------------ control
    def reset(self):
        with self.lock:
            self.calls = []
            self.broken_replies = 0
            self.failures = []
            self.next_id = 1000
            self.messages = {}  # id -> dict(kind, phone, text, state, sms_state)
            self.bad_numbers = {}  # phone -> reason
            self.blacklist = set()
            self.money = "8111.1700"
            self.sms_names = ["MyShop", "MyShopTest"]
            self.viber_names = ["MyShopViber"]
            self.russian_states = False

    def fail_next(self, kind, path=None, times=1):
        """The next ``times`` requests (to ``path`` when given) fail as ``kind``."""
        with self.lock:
            for _i in range(times):
                self.failures.append((kind, path))

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

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test log clean
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ------------------------------------------------------------ serving
    def _reply(self, handler, status, body, raw=False):
        data = body if raw else json.dumps(body, ensure_ascii=False)
        data = data.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.broken_replies += 1  # the client gave up waiting (timeout)

    def _take_failure(self, path):
        with self.lock:
            for index, (kind, fail_path) in enumerate(self.failures):
                if fail_path is None or fail_path == path:
                    del self.failures[index]
                    return kind
        return None

    def _handle(self, handler, method):
        path = handler.path.strip("/")
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            body = None
        with self.lock:
            self.calls.append(
                {
                    "path": path,
                    "method": method,
                    "body": body,
                    "auth": handler.headers.get("Authorization"),
                    "time": time.monotonic(),
                }
            )
        if self.latency:
            time.sleep(self.latency)
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return self._reply(
                handler,
                401,
                {"name": "Unauthorized", "message": "Invalid token", "code": 0, "status": 401},
            )
        failure = self._take_failure(path)
        if failure in ("401", "429", "500", "400"):
            names = {
                "401": "Unauthorized",
                "429": "Too Many Requests",
                "500": "Service unavailable",
                "400": "Bad Request",
            }
            return self._reply(
                handler,
                int(failure),
                {
                    "name": names[failure],
                    "message": f"{names[failure]} (fake)",
                    "code": 0,
                    "status": int(failure),
                },
            )
        if failure == "malformed":
            self._route(path, body)  # accepted, but the answer is broken
            return self._reply(handler, 200, "<html>Bad gateway</html>", raw=True)
        if failure == "no_money":
            return self._reply(
                handler, 200, {"errorRequest": {"errors": {"noMoney": ["Not enough money"]}}}
            )
        if failure == "empty":
            return self._reply(
                handler, 200, {"success_request": {"add_info": {"src_addr": "Unknown sender"}}}
            )
        if body is None:
            return self._reply(
                handler,
                400,
                {"name": "Bad Request", "message": "Bad JSON", "code": 0, "status": 400},
            )
        status, answer = self._route(path, body)
        if failure == "slow":
            time.sleep(self.slow_seconds)
        return self._reply(handler, status, answer)

    def _new_id(self, kind, phone, text, **extra):
        with self.lock:
            self.next_id += 1
            message_id = str(self.next_id)
            self.messages[message_id] = dict(
                kind=kind, phone=phone, text=text, state="ENROUTE", sms_state=None, **extra
            )
            return message_id

    def _sms_send(self, items, sender):
        info, add_info = {}, {}
        if sender not in self.sms_names:
            return 200, {"success_request": {"add_info": {"src_addr": "Alpha name not found"}}}
        for phone, text in items:
            phone = str(phone)
            if phone in self.bad_numbers or not (phone.isdigit() and len(phone) == 12):
                add_info[phone] = self.bad_numbers.get(phone, "Invalid phone number")
                continue
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
            for message_id in body.get("id_sms") or []:
                message = self.messages.get(str(message_id))
                if message:
                    info[str(message_id)] = self._state_word(message["state"])
            return 200, {"success_request": {"info": info}}
        if path == "sms/balance":
            return 200, {"success_request": {"info": {"money": self.money, "currency": "UAH"}}}
        if path == "sms/originator":
            return 200, {"success_request": {"info": list(self.sms_names)}}
        if path == "vibers/originator":
            return 200, {"successfulRequest": {"requestData": list(self.viber_names)}}
        return self._route_viber(path, body)

    def _route_viber(self, path, body):
        if path == "vibers/send":
            if body.get("sender") not in self.viber_names:
                return 200, {"errorRequest": {"errors": {"sender": ["Sender not found"]}}}
            messages, incorrect, black = [], [], []
            for phone in body.get("phones") or []:
                phone = str(phone)
                if phone in self.blacklist:
                    black.append(phone)
                elif phone in self.bad_numbers or not (phone.isdigit() and len(phone) == 12):
                    incorrect.append(phone)
                else:
                    fallback = bool(body.get("senderSms") and body.get("messageSms"))
                    message_id = self._new_id(
                        "viber", phone, body.get("message"), fallback=fallback
                    )
                    messages.append({"id": int(message_id), "number": phone})
            if not messages and (incorrect or black):
                return 200, {
                    "errorRequest": {"errors": {"anyCorrectPhones": ["No correct phones"]}}
                }
            return 200, {
                "successfulRequest": {
                    "requestData": {
                        "messages": messages,
                        "additionalInfo": {"incorrectPhones": incorrect, "blackList": black},
                    }
                }
            }
        if path == "vibers/status":
            data = {}
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
        return 404, {"name": "Not Found", "message": "Page not found.", "code": 0, "status": 404}
