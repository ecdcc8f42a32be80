"""Shared ground of the suite's security tests: the real HTTP server attacked
over JSON-RPC by the demo user of each store role.

Each test class starts Odoo's HTTP server (``HttpCase``), builds a small
store as superuser (customers, a product in stock, orders in several
statuses, a Nova Poshta account and waybill, SMS Club, a Checkbox cash
register, invoices and a fiscal receipt) against the local fake vendor
servers, and calls ``/web/dataset/call_kw`` with one session per role
(``/jsonrpc`` ``execute_kw`` with login and password where a test says so).

What an attacker would notice is asserted: the call is refused with one of
Odoo's user-facing errors and the record is as it was, and no answer given to
a role other than Administrator ever carries a credential of the suite.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta

import odoo
from odoo import Command, fields
from odoo.tests import new_test_user
from odoo.tests.common import (
    TEST_CURSOR_COOKIE_NAME,
    HttpCase,
    Opener,
    get_db_name,
)
from odoo.tools import mute_logger

from odoo.addons.access_roles.tests.common import ROLES
from odoo.addons.access_roles.tests.local_fakes import LocalFakeTimeouts
from odoo.addons.delivery_novaposhta.tests.fake_novaposhta import VALID_KEY, FakeNovaPoshta
from odoo.addons.fiscal_ua.tests.fake_checkbox import FakeCheckbox
from odoo.addons.sms_club.tests.fake_smsclub import TOKEN as SMSCLUB_TOKEN
from odoo.addons.sms_club.tests.fake_smsclub import FakeSmsClub

from .test_suite_integrity import SUITE

_logger = logging.getLogger(__name__)

NON_ADMIN_ROLES = tuple(role for role in ROLES if role != "administrator")
# what a forged text field is set to (found in a record: the forgery went through)
FORGED_TEXT = "H-SEC-FORGED"

# Secrets of the fixtures (each distinctive, so that finding one in an
# answer or a log line is never a coincidence).
NP_KEY = VALID_KEY
LICENSE_KEY = "h-sec-licence-key-5b8e2f07"
CASHIER_LOGIN = "h-sec-cashier-login-61d3"
CASHIER_PASSWORD = "h-sec-cashier-pass-93c1a"
CASHIER_PIN = "h-sec-pin-code-7730"
CASHIER_TOKEN = "h-sec-cashier-token-0c2d9e"

# The user-facing refusals of Odoo (the class name in the JSON-RPC error).
REFUSALS = {
    "AccessError",
    "AccessDenied",
    "UserError",
    "ValidationError",
    "MissingError",
    "RedirectWarning",
}

# A field whose name says it holds a secret (for fields of the suite that
# forgot the credential convention).
CREDENTIAL_NAME = re.compile(
    r"(^|_)(api_?key|token|password|passwd|secret|pin|pin_code|licen[cs]e_key|login)($|_)",
    re.IGNORECASE,
)
CREDENTIAL_NOT_SECRET = re.compile(r"_(masked|set|expiry|state|date|warned_on|url)$")
# Named like a secret, but not one: the claim of a message being sent (a
# random marker that makes sending idempotent).
NOT_CREDENTIALS = {("sms.club.message", "claim_token")}

# Facts only the system sets, per model, besides the fields the suite marks
# ``system_only`` and the stored fields it declares read-only or computes:
# Odoo's own state of an order follows the business status, the time in
# status is the order flow's bookkeeping, the money and carrier facts come
# from payments and the carrier.
SYSTEM_ONLY_EXTRA = {
    "sale.order": (
        "state",
        "locked",
        "stage_date",
        "stage_deadline",
        "paid_amount",
        "order_payment_state",
        "delivery_cod_state",
        "delivery_return_in_transit",
        "np_waybill_id",
    ),
    "novaposhta.waybill": ("name", "ref", "state", "status_code", "cod_amount"),
    "fiscal.receipt": ("state", "fiscal_code", "fiscal_date", "amount_total", "checkbox_id"),
    "fiscal.shift": ("status", "checkbox_id", "serial", "opened_at", "closed_at"),
    "sms.club.message": ("state", "provider_id", "provider_status", "sent_date"),
    "sale.order.stage.history": (
        "order_id",
        "stage_id",
        "previous_stage_id",
        "user_id",
        "cause",
        "automation_id",
        "date_in",
        "date_out",
    ),
    "sale.order.customer.message": (
        "order_id",
        "visit_id",
        "stage_id",
        "template_ref",
        "medium",
        "message_id",
        "scheduled_date",
    ),
    "res.company": ("smsclub_balance", "smsclub_currency", "smsclub_balance_date"),
}

# Models whose records hold facts of the outside world or of the past
# (vendor answers, fiscal data, message states, history) and the order:
# every stored field of the suite they declare read-only, or compute, is
# set by the system alone.
FACT_MODELS = {
    "sale.order",
    "novaposhta.waybill",
    "fiscal.receipt",
    "fiscal.shift",
    "sms.club.message",
    "sale.order.stage.history",
    "sale.order.customer.message",
}

# What the system-state snapshot of the generic tests watches: the facts a
# role must not change by a side door (statuses, vendor answers, money,
# fiscal data, history, rights), on the records of the test store, and how
# many records of these models exist.
WATCHED = {
    "sale.order": [
        "state",
        "stage_id",
        "locked",
        "order_payment_state",
        "paid_amount",
        "delivery_cod_state",
        "delivery_tracking_ref",
        "delivery_return_in_transit",
        "np_waybill_id",
        "user_id",
    ],
    "stock.picking": ["state", "carrier_tracking_ref"],
    "novaposhta.waybill": [
        "state",
        "name",
        "status_code",
        "cod_amount",
        "cod_transfer_state",
        "tracking_active",
    ],
    "novaposhta.account": ["sender_ref", "contact_ref", "key_warned_on", "active"],
    "fiscal.receipt": ["state", "fiscal_code", "amount_total", "checkbox_id"],
    "fiscal.shift": ["status", "closed_at"],
    "sms.club.message": ["state", "provider_id"],
    "sale.order.stage.history": ["stage_id", "cause", "date_out"],
    "account.move": ["state", "payment_state", "amount_total"],
    "purchase.order": ["state"],
    "res.company": ["smsclub_balance"],
    "res.groups": ["users"],
}


class RpcAnswer:
    """The answer of one JSON-RPC call: the result or Odoo's error."""

    def __init__(self, response, call):
        self.call = call
        self.status = response.status_code
        self.text = response.text
        try:
            data = response.json()
        except ValueError:
            data = {"error": {"data": {"name": f"HTTP {response.status_code}", "message": ""}}}
        if not isinstance(data, dict):
            data = {"result": data}
        self.result = data.get("result")
        self.error = data.get("error")

    @property
    def ok(self):
        return self.error is None

    @property
    def error_name(self):
        return ((self.error or {}).get("data") or {}).get("name") or ""

    @property
    def error_class(self):
        return self.error_name.rsplit(".", 1)[-1]

    @property
    def message(self):
        return ((self.error or {}).get("data") or {}).get("message") or ""

    @property
    def refused(self):
        return not self.ok and self.error_class in REFUSALS

    def describe(self):
        if self.ok:
            return f"{self.call}: accepted ({str(self.result)[:160]})"
        return f"{self.call}: {self.error_name or 'error'} ({self.message[:200]})"


