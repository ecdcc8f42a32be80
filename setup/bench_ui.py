#!/usr/bin/env python3
"""Benchmark: the speed a Sales Manager feels with 20,000 orders, in a real browser.

Fills a database with 20,000 orders spread over the order statuses and the
salespeople (most of them the demo Sales Manager's, `sales`; some unassigned,
which the Sales Manager sees too; the rest other people's), serves it with
Odoo's HTTP server, signs in as `sales` through /web/login in a headless
Chromium driven over the Chrome DevTools Protocol, and opens three screens:

  pipeline kanban   the order flow's "Order pipeline" (orders grouped by status)
  orders list       Sales > Orders
  order form        the first order of that list

each `--repeat` times in two ways:

  page load   a new page of the screen's address (as a link or F5): the web
              client starts, then the screen loads and renders; timed from the
              navigation start (Navigation Timing) to the screen's content in
              the page (the first cards, rows or order lines) and painted;
  in app      the screen opened from another screen of the running web client
              (menu action, or a click on the list row for the form): timed
              from the click to the content painted.

It prints the median and maximum of each (target: under 1 s), the time of the
web client alone (/odoo), how many cards, rows or lines each screen shows,
and, per screen, the server calls the browser made with their time in the
browser and, from the server log, their SQL queries, SQL time and the rest of
the server time; and the machine's load average, since the browser and Odoo
share its cores with whatever else runs. It measures; it asserts nothing, and
it is no part of the test run (setup/test).

Odoo runs with --workers 0 (threaded, its websocket served too) or with
--workers 2 as in production but without the reverse proxy that sends
/websocket to the gevent port: the web client's websocket is then refused
(ERROR lines in the server log that do not concern the measured screens).

Database: --db (default bn_ui) is used as it is when it exists (--update
brings it to this code first); otherwise it is a copy of --from-template
(default suite_base when the option is given without a name) updated to this
code, or a new database with the suite, its demo data and Ukrainian. Orders are
added once (marked `BN-UI-…` in the customer reference); a second run reuses
them.

Usage: setup/bench_ui.py [--db bn_ui] [--from-template [suite_base]] [--orders 20000]
                         [--repeat 5] [--http-port 18250] [--workers 0]
                         [--server-log-level info] [--chromium /usr/bin/chromium]
"""

import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_faults_common as common  # noqa: E402  (a sibling module of setup/)

SUITE = "access_roles,crm_order_flow,delivery_novaposhta,sms_club,fiscal_ua"
MARK = "BN-UI-"
LOGIN = "sales"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 1000.0
PIPELINE_ACTION = "crm_order_flow.sale_order_action_pipeline"
ORDERS_ACTION = "sale.action_orders"
# Share of the orders per status code (percent); the statuses an administrator
# added get 1 each. An established store: most orders done or cancelled, about
# a third still moving.
STAGE_WEIGHTS = {
    "new": 3,
    "availability_confirmed": 2,
    "offer_replacement": 1,
    "ready_to_wait": 1,
    "awaiting_arrival": 1,
    "agreed": 3,
    "to_assembly": 2,
    "assembling": 2,
    "assembled": 2,
    "to_delivery": 2,
    "ready_for_pickup": 2,
    "delivering": 4,
    "delivery_postponed": 1,
    "at_pickup_point": 2,
    "done": 52,
    "partially_done": 3,
    "cancelled": 12,
    "returned": 5,
}
SURNAMES = ["Петренко", "Коваль", "Шевченко", "Бондаренко", "Ткаченко", "Кравець", "Мельник"]
FIRST_NAMES = ["Олена", "Андрій", "Ірина", "Тарас", "Марта", "Богдан", "Наталія", "Сергій"]

# What shows that a screen has its content: the first kanban card, list row or
# order line of the view controller (not of a list inside a form).
SCREENS = {
    "kanban": (
        "pipeline kanban",
        ".o_view_controller.o_kanban_view .o_kanban_record:not(.o_kanban_ghost)",
    ),
    "list": ("orders list", ".o_view_controller.o_list_view .o_list_renderer .o_data_row"),
    "form": (
        "order form",
        '.o_view_controller.o_form_view .o_field_widget[name="order_line"] .o_data_row',
    ),
    "home": ("web client alone (/odoo)", ".o_action_manager > *"),
}

