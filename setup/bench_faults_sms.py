#!/usr/bin/env python3
"""Fault benchmark of SMS Club: customer messages sent exactly once while SMS Club misbehaves.

Creates (or takes with --db) a database with the suite, starts the fake SMS Club of the
addon's tests (sms_club/tests/fake_smsclub.py) with faults drawn at random on about 30 %
of its calls (seeded): processed-then-timeout, late processing, hang, connection reset,
429, 500/502/503, malformed JSON, empty body, HTML page at HTTP 200, and SMS Club's own
refusals (invalid number, not enough money, unknown alpha name, a 400 with its reason).
SMS Club has no request that deletes or cancels a message, so there is no lost answer
on delete here. Then it starts Odoo as a real server in multi-worker mode
(--workers 2 --max-cron-threads 2) with the scheduled actions of the SMS queue and of
the SMS Club poller every minute, and plays people clicking over JSON-RPC
(/web/session/authenticate + /web/dataset/call_kw):

  - two Sales Managers (the demo user "sales") send N customer messages from the
    contacts' chatter (the SMS composer), half to customers who prefer SMS, half to
    customers who prefer Viber, then SMS; each message goes into Odoo's SMS queue and
    is sent by the queue's scheduled action;
  - an Administrator (the demo user "administrator") keeps clicking "Re-check with
    SMS Club" on the messages of unknown outcome and "Check delivery now" on sent ones,
    racing the poller on the same records.

It waits until every message is settled (or --settle-timeout) and reports the
operations, the calls SMS Club received (and the faults injected), the duplicates at
SMS Club (the same Odoo message accepted twice: must be 0), the operations lost (not at
SMS Club although Odoo says sent, at SMS Club although Odoo says failed, or never
settled: must be 0), the messages SMS Club refused (its own business errors), the
messages left for a person (outcome unknown and no id to ask SMS Club about), and the
time to settle. Exits non-zero when duplicates or lost are not 0.

Usage: setup/bench_faults_sms.py [--db sms_faults_bench] [--template suite_tpl]
                                 [--ops 1000] [--fault-ratio 0.3] [--seed 7]
                                 [--settle-timeout 420] [--timeout 1.0]
"""

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_PATH = os.path.join(ROOT, "sms_club", "tests", "fake_smsclub.py")
ADDONS = ("sms_club",)
SETTLED = ("sent", "delivered", "expired", "undeliverable", "rejected", "failed", "unknown")
PENDING = ("queued", "sending", "checking")