def is_credential_field(field, depth=0):
    """Whether ``field`` holds a credential: marked by the credential
    convention (``CredentialField``), a related field showing one, or a text
    field of the suite that is admin-only or named like a secret."""
    if getattr(field, "credential", False):
        return True
    related_field = getattr(field, "related_field", None)
    if field.related and related_field is not None and depth < 5:
        return is_credential_field(related_field, depth + 1)
    if getattr(field, "_module", None) not in SUITE or field.type not in ("char", "text"):
        return False
    if (field.model_name, field.name) in NOT_CREDENTIALS:
        return False
    if field.compute and not field.related:
        return False  # a masked form or a flag computed from the secret
    if CREDENTIAL_NOT_SECRET.search(field.name):
        return False
    if CREDENTIAL_NAME.search(field.name):
        return True
    return bool(field.groups) and "base.group_system" in field.groups


def credential_fields(env):
    """[(model, field name)] of every credential field of the suite and every
    field anywhere that shows one."""
    found = []
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or not model._auto and not model._transient:
            continue
        for name, field in model._fields.items():
            if is_credential_field(field):
                found.append((model_name, name))
    return found


def system_only_fields(env):
    """{model: [field names]} only the system sets, for the models of the
    suite and the core models the suite extends: fields marked
    ``system_only`` (or listed by the model's own check), stored fields of
    the suite declared read-only or computed on the FACT_MODELS, and
    SYSTEM_ONLY_EXTRA. Related
    fields are left out (they write through to their source, which is
    covered where it is defined), and so are fields nobody can write
    (computed, not stored, without inverse)."""
    result = {}
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or model._transient:
            continue
        names = set(SYSTEM_ONLY_EXTRA.get(model_name, ()))
        declared = getattr(model, "_access_system_only_fields", None)
        if declared is not None:
            names |= set(declared())
        for name, field in model._fields.items():
            if getattr(field, "system_only", False):
                names.add(name)
                continue
            if model_name not in FACT_MODELS or not field.store:
                continue
            if field_origin(model, name) not in SUITE:
                continue  # Odoo's own field (the suite may only add groups to it)
            if field.readonly:  # declared read-only, or computed
                names.add(name)
        names = {
            name
            for name in names
            if name in model._fields
            and name not in models_magic_fields()
            and not model._fields[name].related
            and model._fields[name].type not in ("one2many", "many2many", "binary", "json")
            and (model._fields[name].store or model._fields[name].inverse)
        }
        if names:
            result[model_name] = sorted(names)
    return result