# Run in each new page before its own scripts: notes when the screen's content
# first appears (performance.now() counts from the navigation start) and when
# the next frame is painted after it.
COLD_SCRIPT = """
(() => {
    const selector = %s;
    const observer = new MutationObserver(() => {
        if (window.__benchRendered === undefined && document.querySelector(selector)) {
            window.__benchRendered = performance.now();
            observer.disconnect();
            requestAnimationFrame(() => { window.__benchPainted = performance.now(); });
        }
    });
    observer.observe(document, {childList: true, subtree: true});
})();
"""

# Run in the live web client: does `act` and measures until the content
# appears and the next frame is painted.
WARM_SCRIPT = """
(async () => {
    const selector = %s;
    if (document.querySelector(selector)) {
        throw new Error("already on screen before the click: " + selector);
    }
    const services = odoo.__WOWL_DEBUG__.root.env.services;
    const start = performance.now();
    const rendered = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            observer.disconnect();
            reject(new Error("not rendered within %d s: " + selector));
        }, %d * 1000);
        const observer = new MutationObserver(() => {
            if (document.querySelector(selector)) {
                observer.disconnect();
                clearTimeout(timer);
                resolve(performance.now());
            }
        });
        observer.observe(document.body, {childList: true, subtree: true});
        Promise.resolve()
            .then(() => { %s })
            .catch((error) => { observer.disconnect(); clearTimeout(timer); reject(error); });
    });
    const painted = await new Promise((resolve) => {
        requestAnimationFrame(() => resolve(performance.now()));
    });
    return {rendered: rendered - start, painted: painted - start};
})()
"""


class BenchError(RuntimeError):
    """A step of the measurement that did not work (the run stops with it)."""


def fail(message):
    common.fail(message)


# -------------------------------------------------------------- preconditions
def check_tools(chromium):
    """Odoo 18, websocket-client and a Chromium, or a clear message."""
    try:
        import odoo
    except ImportError:
        common.odoo_missing()
    common.check_odoo_version(odoo)
    try:
        import websocket  # noqa: F401
    except ImportError:
        fail(
            "the Python package websocket-client is missing (it drives Chromium): "
            "pip install websocket-client"
        )
    binary = shutil.which(chromium)
    if not binary and chromium == DEFAULT_CHROMIUM:
        for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
            binary = shutil.which(name)
            if binary:
                break
    if not binary:
        fail(
            f"Chromium is missing ({chromium} not found): on Debian "
            "`apt-get install chromium`, or give --chromium PATH."
        )
    result = subprocess.run([binary, "--version"], capture_output=True, text=True)
    if result.returncode:
        fail(f"{binary} --version failed: {result.stderr.strip()[-500:]}")
    return binary, result.stdout.strip()


# ------------------------------------------------------------------- database
def prepare_database(args):
    """The database as the options ask, then Odoo's configuration for it."""
    from odoo.tools import config

    if not common.database_exists(args.db):
        if args.from_template:
            print(f"Creating database {args.db} from {args.from_template}…", flush=True)
            common.copy_database(args.db, args.from_template)
            copy_filestore(args.from_template, args.db)
            print(f"Updating the suite in {args.db} to this code…", flush=True)
            common.odoo_cli(args.db, args.addons_path, "-u", SUITE)
        else:
            print(
                f"Creating database {args.db} with the suite, demo data and Ukrainian "
                "(a few minutes)…",
                flush=True,
            )
            # base first, so that uk_UA is added next to English (as setup/run does)
            common.odoo_cli(args.db, args.addons_path, "-i", "base")
            common.odoo_cli(args.db, args.addons_path, "-i", SUITE, "--load-language=uk_UA")
    elif args.update:
        print(f"Updating the suite in {args.db} to this code…", flush=True)
        common.odoo_cli(args.db, args.addons_path, "-u", SUITE)
    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn", *common.db_args()]
    )


def copy_filestore(template, db):
    """The template's attachments (images, documents) with its database."""
    from odoo.tools import config

    source = config.filestore(template)
    if os.path.isdir(source):
        shutil.copytree(source, config.filestore(db), dirs_exist_ok=True)


