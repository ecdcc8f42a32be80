"""Tests that talk to local fakes of the vendors' HTTP APIs.

Odoo's test framework routes every ``requests`` call of a test through
``BaseCase._request_handler`` (odoo/tests/common.py): requests to the
internet are refused, requests to this machine are let through, and every
timeout shorter than 10 s is raised to 10 s. The connectors' fault tests
must prove what happens when a vendor answers too late, with the client's
own short timeouts, so the fakes' requests must keep them.

Odoo offers no setting for that; ``_request_handler`` is the class-level
hook its framework calls for each request, and overriding it in a test
class is the only way. This module is the one place that does it: a test
class lists its running fakes in ``local_fake_urls()`` and their requests
keep their timeouts; every other request gets Odoo's own treatment. The
test in ``test_local_fakes.py`` fails if Odoo renames the hook or stops
calling it.
"""

from odoo.tests.common import _super_send


class LocalFakeTimeouts:
    """Mixin for a test class (before the Odoo test case in its bases)."""

    @classmethod
    def local_fake_urls(cls):
        """Base URLs of the local fakes this class runs (override)."""
        return ()

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if any(url and r.url.startswith(url) for url in cls.local_fake_urls()):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)