def fail(message):
    print(f"setup/bench_faults_sms.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import psycopg2

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    fail(
        "Odoo 18 is not importable (python3 -c 'import odoo' fails). Install Odoo 18.0 "
        "Community so that `import odoo` works (see README, Prerequisites)."
    )
if odoo.release.version_info[0] != 18:
    fail(f"Odoo 18 is required, found {odoo.release.version}.")


def load_fake():
    spec = importlib.util.spec_from_file_location("sms_club_fake_smsclub", FAKE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def addons_path():
    odoo_addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    return ",".join([ROOT, os.path.join(ROOT, "tests"), odoo_addons])


def db_args():
    args = []
    for env_name, option in (
        ("PGHOST", "--db_host"),
        ("PGPORT", "--db_port"),
        ("PGUSER", "--db_user"),
    ):
        if os.environ.get(env_name):
            args.append(f"{option}={os.environ[env_name]}")
    if os.environ.get("PGPASSWORD"):
        args.append(f"--db_password={os.environ['PGPASSWORD']}")
    return args


def pg_connect(dbname):
    kwargs = {"dbname": dbname}
    for env_name, key in (
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
    ):
        if os.environ.get(env_name):
            kwargs[key] = os.environ[env_name]
    try:
        return psycopg2.connect(**kwargs)
    except psycopg2.OperationalError as error:
        fail(f"PostgreSQL is not reachable ({error}). Start it, or set PGHOST/PGPORT/PGUSER.")


def database_exists(name):
    conn = pg_connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return bool(cr.fetchone())
    finally:
        conn.close()


def create_database(name, template):
    """A copy of ``template``, or a new database with the suite and its demo data."""
    if template:
        if not database_exists(template):
            fail(f"template database {template} does not exist")
        conn = pg_connect("postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            conn.close()
        return
    print(f"installing {', '.join(ADDONS)} with demo data into {name} (a few minutes)…")
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        name,
        f"--addons-path={addons_path()}",
        *db_args(),
        "-i",
        ",".join(ADDONS),
        "--stop-after-init",
        "--log-level=warn",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        fail(f"installing the suite into {name} failed")


def update_if_needed(name):
    """Bring the addon's tables up to its code when the database holds an
    older version of it (e.g. a copy of an older template)."""
    manifest = os.path.join(ROOT, "sms_club", "__manifest__.py")
    with open(manifest, encoding="utf-8") as handle:
        wanted = eval(handle.read())["version"]  # noqa: S307 - our own manifest
    conn = pg_connect(name)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT latest_version, state FROM ir_module_module WHERE name = 'sms_club'")
            row = cr.fetchone()
    finally:
        conn.close()
    if not row or row[1] != "installed":
        fail(f"sms_club is not installed in {name}")
    if row[0] == wanted:
        return
    print(f"updating sms_club in {name} ({row[0]} → {wanted})…")
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        name,
        f"--addons-path={addons_path()}",
        *db_args(),
        "-u",
        "sms_club",
        "--stop-after-init",
        "--log-level=warn",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        fail(f"updating sms_club in {name} failed")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ preparation
def prepare(dbname, fake_url, token, ops, timeout, run_tag):
    """SMS Club on the main company (pointed at the fake), the crons every
    minute, N customers with their own number and channel."""
    config.parse_config([f"--addons-path={addons_path()}", "--log-level=warn", *db_args()])
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "sms.club.message" not in env:
            fail(f"sms_club is not installed in {dbname}")
        for login in ("sales", "administrator"):
            if not env["res.users"].search_count([("login", "=", login)]):
                fail(f"the demo user {login!r} is missing: use a database with demo data")
        company = env.ref("base.main_company")
        Sender = env["sms.club.sender"].with_context(active_test=False)
        senders = {}
        for kind, name in (("sms", "MyShop"), ("viber", "MyShopViber")):
            sender = Sender.search(
                [("company_id", "=", company.id), ("kind", "=", kind), ("name", "=", name)]
            )
            senders[kind] = sender or Sender.create(
                {"name": name, "kind": kind, "company_id": company.id}
            )
            senders[kind].active = True
        company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": fake_url,
                "smsclub_token": token,
                "smsclub_timeout": timeout,
                "smsclub_sms_sender_id": senders["sms"].id,
                "smsclub_viber_sender_id": senders["viber"].id,
                "order_flow_default_channel": "sms",
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
            }
        )
        for xmlid in ("sms.ir_cron_sms_scheduler_action", "sms_club.ir_cron_smsclub_poll"):
            env.ref(xmlid).write({"active": True, "interval_number": 1, "interval_type": "minutes"})
        # earlier runs' messages must not be sent again through this run's fake
        env["sms.sms"].search([("state", "=", "outgoing")]).write({"state": "canceled"})
        env["sms.club.message"].search([("state", "in", PENDING)]).write(
            {"state": "failed", "failure_reason": "earlier benchmark run"}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench customer {run_tag}-{i:04d}",
                    "mobile": f"+38050{(run_tag * 10000 + i) % 10000000:07d}",
                    "order_notify_channel": "sms" if i % 2 == 0 else "viber_sms",
                    "lang": "en_US",
                }
                for i in range(ops)
            ]
        )
        cr.commit()
        return partners.ids