def populate(args):
    """Customers, two products, one order made by the ORM as a model and the
    missing orders copied from it in SQL, each with its status visit."""
    import odoo
    from odoo import Command, api
    from odoo.modules.registry import Registry

    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        sales = env["res.users"].search([("login", "=", LOGIN)])
        if not sales:
            fail(f"no user {LOGIN!r} in {args.db}: the suite's demo data is needed")
        existing = env["sale.order"].search_count(
            [("client_order_ref", "=like", f"{MARK}%"), ("client_order_ref", "!=", f"{MARK}SEED")]
        )
        missing = args.orders - existing
        if missing <= 0:
            print(f"{existing} benchmark orders already in {args.db}.", flush=True)
        else:
            started = time.perf_counter()
            print(f"Adding {missing} orders to {args.db}…", flush=True)
            company = sales.company_id
            seed = seed_order(env, sales, company, Command)
            partners = customers(env, company, max(args.orders // 10, 1))
            others = (
                env["res.users"].search(
                    [
                        ("share", "=", False),
                        ("company_ids", "in", company.id),
                        ("groups_id", "in", env.ref("sales_team.group_sale_salesman").id),
                    ]
                )
                - sales
            )
            rows = order_rows(env, args, existing, missing, sales, others, partners, seed)
            copy_orders(env, seed, rows)
            print(f"  … done in {time.perf_counter() - started:.0f} s", flush=True)
        cr.execute("ANALYZE sale_order")
        cr.execute("ANALYZE sale_order_line")
        cr.execute("ANALYZE sale_order_stage_history")
        cr.execute("ANALYZE res_partner")
        return facts(env, sales)


def seed_order(env, sales, company, command):
    """The order the benchmark orders are copied from (made once)."""
    order = env["sale.order"].search([("client_order_ref", "=", f"{MARK}SEED")])
    if order:
        return order
    products = env["product.product"].create(
        [
            {"name": "Електрочайник BN-UI", "list_price": 1250.0, "type": "consu"},
            {"name": "Фільтр для води BN-UI", "list_price": 340.0, "type": "consu"},
        ]
    )
    customer = env["res.partner"].create(
        {"name": "Оксана Петренко BN-UI", "mobile": "+380501234567", "customer_rank": 1}
    )
    order = (
        env["sale.order"]
        .with_company(company)
        .create(
            {
                "partner_id": customer.id,
                "user_id": sales.id,
                "client_order_ref": f"{MARK}SEED",
                "order_line": [
                    command.create({"product_id": products[0].id, "product_uom_qty": 1}),
                    command.create({"product_id": products[1].id, "product_uom_qty": 2}),
                ],
            }
        )
    )
    env.flush_all()
    return order


def customers(env, company, count):
    """The benchmark's customers (made once)."""
    partners = env["res.partner"].search([("ref", "=like", f"{MARK}%")], order="id")
    if len(partners) >= count:
        return partners[:count]
    vals = []
    for i in range(len(partners), count):
        first_name, surname = FIRST_NAMES[i % len(FIRST_NAMES)], SURNAMES[i % len(SURNAMES)]
        vals.append(
            {
                "name": f"{first_name} {surname} {i:04d}",
                "ref": f"{MARK}{i:05d}",
                "mobile": f"+38050{1000000 + i:07d}",
                "customer_rank": 1,
                "company_id": False,
            }
        )
    partners |= env["res.partner"].create(vals)
    env.flush_all()
    return partners


def order_rows(env, args, first, count, sales, others, partners, seed):
    """The values of each new order: status, Odoo state, salesperson, dates,
    payment."""
    rng = random.Random(args.seed + first)
    stages = env["sale.order.stage"].search([])
    weights = [STAGE_WEIGHTS.get(stage.code, 1) for stage in stages]
    now = datetime.datetime.now().replace(microsecond=0)
    total = seed.amount_total
    rows = []
    for i in range(first, first + count):
        stage = rng.choices(stages, weights)[0]
        group = stage.group_id.code
        final = stage.group_id.is_final
        if stage.code == "cancelled":
            state = "cancel"
        elif group in ("new", "approval"):
            state = "sent" if rng.random() < 0.2 else "draft"
        else:
            state = "sale"
        draw = rng.random()
        if draw < 0.75:
            user_id = sales.id
        elif draw < 0.85 or not others:
            user_id = None  # unassigned: the Sales Manager sees it too
        else:
            user_id = rng.choice(others).id
        age = datetime.timedelta(days=rng.uniform(3, 365) if final else rng.uniform(0, 10))
        date_order = now - age
        stage_date = min(date_order + datetime.timedelta(hours=rng.uniform(0, 72)), now)
        deadline = (
            stage_date + datetime.timedelta(minutes=stage.time_limit) if stage.time_limit else None
        )
        if group in ("assembly", "delivery", "done") or stage.code == "returned":
            paid = total if rng.random() < 0.85 else 0.0
        elif group == "approval":
            paid = rng.choice([0.0, 0.0, round(total / 2, 2), total])
        else:
            paid = 0.0
        payment = "not_paid" if not paid else ("paid" if paid >= total else "partial")
        partner = partners[i % len(partners)].id
        rows.append(
            (
                f"BN{i:05d}",
                f"{MARK}{i:05d}",
                partner,
                partner,
                partner,
                user_id,
                stage.id,
                stage.group_id.id,
                state,
                final and state == "sale",
                date_order,
                date_order,
                stage_date,
                stage_date,
                deadline,
                payment,
                paid,
            )
        )
    return rows


ORDER_COLUMNS = (
    ("name", "varchar"),
    ("client_order_ref", "varchar"),
    ("partner_id", "int"),
    ("partner_invoice_id", "int"),
    ("partner_shipping_id", "int"),
    ("user_id", "int"),
    ("stage_id", "int"),
    ("stage_group_id", "int"),
    ("state", "varchar"),
    ("locked", "boolean"),
    ("date_order", "timestamp"),
    ("create_date", "timestamp"),
    ("stage_date", "timestamp"),
    ("write_date", "timestamp"),
    ("stage_deadline", "timestamp"),
    ("order_payment_state", "varchar"),
    ("paid_amount", "numeric"),
)
# Columns of the model order that a copy must not share.
ORDER_CLEARED = (
    "access_token",
    "procurement_group_id",
    "signature",
    "signed_by",
    "signed_on",
    "message_main_attachment_id",
    "delivery_tracking_ref",
    "origin",
)


def table_columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s AND column_name != 'id' "
        "ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cr.fetchall()]


def copy_orders(env, seed, rows):
    """The orders as copies of the model order (its lines too) with the given
    values, and a status visit for each; in batches of 2,000."""
    from psycopg2.extras import execute_values

    cr = env.cr
    given = [name for name, _type in ORDER_COLUMNS]
    columns = table_columns(cr, "sale_order")
    select = [
        f"v.{name}" if name in given else ("NULL" if name in ORDER_CLEARED else f"s.{name}")
        for name in columns
    ]
    template = "(" + ", ".join(f"%s::{kind}" for _name, kind in ORDER_COLUMNS) + ")"
    insert_orders = (
        f"INSERT INTO sale_order ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM (VALUES %s) AS v({', '.join(given)}) "
        f"CROSS JOIN sale_order s WHERE s.id = {int(seed.id)} RETURNING id"
    )
    line_columns = table_columns(cr, "sale_order_line")
    line_given = {
        "order_id": "o.id",
        "state": "o.state",
        "salesman_id": "o.user_id",
        "order_partner_id": "o.partner_id",
        "create_date": "o.create_date",
        "write_date": "o.write_date",
        "qty_delivered": "0",
        "qty_invoiced": "0",
    }
    line_select = [line_given.get(name, f"l.{name}") for name in line_columns]
    insert_lines = (
        f"INSERT INTO sale_order_line ({', '.join(line_columns)}) "
        f"SELECT {', '.join(line_select)} FROM sale_order o "
        f"JOIN sale_order_line l ON l.order_id = {int(seed.id)} "
        "WHERE o.id = ANY(%s) ORDER BY o.id, l.sequence, l.id"
    )
    insert_visits = (
        "INSERT INTO sale_order_stage_history (order_id, company_id, salesperson_id, stage_id, "
        "stage_group_id, user_id, create_uid, write_uid, cause, date_in, create_date, write_date) "
        "SELECT o.id, o.company_id, o.user_id, o.stage_id, o.stage_group_id, "
        "COALESCE(o.user_id, %s), %s, %s, 'user', o.stage_date, o.stage_date, o.stage_date "
        "FROM sale_order o WHERE o.id = ANY(%s)"
    )
    batch = 2000
    for start in range(0, len(rows), batch):
        ids = [
            row[0]
            for row in execute_values(
                cr, insert_orders, rows[start : start + batch], template=template, fetch=True
            )
        ]
        cr.execute(insert_lines, [ids])
        cr.execute(insert_visits, [env.uid, env.uid, env.uid, ids])
        cr.commit()
        print(f"  … {start + len(ids)} orders", flush=True)
    env.invalidate_all()


def facts(env, sales):
    """What the Sales Manager sees, and the order the form opens (the first
    of the orders list)."""
    orders = env["sale.order"].with_user(sales).with_company(sales.company_id)
    list_domain = [("state", "not in", ("draft", "sent", "cancel"))]
    first = orders.search(list_domain, limit=1)
    return {
        "all": env["sale.order"].search_count([]),
        "visible": orders.search_count([]),
        "pipeline": orders.search_count([("stage_group_id.is_final", "=", False)]),
        "list": orders.search_count(list_domain),
        "form_id": first.id,
        "form_lines": len(first.order_line),
    }


# --------------------------------------------------------------------- server
def wait_http(url, process, what, logfile, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"{what} stopped at start; see {logfile}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return response.read()
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    fail(f"{what} did not answer within {timeout} s; see {logfile}")


def start_server(args, logfile):
    """Odoo's HTTP server for the database (no scheduled actions: they would
    run between the measurements)."""
    command = [sys.executable, "-m", "odoo"] if not args.workers else common.odoo_command()
    command += [
        "-d",
        args.db,
        f"--db-filter=^{args.db}$",
        f"--addons-path={args.addons_path}",
        *common.db_args(),
        "--http-interface=127.0.0.1",
        f"--http-port={args.http_port}",
        f"--gevent-port={args.http_port + 1}",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--limit-time-real=600",
        "--limit-time-cpu=300",
        f"--log-level={args.server_log_level}",
        f"--logfile={logfile}",
    ]
    if os.path.exists(logfile):
        os.remove(logfile)
    print(
        f"Starting Odoo ({args.workers} workers) on port {args.http_port}; log {logfile}",
        flush=True,
    )
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{args.http_port}"
    wait_http(f"{url}/web/login", process, "the Odoo server", logfile)
    return process, url


# -------------------------------------------------------------------- browser
class Chromium:
    """A headless Chromium with one page, driven over the DevTools Protocol.
    It keeps the server calls of the page (URL, time from request to the end
    of the answer) in ``calls``."""

    def __init__(self, binary, port, origin):
        import websocket

        self.origin = origin
        self.profile = tempfile.mkdtemp(prefix="bn_ui_chromium_")
        command = [
            binary,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
            "--disable-renderer-backgrounding",
            "--disable-breakpad",
            "--disable-translate",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            "--window-size=1440,900",
            "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={self.profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.ws = None
        debugger = f"http://127.0.0.1:{port}"
        wait_http(f"{debugger}/json/version", self.process, "Chromium", "its output", timeout=30)
        with urllib.request.urlopen(f"{debugger}/json/list", timeout=5) as response:
            targets = json.loads(response.read())
        pages = [target for target in targets if target.get("type") == "page"]
        if not pages:
            raise BenchError("Chromium shows no page to drive")
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], suppress_origin=True, timeout=60
        )
        self.next_id = 0
        self.pending = {}
        self.calls = []
        self.errors = []
        self.last_event = time.monotonic()
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")

    # -- protocol
    def send(self, method, timeout=60, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"Chromium did not answer {method} within {timeout} s")
            message = self._receive(remaining)
            if message and message.get("id") == ident:
                if "error" in message:
                    raise BenchError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def _receive(self, timeout):
        import websocket

        self.ws.settimeout(max(timeout, 0.001))
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if "method" in message:
            self._event(message["method"], message.get("params", {}))
        return message

    def _event(self, method, params):
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if self._tracked(url):
                self.pending[params["requestId"]] = (call_label(url), params["timestamp"])
                self.last_event = time.monotonic()
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            started = self.pending.pop(params["requestId"], None)
            if started:
                label, timestamp = started
                if method == "Network.loadingFailed":
                    label += " (failed)"
                self.calls.append((label, (params["timestamp"] - timestamp) * 1000))
                self.last_event = time.monotonic()
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(str(text)[:300])

    def _tracked(self, url):
        if not url.startswith(self.origin):
            return False
        path = url[len(self.origin) :]
        return not (
            path.startswith(("/web/assets/", "/web/static/", "/web/image", "/websocket"))
            or "/static/" in path
            or path.startswith("/favicon")
        )

    def evaluate(self, expression, await_promise=False, timeout=60):
        result = self.send(
            "Runtime.evaluate",
            timeout=timeout + 5,
            expression=expression,
            awaitPromise=await_promise,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BenchError(f"in the page: {text}")
        return result.get("result", {}).get("value")

    def poll(self, expression, timeout, what):
        """The value of ``expression`` once it is truthy (pages may change
        meanwhile: an evaluation in a page that is going away is retried)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression, timeout=10)
            except BenchError:
                value = None
            if value:
                return value
            self._receive(0.05)
        raise BenchError(f"{what}: not within {timeout} s")

    def settle(self, quiet=0.4, timeout=30):
        """Wait until no server call is running and none started for ``quiet``
        seconds (the calls that follow the content, e.g. the chatter's)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._receive(0.05)
            if not self.pending and time.monotonic() - self.last_event >= quiet:
                return
        self.pending.clear()

    def close(self):
        if self.ws:
            try:
                self.send("Browser.close", timeout=5)
            except Exception:  # noqa: BLE001  (it may close before answering)
                pass
            self.ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def call_label(url):
    """A server call's name: model.method for the ORM, the path otherwise."""
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    if path.startswith("web/dataset/call_kw/"):
        parts = path.split("/")
        return ".".join(parts[3:5]) if len(parts) >= 5 else path
    return "/" + path


# ---------------------------------------------------------------- measurement
def sign_in(browser, url, db, login):
    browser.send("Page.navigate", url=f"{url}/web/login?db={db}")
    browser.poll("!!document.querySelector('form.oe_login_form input[name=login]')", 60, "login")
    browser.evaluate(
        "(() => { const form = document.querySelector('form.oe_login_form');"
        f" form.querySelector('input[name=login]').value = {json.dumps(login)};"
        f" form.querySelector('input[name=password]').value = {json.dumps(login)};"
        " form.submit(); })()"
    )
    browser.poll(
        "location.pathname.startsWith('/odoo') && !!document.querySelector('.o_main_navbar')"
        " && !!(window.odoo && odoo.__WOWL_DEBUG__)",
        120,
        f"sign in as {login} (wrong password, or the web client does not start)",
    )
    browser.settle()


def page_load(browser, address, selector, timeout):
    """Open ``address`` as a new page; times from the navigation start."""
    script = browser.send(
        "Page.addScriptToEvaluateOnNewDocument", source=COLD_SCRIPT % json.dumps(selector)
    )["identifier"]
    try:
        browser.calls = []
        browser.send("Page.navigate", url=address)
        browser.poll("window.__benchRendered !== undefined", timeout, f"content of {address}")
        # the painted frame follows at once; a page without frames keeps the DOM time
        try:
            browser.poll("window.__benchPainted !== undefined", 2, "paint")
        except BenchError:
            pass
        timing = browser.evaluate(
            "JSON.stringify({rendered: window.__benchRendered,"
            " painted: window.__benchPainted || window.__benchRendered,"
            " nav: performance.getEntriesByType('navigation')[0].toJSON()})"
        )
    finally:
        browser.send("Page.removeScriptToEvaluateOnNewDocument", identifier=script)
    browser.settle()
    timing = json.loads(timing)
    nav = timing["nav"]
    return {
        "ms": timing["painted"],
        "items": count_items(browser, selector),
        "ttfb": nav["responseStart"],
        "dom": nav["domContentLoadedEventEnd"],
        "calls": list(browser.calls),
    }


def in_app(browser, selector, act, timeout, logfile):
    """Open a screen from the running web client; times from the click."""
    offset = log_size(logfile)
    browser.calls = []
    result = browser.evaluate(
        WARM_SCRIPT % (json.dumps(selector), timeout, timeout, act),
        await_promise=True,
        timeout=timeout,
    )
    browser.settle()
    return {
        "ms": result["painted"],
        "items": count_items(browser, selector),
        "calls": list(browser.calls),
        "server": server_calls(logfile, offset),
    }


def count_items(browser, selector):
    """How many cards, rows or order lines the screen shows."""
    return browser.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")


def do_action(xmlid):
    return f"return services.action.doAction({json.dumps(xmlid)}, {{clearBreadcrumbs: true}});"


CLICK_FIRST_ROW = (
    "const cell = document.querySelector("
    "'.o_view_controller.o_list_view .o_data_row .o_data_cell');"
    " if (!cell) { throw new Error('no row in the orders list'); } cell.click();"
)


def measure(browser, url, facts, repeat, timeout, logfile):
    """{screen: {"page load": [samples], "in app": [samples]}}: each screen
    loaded as a new page ``repeat`` times, then, in one page, the pipeline,
    the list and a click on its first row opened ``repeat`` times after one
    opening that is not counted (the browser compiles the views' code then)."""
    addresses = {
        "home": f"{url}/odoo",
        "kanban": f"{url}/odoo/action-{PIPELINE_ACTION}",
        "list": f"{url}/odoo/action-{ORDERS_ACTION}",
        "form": f"{url}/odoo/action-{ORDERS_ACTION}/{facts['form_id']}",
    }
    results = {key: {"page load": [], "in app": []} for key in SCREENS}
    for round_no in range(repeat):
        for key, address in addresses.items():
            results[key]["page load"].append(page_load(browser, address, SCREENS[key][1], timeout))
        print(f"  page loads {round_no + 1}/{repeat}", flush=True)
    page_load(browser, addresses["home"], SCREENS["home"][1], timeout)
    for round_no in range(repeat + 1):
        for key, act in (
            ("kanban", do_action(PIPELINE_ACTION)),
            ("list", do_action(ORDERS_ACTION)),
            ("form", CLICK_FIRST_ROW),
        ):
            sample = in_app(browser, SCREENS[key][1], act, timeout, logfile)
            if round_no:
                results[key]["in app"].append(sample)
        print(f"  in-app openings {round_no}/{repeat}", flush=True)
    return results


# --------------------------------------------------------------- server log
def server_calls(logfile, offset):
    """(label, SQL queries, SQL ms, other server ms) of each request the server
    logged after ``offset`` (Odoo's request lines at log level info)."""
    calls = []
    with open(logfile, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            if " werkzeug: " not in line or '"' not in line:
                continue
            try:
                request = line.split('"')[1]
                tail = line.rsplit('"', 1)[1].split()
                queries, sql_s, other_s = int(tail[-3]), float(tail[-2]), float(tail[-1])
            except (IndexError, ValueError):
                continue
            path = request.split(" ")[1] if " " in request else request
            calls.append((call_label(path), queries, sql_s * 1000, other_s * 1000))
    return calls


def log_size(logfile):
    return os.path.getsize(logfile) if os.path.exists(logfile) else 0


# ------------------------------------------------------------------- report
def ms(values):
    return f"{statistics.median(values):6.0f} / {max(values):6.0f}"


def verdict(values):
    return "yes" if statistics.median(values) < TARGET_MS else "NO"


def print_report(results, facts, args, chromium_version, machine_load):
    print()
    print(
        f"Sales Manager {LOGIN!r} sees {facts['visible']} of {facts['all']} orders: "
        f"{facts['pipeline']} open in the pipeline, {facts['list']} in the orders list; "
        f"the form shows order id {facts['form_id']} ({facts['form_lines']} lines)."
    )
    print(
        f"Odoo --workers={args.workers}, {os.cpu_count()} cores, {chromium_version}, "
        f"{args.repeat} openings each (median / max, ms; target < {TARGET_MS:.0f} ms)."
    )
    load_before, load_after = machine_load
    print(
        f"Load average (1 min) of the machine: {load_before:.1f} before, {load_after:.1f} after"
        + (
            f": other work shared the {os.cpu_count()} cores, the times are longer than on an "
            "idle machine"
            if max(load_before, load_after) > 1.0
            else ""
        )
        + "."
    )
    print()
    header = (
        f"{'screen':<26}{'page load':>17}{'in app':>17}   < 1 s (page load, in app)   items shown"
    )
    print(header)
    print("-" * len(header))
    for key, (title, _selector) in SCREENS.items():
        loads = [sample["ms"] for sample in results[key]["page load"]]
        warm = [sample["ms"] for sample in results[key]["in app"]]
        print(
            f"{title:<26}{ms(loads):>17}{ms(warm) if warm else '':>17}   "
            f"{verdict(loads) + (', ' + verdict(warm) if warm else ''):<28}"
            f"{max(sample['items'] for sample in results[key]['page load'])}"
        )
    print()
    print("Page load detail (median ms): first byte of the page, DOM ready, content painted")
    for key, (title, _selector) in SCREENS.items():
        samples = results[key]["page load"]
        print(
            f"  {title:<26}{statistics.median(s['ttfb'] for s in samples):7.0f}"
            f"{statistics.median(s['dom'] for s in samples):7.0f}"
            f"{statistics.median(s['ms'] for s in samples):7.0f}"
            f"   first opening {samples[0]['ms']:.0f}"
        )
    print_calls(results)


def print_calls(results):
    """Per screen opened in the app: each server call, its median time in the
    browser and, from the server log, its SQL queries, SQL and other time."""
    print()
    print(
        "Server calls per in-app opening (median): browser ms | SQL queries, SQL ms, "
        "other server ms (server log)"
    )
    for key, (title, _selector) in SCREENS.items():
        samples = results[key]["in app"]
        if not samples:
            continue
        print(f"  {title}:")
        durations = {}
        for sample in samples:
            for label, duration in sample["calls"]:
                durations.setdefault(label, []).append(duration)
        for label, values in sorted(durations.items(), key=lambda item: -max(item[1])):
            logged = [call for sample in samples for call in sample["server"] if call[0] == label]
            server = ""
            if logged:
                server = (
                    f"{statistics.median(c[1] for c in logged):6.0f} q"
                    f"{statistics.median(c[2] for c in logged):7.0f} ms"
                    f"{statistics.median(c[3] for c in logged):7.0f} ms"
                )
            per_open = len(values) / len(samples)
            print(f"    {label:<48}{statistics.median(values):7.0f} ms  x{per_open:<4.1f}{server}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "bn_ui"))
    parser.add_argument(
        "--from-template",
        nargs="?",
        const="suite_base",
        help="create a missing --db as a copy of this database (default suite_base)",
    )
    parser.add_argument("--update", action="store_true", help="update the suite in --db first")
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--http-port", type=int, default=18250)
    parser.add_argument("--debug-port", type=int, default=18252, help="Chromium's DevTools port")
    parser.add_argument("--workers", type=int, default=0, choices=(0, 2, 3, 4))
    parser.add_argument(
        "--server-log-level",
        default="info",
        help="info gives the SQL figures per call; debug_sql logs every query",
    )
    parser.add_argument("--timeout", type=int, default=60, help="seconds per opening at most")
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM)
    parser.add_argument("--addons-path")
    args = parser.parse_args()

    chromium, chromium_version = check_tools(args.chromium)
    args.addons_path = args.addons_path or common.default_addons_path()
    prepare_database(args)
    facts = populate(args)
    if not facts["form_id"]:
        fail(f"{LOGIN!r} sees no confirmed order to open in the form")

    logfile = os.path.join(tempfile.gettempdir(), f"bench_ui_{args.db}.log")
    server, url = start_server(args, logfile)
    browser = None
    try:
        browser = Chromium(chromium, args.debug_port, url)
        print(f"Signing in as {LOGIN} in Chromium…", flush=True)
        sign_in(browser, url, args.db, LOGIN)
        # the web client's assets are built at their first use after an update: not measured
        page_load(browser, f"{url}/odoo", SCREENS["home"][1], args.timeout)
        print(f"Opening each screen {args.repeat} times…", flush=True)
        load_before = os.getloadavg()[0]
        results = measure(browser, url, facts, args.repeat, args.timeout, logfile)
        load_after = os.getloadavg()[0]
    except BenchError as error:
        fail(f"{error} (server log: {logfile})")
    finally:
        if browser:
            browser.close()
        common.stop_server(server)
    print_report(results, facts, args, chromium_version, (load_before, load_after))
    if browser and browser.errors:
        print(f"\nErrors in the page: {len(browser.errors)}; first: {browser.errors[0]}")
    print(f"\nserver log: {logfile} ({common.server_errors(logfile)} ERROR lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