def field_origin(model, name):
    """The module that first defined the field ``name`` of ``model`` (not
    one that only changed its attributes)."""
    for klass in reversed(type(model).mro()):
        if isinstance(vars(klass).get(name), fields.Field):
            return getattr(klass, "_module", None)
    return None


def models_magic_fields():
    return {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}


class FakeVendorsCase(LocalFakeTimeouts, HttpCase):
    """An HTTP test whose class starts local fakes of the vendors
    (``np_fake``, ``sms_fake``, ``checkbox_fake``); their requests keep the
    short timeouts the tests set."""

    @classmethod
    def local_fake_urls(cls):
        urls = []
        for fake in (
            getattr(cls, "np_fake", None),
            getattr(cls, "sms_fake", None),
            getattr(cls, "checkbox_fake", None),
        ):
            if fake is not None and fake.server:
                host, port = fake.server.server_address[:2]
                urls.append(f"http://{host}:{port}/")
        return tuple(urls)


class SecurityCase(FakeVendorsCase):
    """The store, the fake vendors and one JSON-RPC session per role."""

    # ------------------------------------------------------------------ store
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        if not cls.env.ref("access_roles.user_demo_sales", raise_if_not_found=False):
            cls.skipTest(cls, "the security tests attack the demo users of the roles")
        cls.users = {role: cls.env.ref(f"access_roles.user_demo_{role}") for role in ROLES}
        cls.company = cls.users["sales"].company_id
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.other_sales = new_test_user(
            cls.env,
            login="h_sec_other_sales",
            password="h_sec_other_sales",
            name="Other salesperson",
            groups="base.group_user,access_roles.group_role_sales",
            company_id=cls.company.id,
        )
        cls.env["ir.config_parameter"].set_param("fiscal_ua.poll_interval", "0.01")
        cls._setup_vendors()
        cls._setup_store()
        cls.env.flush_all()

    @classmethod
    def _setup_vendors(cls):
        cls.np_fake = FakeNovaPoshta(slow_seconds=3.0).start()
        cls.addClassCleanup(cls.np_fake.stop)
        cls.sms_fake = FakeSmsClub().start()
        cls.addClassCleanup(cls.sms_fake.stop)
        cls.checkbox_fake = FakeCheckbox(
            cashiers={CASHIER_LOGIN: CASHIER_PASSWORD},
            pins={CASHIER_PIN: CASHIER_LOGIN},
            license_keys={LICENSE_KEY},
        ).start()
        cls.addClassCleanup(cls.checkbox_fake.stop)
        company = cls.company
        Sender = cls.env["sms.club.sender"]
        company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
                "order_flow_warehouse_user_id": cls.users["logistics"].id,
                "order_flow_promo_line": False,
                "smsclub_enabled": True,
                "smsclub_url": cls.sms_fake.url,
                "smsclub_token": SMSCLUB_TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": Sender.create(
                    {"name": "MyShop", "kind": "sms", "company_id": company.id}
                ).id,
                "smsclub_viber_sender_id": Sender.create(
                    {"name": "MyShopViber", "kind": "viber", "company_id": company.id}
                ).id,
            }
        )
        cls.np_account = cls.env["novaposhta.account"].create(
            {
                "name": "H-Sec NP account",
                "company_id": company.id,
                "api_key": NP_KEY,
                "api_url": cls.np_fake.url,
                "print_url": cls.np_fake.print_url,
                "timeout": 2.0,
                "sender_phone": "+380671112233",
            }
        )
        cls.env["novaposhta.city"]._cron_sync_directories()
        cls.np_account.action_fetch_sender()
        City = cls.env["novaposhta.city"]
        Warehouse = cls.env["novaposhta.warehouse"]
        cls.kyiv = City.search([("ref", "=", "city-kyiv")], limit=1)
        cls.lviv = City.search([("ref", "=", "city-lviv")], limit=1)
        cls.kyiv_1 = Warehouse.search([("ref", "=", "wh-city-kyiv-1")], limit=1)
        cls.lviv_2 = Warehouse.search([("ref", "=", "wh-city-lviv-2")], limit=1)
        cls.np_account.write({"sender_city_id": cls.kyiv.id, "sender_warehouse_id": cls.kyiv_1.id})
        cls.np_carrier = cls.env["delivery.carrier"].create(
            {
                "name": "H-Sec Nova Poshta",
                "delivery_type": "novaposhta",
                "integration_level": "rate",
                "company_id": company.id,
                "np_account_id": cls.np_account.id,
                "product_id": cls.env["product.product"]
                .create({"name": "H-Sec NP delivery", "type": "service"})
                .id,
                "np_preset_ids": [
                    Command.create({"name": "Standard", "is_default": True, "weight": 1.0}),
                    Command.create(
                        {"name": "Cash on delivery", "cod": True, "weight": 1.0, "sequence": 20}
                    ),
                ],
            }
        )
        cls.np_preset_cod = cls.np_carrier.np_preset_ids.filtered("cod")
        cls.cashier = cls.env["fiscal.cashier"].create(
            {
                "name": "H-Sec cashier",
                "company_id": company.id,
                "login": CASHIER_LOGIN,
                "password": CASHIER_PASSWORD,
                "pin_code": CASHIER_PIN,
                "access_token": CASHIER_TOKEN,
            }
        )
        cls.register = cls.env["fiscal.cash.register"].create(
            {
                "name": "H-Sec register",
                "company_id": company.id,
                "mode": "test",
                "base_url": cls.checkbox_fake.url,
                "license_key": LICENSE_KEY,
                "cashier_id": cls.cashier.id,
                "request_timeout": 1.0,
                "receipt_wait": 1.0,
            }
        )

    @classmethod
    def _setup_store(cls):
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {
                "name": "Olha Kovalenko",
                "mobile": "+380501112233",
                "email": "olha.h-sec@example.com",
                "customer_rank": 1,
                "lang": "en_US",
            }
        )
        cls.other_customer = Partner.create(
            {"name": "Ivan Petrenko", "mobile": "+380671112299", "customer_rank": 1}
        )
        cls.lonely_customer = Partner.create({"name": "Taras Nobody", "customer_rank": 1})
        cls.product = cls.env["product.product"].create(
            {
                "name": "H-Sec Kettle",
                "type": "consu",
                "is_storable": True,
                "list_price": 1000.0,
                "standard_price": 600.0,
                "weight": 1.0,
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product, warehouse.lot_stock_id, 100)
        sales = cls.users["sales"]
        np_vals = {
            "carrier_id": cls.np_carrier.id,
            "np_city_id": cls.lviv.id,
            "np_warehouse_id": cls.lviv_2.id,
        }
        # A quotation in "New", one order in assembly, one assembled (the
        # next automatic move hands it to Nova Poshta), one handed to NP with
        # its waybill (cash on delivery), orders of another salesperson and
        # without one.
        cls.order_new = cls._make_order(sales, cls.customer)
        cls.order_assembly = cls._make_order(sales, cls.customer, **np_vals)
        cls._confirm(cls.order_assembly, "to_assembly")
        cls.order_assembled = cls._make_order(sales, cls.customer, **np_vals)
        cls._confirm(cls.order_assembled, "assembled")
        cls.order_waybill = cls._make_order(
            sales, cls.customer, np_preset_id=cls.np_preset_cod.id, **np_vals
        )
        cls._confirm(cls.order_waybill, "to_delivery")
        cls.waybill = cls.np_carrier._np_create_waybill(cls.order_waybill)
        cls.order_other = cls._make_order(cls.other_sales, cls.other_customer)
        cls._confirm(cls.order_other, "to_assembly")
        cls.order_unassigned = cls._make_order(cls.env["res.users"], cls.customer)
        cls.invoice_own = cls._make_invoice(cls.order_assembly)
        cls.invoice_other = cls._make_invoice(cls.order_other)
        cls.invoice_lonely = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.lonely_customer.id,
                "invoice_user_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "quantity": 1, "price_unit": 100.0}
                    )
                ],
            }
        )
        cls.invoice_lonely.action_post()
        cls.shift = cls.env["fiscal.shift"].create(
            {
                "register_id": cls.register.id,
                "cashier_id": cls.cashier.id,
                "checkbox_id": str(uuid.uuid4()),
                "serial": 7,
                "status": "CLOSED",
                "opened_at": fields.Datetime.now() - timedelta(days=1, hours=2),
                "closed_at": fields.Datetime.now() - timedelta(days=1),
            }
        )
        cls.receipt = cls.env["fiscal.receipt"].create(
            {
                "receipt_type": "sell",
                "state": "done",
                "uuid": str(uuid.uuid4()),
                "purpose_key": f"sell:move:{cls.invoice_own.id}",
                "register_id": cls.register.id,
                "shift_id": cls.shift.id,
                "cashier_id": cls.cashier.id,
                "move_id": cls.invoice_own.id,
                "sale_order_id": cls.order_assembly.id,
                "partner_id": cls.customer.id,
                "amount_total": cls.invoice_own.amount_total,
                "fiscal_code": "H-SEC-FISCAL-0001",
                "fiscal_date": fields.Datetime.now() - timedelta(days=1, hours=1),
                "checkbox_id": str(uuid.uuid4()),
            }
        )
        cls.sms_message = cls.env["sms.club.message"].create(
            {
                "sms_uuid": uuid.uuid4().hex,
                "company_id": cls.company.id,
                "partner_id": cls.customer.id,
                "order_id": cls.order_new.id,
                "res_model": "sale.order",
                "res_id": cls.order_new.id,
                "number": cls.customer.mobile,
                "phone": "380501112233",
                "body": "Order received",
                "channel": "sms",
                "state": "sent",
                "provider_id": "H-SEC-770001",
                "sent_date": fields.Datetime.now(),
            }
        )

    @classmethod
    def _make_order(cls, salesperson, partner, **vals):
        # Composed in the back office: created, then its lines added (an
        # order created with its lines is confirmed at once by the
        # auto-reservation rule).
        order = cls.env["sale.order"].create(
            dict({"partner_id": partner.id, "user_id": salesperson.id or False}, **vals)
        )
        order.order_line = [
            Command.create({"product_id": cls.product.id, "product_uom_qty": 2, "price_unit": 1000})
        ]
        return order

    @classmethod
    def _confirm(cls, order, code):
        """Confirm the order and put it in status ``code`` directly (set-up
        data, not the process under test)."""
        order.action_confirm()
        stage = cls.env["sale.order.stage"]._get_by_code(code)
        order._write({"stage_id": stage.id})
        order.invalidate_recordset()

    @classmethod
    def _make_invoice(cls, order):
        order.order_line.qty_delivered = order.order_line.product_uom_qty
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice

    @classmethod
    def stage(cls, code):
        return cls.env["sale.order.stage"]._get_by_code(code)

    # --------------------------------------------------------------- sessions
    def setUp(self):
        super().setUp()
        self.mute_http = True
        self._openers = {}
        self._sids = {}
        self._secret_values = set(self.current_secrets())
        self.np_fake.reset()
        self.sms_fake.reset()

    def role_opener(self, role):
        """The HTTP client of ``role``'s session (one per role and test)."""
        if role not in self._openers:
            user = self.users[role] if role in self.users else role
            # authenticate() drops the previous session: keep the others.
            self.session = None
            session = self.authenticate(user.login, user.login)
            self.addCleanup(odoo.http.root.session_store.delete, session)
            self._sids[role] = session.sid
            opener = Opener(self.cr)
            opener.cookies["session_id"] = session.sid
            opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
            self._openers[role] = opener
        return self._openers[role]

    def _post_json(self, opener, path, params):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        # Refusals are logged by the HTTP layer; a crash of an attack must
        # not fail the whole run through the log (the test says what it saw).
        muted = mute_logger("odoo.http", "odoo.sql_db") if self.mute_http else nullcontext()
        with muted:
            response = opener.post(
                self.base_url() + path,
                data=payload,
                headers={"Content-Type": "application/json"},
                timeout=60,
            )
        self.env.invalidate_all()
        return response

    def call(self, role, model, method, *args, context=None, **kwargs):
        """``model.method(*args, **kwargs)`` through /web/dataset/call_kw as
        the demo user of ``role`` (a role name, or a res.users record)."""
        ctx = {
            "lang": "en_US",
            "tz": "Europe/Kyiv",
            "allowed_company_ids": self.company.ids,
        }
        ctx.update(context or {})
        params = {
            "model": model,
            "method": method,
            "args": list(args),
            "kwargs": dict(kwargs, context=ctx),
        }
        response = self._post_json(
            self.role_opener(role), f"/web/dataset/call_kw/{model}/{method}", params
        )
        answer = RpcAnswer(response, f"{self.role_name(role)}: {model}.{method}")
        self.assertNoSecret(role, answer.text, answer.call)
        return answer

    def execute_kw(self, role, model, method, args, kwargs=None):
        """The same through the external API: /jsonrpc execute_kw with the
        demo user's login and password."""
        user = self.users[role]
        opener = Opener(self.cr)
        opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
        params = {
            "service": "object",
            "method": "execute_kw",
            "args": [get_db_name(), user.id, user.login, model, method, list(args), kwargs or {}],
        }
        response = self._post_json(opener, "/jsonrpc", params)
        answer = RpcAnswer(response, f"{role} (/jsonrpc): {model}.{method}")
        self.assertNoSecret(role, answer.text, answer.call)
        return answer

    def csrf_token(self, role):
        """A CSRF token of the role's session, as the web client sends it."""
        self.role_opener(role)
        sid = self._sids[role]
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        max_ts = int(time.time() + 3600)
        digest = hmac.new(secret.encode("ascii"), f"{sid}{max_ts}".encode(), hashlib.sha1)
        return f"{digest.hexdigest()}o{max_ts}"

    def http_request(self, role, path, data=None):
        """A plain HTTP request (GET, or a form POST of ``data`` with the
        session's CSRF token) in the session of ``role``; the response's
        body is checked for secrets."""
        opener = self.role_opener(role)
        # the export controller logs its refusals as errors
        with mute_logger("odoo.http", "odoo.sql_db", "odoo.addons.web.controllers.export"):
            if data is None:
                response = opener.get(self.base_url() + path, timeout=60)
            else:
                data = dict(data, csrf_token=self.csrf_token(role))
                response = opener.post(self.base_url() + path, data=data, timeout=60)
        self.env.invalidate_all()
        self.assertNoSecret(role, response.text, f"{role}: {path}")
        return response

    def forged(self, record, name):
        """A value for the field that differs from the record's (None: the
        field cannot be forged this way)."""
        field = record._fields[name]
        current = record.sudo()[name]
        kind = field.type
        if kind in ("char", "text"):
            return FORGED_TEXT
        if kind == "html":
            return f"<p>{FORGED_TEXT}</p>"
        if kind == "selection":
            options = [value for value, _label in field._description_selection(self.env)]
            others = [value for value in options if value != current]
            return others[-1] if others else None
        if kind == "integer":
            return (current or 0) + 4242
        if kind in ("float", "monetary"):
            return (current or 0.0) + 4242.0
        if kind == "boolean":
            return not current
        if kind == "date":
            return "2031-01-02"
        if kind == "datetime":
            return "2031-01-02 03:04:05"
        if kind == "many2one":
            other = (
                self.env[field.comodel_name]
                .sudo()
                .with_context(active_test=False)
                .search([("id", "!=", current.id)], limit=1, order="id desc")
            )
            return other.id or None
        return None

    def role_name(self, role):
        return role if isinstance(role, str) else role.login

    # ----------------------------------------------------------------- secrets
    def current_secrets(self):
        """The values of every credential field of the suite now."""
        values = set()
        for model_name, name in credential_fields(self.env):
            Model = self.env[model_name]
            if not getattr(Model._fields[name], "credential", False) or Model._transient:
                continue
            for value in Model.sudo().with_context(active_test=False).search([]).mapped(name):
                if value and len(str(value)) >= 6:
                    values.add(str(value))
        return values

    def refresh_secrets(self):
        self._secret_values |= self.current_secrets()

    def assertNoSecret(self, role, text, where):
        """No credential in what a role other than Administrator gets."""
        if self.role_name(role) in ("administrator", "admin") or not text:
            return
        for secret in self._secret_values:
            if secret in text:
                self.fail(f"{where}: the answer contains a credential ({secret[:4]}…)")

    # ---------------------------------------------------------------- asserts
    def assertRefused(self, answer, msg=None):
        self.assertTrue(
            answer.refused,
            f"{msg + ': ' if msg else ''}expected a refusal (AccessError, UserError or "
            f"ValidationError), got {answer.describe()}",
        )

    def assertAccepted(self, answer, msg=None):
        self.assertTrue(answer.ok, f"{msg + ': ' if msg else ''}{answer.describe()}")
        return answer.result

    def snapshot(self, records, names=None):
        """The stored values of ``records`` (as superuser), to compare."""
        records = records.sudo().with_context(active_test=False).exists()
        records.invalidate_recordset()
        if names is None:
            names = [
                name
                for name, field in records._fields.items()
                if field.store
                and field.type not in ("binary", "one2many")
                and name not in ("write_date", "write_uid", "message_main_attachment_id")
            ]
        return {row["id"]: row for row in records.read(names)}

    def watched_domains(self):
        """Which records system_state() looks at: those of the test store."""
        orders = (
            self.order_new
            | self.order_assembly
            | self.order_assembled
            | self.order_waybill
            | self.order_other
            | self.order_unassigned
        )
        admin_groups = (
            self.env.ref("base.group_system")
            | self.env.ref("base.group_erp_manager")
            | self.env.ref("access_roles.group_role_administrator")
            | self.env.ref("base.group_allow_export")
        )
        return {
            "sale.order": [("id", "in", orders.ids)],
            "stock.picking": [("sale_id", "in", orders.ids)],
            "sale.order.stage.history": [("order_id", "in", orders.ids)],
            "account.move": [
                ("id", "in", (self.invoice_own | self.invoice_other | self.invoice_lonely).ids)
            ],
            "purchase.order": [],
            "res.company": [("id", "=", self.company.id)],
            "res.groups": [("id", "in", admin_groups.ids)],
            "novaposhta.account": [("id", "=", self.np_account.id)],
        }

    def system_state(self):
        """The facts WATCHED, on the records of the test store, and how many
        records each watched model has: what a side door would change."""
        state = {}
        domains = self.watched_domains()
        for model_name, names in WATCHED.items():
            Model = self.env[model_name].sudo().with_context(active_test=False)
            names = [name for name in names if name in Model._fields]
            Model.invalidate_model()
            domain = domains.get(model_name, [])
            for row in Model.search_read(domain, names, order="id"):
                state[(model_name, row.pop("id"))] = row
            state[(model_name, "count")] = {"records": Model.search_count([])}
        return state

    @staticmethod
    def state_diff(before, after):
        """Human-readable differences between two system_state()s."""
        diffs = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in before:
                diffs.append(f"{key[0]} {key[1]} created {after[key]}")
            elif key not in after:
                diffs.append(f"{key[0]} {key[1]} deleted")
            else:
                for name, value in after[key].items():
                    if before[key].get(name) != value:
                        diffs.append(
                            f"{key[0]} {key[1]}.{name}: {before[key].get(name)!r} → {value!r}"
                        )
        return diffs

    @contextlib.contextmanager
    def rolled_back(self):
        """Whatever the calls inside change is undone afterwards (each attack
        starts from the same store)."""
        registry = self.env.registry
        sequences = dict(registry.cache_sequences)
        savepoint = self.cr.savepoint()
        try:
            yield
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            # Caches a request invalidated were filled again from data that
            # is now rolled back: empty them (and do not signal it again).
            names = {
                name for name, seq in registry.cache_sequences.items() if sequences.get(name) != seq
            }
            names |= set(registry.cache_invalidated)
            if names:
                registry.clear_cache(*names)
                registry.cache_invalidated.difference_update(names)

    # ------------------------------------------------------------------ misc
    def can(self, role, model_name, operation):
        """Whether the role's access rights allow ``operation`` on the model."""
        return (
            self.env["ir.model.access"]
            .with_user(self.users[role])
            .check(model_name, operation, raise_exception=False)
        )

    def readable(self, role, records):
        """The part of ``records`` the role may read (rights and rules)."""
        if not self.can(role, records._name, "read"):
            return records.browse()
        return records.with_user(self.users[role])._filtered_access("read").sudo()

    @staticmethod
    def decode(datas):
        try:
            return base64.b64decode(datas or b"").decode("utf-8", "replace")
        except (ValueError, TypeError):
            return ""
