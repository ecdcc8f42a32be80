import contextlib
import http.server
import threading

import requests

from odoo.tests import tagged
from odoo.tests.common import BaseCase, TransactionCase

from .local_fakes import LocalFakeTimeouts


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.asked.wait(5)  # answer only once the client gave up
        with contextlib.suppress(OSError):  # the client has closed the connection
            self.send_response(200)
            self.end_headers()

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestLocalFakeTimeouts(LocalFakeTimeouts, TransactionCase):
    """The fault tests of the connectors rely on their short timeouts
    reaching the local fakes; this fails loudly if Odoo's test framework
    changes how it routes a test's HTTP requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
        cls.server.asked = threading.Event()
        thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.addClassCleanup(cls.server.asked.set)

    @classmethod
    def local_fake_urls(cls):
        host, port = cls.server.server_address[:2]
        return (f"http://{host}:{port}/",)

    def test_odoo_still_routes_requests_through_the_hook(self):
        self.assertTrue(
            callable(getattr(BaseCase, "_request_handler", None)),
            "Odoo's test framework no longer has BaseCase._request_handler: the "
            "connectors' fault tests cannot keep their short timeouts",
        )

    def test_a_local_fake_keeps_the_clients_timeout(self):
        with self.assertRaises(requests.Timeout):
            requests.get(self.local_fake_urls()[0], timeout=0.05)
        self.server.asked.set()