# ---------------------------------------------------------------- JSON-RPC people
class Session:
    """A person's browser session: JSON-RPC over HTTP with its cookie."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.rpc("/web/session/authenticate", {"db": db, "login": login, "password": password})

    def rpc(self, path, params):
        data = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            error = answer["error"].get("data", {})
            raise RuntimeError(f"{error.get('name')}: {error.get('message')}")
        return answer["result"]

    def call(self, model, method, args, kwargs=None):
        return self.rpc(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


def wait_for_server(url, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail("the Odoo server stopped while starting (see its log)")
        try:
            with urllib.request.urlopen(url + "/web/login", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    fail("the Odoo server did not start in time")


def sales_clicks(url, db, partner_ids, texts, errors):
    session = Session(url, db, "sales", "sales")
    for partner_id in partner_ids:
        context = {
            "active_model": "res.partner",
            "active_id": partner_id,
            "active_ids": [partner_id],
            "default_composition_mode": "comment",
        }
        try:
            composer = session.call(
                "sms.composer", "create", [{"body": texts[partner_id]}], {"context": context}
            )
            session.call("sms.composer", "action_send_sms", [[composer]], {"context": context})
        except (RuntimeError, OSError) as error:
            errors.append(f"sales: {error}")


def admin_clicks(url, db, stop, counter, errors):
    """The administrator re-checks messages of unknown outcome and checks
    delivery of sent ones, while the poller does the same."""
    session = Session(url, db, "administrator", "administrator")
    while not stop.is_set():
        try:
            for states, method in (
                (["unknown", "checking"], "action_recheck"),
                (["sent"], "action_check_state"),
            ):
                ids = session.call(
                    "sms.club.message",
                    "search",
                    [[("state", "in", states)]],
                    {"limit": 20, "order": "write_date desc"},
                )
                if ids:
                    session.call("sms.club.message", method, [ids])
                    counter[method] += 1
        except (RuntimeError, OSError) as error:
            counter["refused"] += 1
            if "SMS Club" not in str(error):  # an SMS Club failure told to the user is fine
                errors.append(f"administrator: {error}")
        stop.wait(2.0)


def trigger_crons(dbname):
    conn = pg_connect(dbname)
    try:
        with conn, conn.cursor() as cr:
            cr.execute(
                """INSERT INTO ir_cron_trigger (cron_id, call_at)
                   SELECT res_id, now() AT TIME ZONE 'UTC' FROM ir_model_data
                    WHERE model = 'ir.cron' AND (module, name) IN
                          (('sms', 'ir_cron_sms_scheduler_action'),
                           ('sms_club', 'ir_cron_smsclub_poll'))"""
            )
            cr.execute("NOTIFY cron_trigger, %s", [dbname])
    finally:
        conn.close()


def states(dbname, partner_ids):
    conn = pg_connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT partner_id, state, phone, failure_reason FROM sms_club_message
                    WHERE partner_id = ANY(%s)""",
                [list(partner_ids)],
            )
            return cr.fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sms_faults_bench"))
    parser.add_argument("--template", help="copy this database (with the suite) if --db is new")
    parser.add_argument("--ops", type=int, default=1000, help="customer messages to send")
    parser.add_argument("--fault-ratio", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1.0, help="client timeout (s)")
    parser.add_argument("--settle-timeout", type=float, default=420.0)
    parser.add_argument("--keep-log", action="store_true", help="keep the server log")
    args = parser.parse_args()

    if not database_exists(args.db):
        create_database(args.db, args.template)
    update_if_needed(args.db)
    fake_module = load_fake()
    fake = fake_module.FakeSmsClub(
        slow_seconds=args.timeout * 1.5, hang_seconds=args.timeout * 1.5
    ).start()
    run_tag = int(time.time()) % 900 + 1
    partner_ids = prepare(args.db, fake.url, fake_module.TOKEN, args.ops, args.timeout, run_tag)
    texts = {pid: f"Bench {run_tag} message {i}" for i, pid in enumerate(partner_ids)}
    fake.random_faults(args.fault_ratio, seed=args.seed)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="bench_faults_sms_", suffix=".log", delete=False)
    log.close()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            args.db,
            f"--addons-path={addons_path()}",
            *db_args(),
            "--workers=2",
            "--max-cron-threads=2",
            f"--http-port={port}",
            f"--gevent-port={free_port()}",
            "--log-level=warn",
            f"--logfile={log.name}",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(url, server)
        report = run(args, url, fake, partner_ids, texts)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        fake.stop()
    with open(log.name, encoding="utf-8", errors="replace") as handle:
        server_errors = sum(1 for line in handle if " ERROR " in line or " CRITICAL " in line)
    print(f"server log                {log.name} ({server_errors} ERROR lines)")
    if not args.keep_log and not server_errors:
        os.unlink(log.name)
    if report["duplicates"] or report["lost"]:
        sys.exit(1)


def run(args, url, fake, partner_ids, texts):
    errors = []
    counter = Counter()
    stop = threading.Event()
    admin = threading.Thread(target=admin_clicks, args=(url, args.db, stop, counter, errors))
    admin.start()
    start = time.monotonic()
    halves = [partner_ids[0::2], partner_ids[1::2]]
    people = [
        threading.Thread(target=sales_clicks, args=(url, args.db, half, texts, errors))
        for half in halves
    ]
    for person in people:
        person.start()
    for person in people:
        person.join()
    clicked = time.monotonic()
    print(f"clicks done in {clicked - start:.0f} s; waiting for the messages to settle…")
    settled_at = None
    while time.monotonic() - clicked < args.settle_timeout:
        rows = states(args.db, partner_ids)
        pending = sum(1 for _p, state, _ph, _r in rows if state in PENDING)
        if len(rows) >= len(partner_ids) - len(errors) and not pending:
            settled_at = time.monotonic()
            break
        trigger_crons(args.db)
        time.sleep(5)
    stop.set()
    admin.join()
    fake.wait_idle(10)
    return report(args, fake, partner_ids, texts, errors, counter, start, clicked, settled_at)


def report(args, fake, partner_ids, texts, errors, counter, start, clicked, settled_at):
    rows = {
        partner: (state, phone, reason)
        for partner, state, phone, reason in states(args.db, partner_ids)
    }
    accepted = Counter((phone, text) for _kind, phone, text in fake.sent())
    outcome = Counter()
    for partner_id in partner_ids:
        state, phone, _reason = rows.get(partner_id, (None, None, None))
        at_vendor = accepted.get((phone, texts[partner_id]), 0)
        if at_vendor > 1:
            outcome["duplicates"] += 1
        if state is None or state in PENDING:
            outcome["lost"] += 1
        elif state == "unknown":
            outcome[f"left for a person ({'at' if at_vendor else 'not at'} SMS Club)"] += 1
        elif state == "failed":
            outcome["refused by SMS Club" if not at_vendor else "lost"] += 1
        elif at_vendor == 1:
            outcome["sent once"] += 1
        else:
            outcome["lost"] += 1
    paths = Counter(fake.paths())
    statuses = Counter(str(status) for status in fake.statuses())
    settle = (
        f"{settled_at - clicked:.0f} s" if settled_at else f"not within {args.settle_timeout:.0f} s"
    )
    lines = [
        ("operations (customer messages)", f"{len(partner_ids)} (half SMS, half Viber then SMS)"),
        ("clicking time", f"{clicked - start:.0f} s"),
        ("time to settle", settle),
        (
            "SMS Club calls",
            f"{sum(paths.values())}: "
            + ", ".join(f"{path} {count}" for path, count in sorted(paths.items())),
        ),
        ("answers", ", ".join(f"{s} {c}" for s, c in sorted(statuses.items()))),
        ("faults injected", ", ".join(f"{k} {v}" for k, v in sorted(fake.faults_done.items()))),
        ("429 from the rate limit", str(fake.too_many)),
        ("administrator clicks", ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))),
        ("people's clicks refused", str(len(errors))),
        ("sent once", str(outcome["sent once"])),
        ("refused by SMS Club", str(outcome["refused by SMS Club"])),
    ]
    for key in sorted(outcome):
        if key.startswith("left for a person"):
            lines.append((key, str(outcome[key])))
    lines += [
        ("duplicates at SMS Club", f"{outcome['duplicates']} (must be 0)"),
        ("operations lost", f"{outcome['lost']} (must be 0)"),
    ]
    width = max(len(label) for label, _value in lines)
    print()
    print(
        f"SMS Club fault benchmark: {args.ops} operations, {args.fault_ratio:.0%} faults, "
        f"seed {args.seed}"
    )
    for label, value in lines:
        print(f"  {label:<{width}}  {value}")
    for error in errors[:5]:
        print(f"  refused click: {error}")
    return outcome


if __name__ == "__main__":
    main()
