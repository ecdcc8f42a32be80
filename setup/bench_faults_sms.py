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

import os
import sys
import tempfile
import threading
import time
from collections import Counter

import bench_faults_common as common
from bench_faults_common import Person, fail

ROOT = common.ROOT
FAKE_PATH = os.path.join(ROOT, "sms_club", "tests", "fake_smsclub.py")
ADDONS = ("sms_club",)
SETTLED = ("sent", "delivered", "expired", "undeliverable", "rejected", "failed", "unknown")
PENDING = ("queued", "sending", "checking")
CRONS = ("sms.ir_cron_sms_scheduler_action", "sms_club.ir_cron_smsclub_poll")

try:
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    common.odoo_missing()
common.check_odoo_version(odoo)


def create_database(name, template, addons_path):
    """A copy of ``template``, or a new database with the suite and its demo data."""
    if template:
        common.copy_database(name, template)
        return
    print(f"installing {', '.join(ADDONS)} with demo data into {name} (a few minutes)…")
    common.odoo_cli(
        name,
        addons_path,
        "-i",
        ",".join(ADDONS),
        failure=f"installing the suite into {name} failed",
    )


def update_if_needed(name, addons_path):
    """Bring the addon's tables up to its code when the database holds an
    older version of it (e.g. a copy of an older template)."""
    manifest = os.path.join(ROOT, "sms_club", "__manifest__.py")
    with open(manifest, encoding="utf-8") as handle:
        wanted = eval(handle.read())["version"]  # noqa: S307 - our own manifest
    conn = common.pg_connect(name)
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
    common.odoo_cli(
        name, addons_path, "-u", "sms_club", failure=f"updating sms_club in {name} failed"
    )


# ------------------------------------------------------------------ preparation
def prepare(dbname, addons_path, fake_url, token, ops, timeout, run_tag):
    """SMS Club on the main company (pointed at the fake), the crons every
    minute, N customers with their own number and channel."""
    config.parse_config([f"--addons-path={addons_path}", "--log-level=warn", *common.db_args()])
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
        common.fast_crons(env, CRONS)
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
        return registry, partners.ids


# ---------------------------------------------------------------- JSON-RPC people
def sales_clicks(url, db, partner_ids, texts, errors):
    session = Person(url, db, "sales", "sales", timeout=120)
    for partner_id in partner_ids:
        context = {
            "active_model": "res.partner",
            "active_id": partner_id,
            "active_ids": [partner_id],
            "default_composition_mode": "comment",
        }
        try:
            composer = session.call(
                "sms.composer", "create", {"body": texts[partner_id]}, context=context
            )
            session.call("sms.composer", "action_send_sms", [composer], context=context)
        except (RuntimeError, OSError) as error:
            errors.append(f"sales: {error}")


def admin_clicks(url, db, stop, counter, errors):
    """The administrator re-checks messages of unknown outcome and checks
    delivery of sent ones, while the poller does the same."""
    session = Person(url, db, "administrator", "administrator", timeout=120)
    while not stop.is_set():
        try:
            for states, method in (
                (["unknown", "checking"], "action_recheck"),
                (["sent"], "action_check_state"),
            ):
                ids = session.call(
                    "sms.club.message",
                    "search",
                    [("state", "in", states)],
                    limit=20,
                    order="write_date desc",
                )
                if ids:
                    session.call("sms.club.message", method, ids)
                    counter[method] += 1
        except (RuntimeError, OSError) as error:
            counter["refused"] += 1
            if "SMS Club" not in str(error):  # an SMS Club failure told to the user is fine
                errors.append(f"administrator: {error}")
        stop.wait(2.0)


def states(dbname, partner_ids):
    conn = common.pg_connect(dbname)
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
    parser = common.parser(
        __doc__.split("\n\n")[0],
        db="sms_faults_bench",
        seed=7,
        settle_timeout=420.0,
        ops_help="customer messages to send",
        template_help="copy this database (with the suite) if --db is new",
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("--timeout", type=float, default=1.0, help="client timeout (s)")
    parser.add_argument("--keep-log", action="store_true", help="keep the server log")
    args = parser.parse_args()
    addons_path = common.default_addons_path()

    if not common.database_exists(args.db):
        create_database(args.db, args.template, addons_path)
    update_if_needed(args.db, addons_path)
    fake_module = common.load_module("sms_club_fake_smsclub", FAKE_PATH)
    fake = fake_module.FakeSmsClub(
        slow_seconds=args.timeout * 1.5, hang_seconds=args.timeout * 1.5
    ).start()
    run_tag = int(time.time()) % 900 + 1
    registry, partner_ids = prepare(
        args.db, addons_path, fake.url, fake_module.TOKEN, args.ops, args.timeout, run_tag
    )
    texts = {pid: f"Bench {run_tag} message {i}" for i, pid in enumerate(partner_ids)}
    fake.random_faults(args.fault_ratio, seed=args.seed)

    log = tempfile.NamedTemporaryFile(prefix="bench_faults_sms_", suffix=".log", delete=False)
    log.close()
    server, url = common.start_server(
        args.db, addons_path, common.free_port(), log.name, limit_time_cpu=600
    )
    try:
        report = run(args, registry, url, fake, partner_ids, texts)
    finally:
        common.stop_server(server)
        fake.stop()
    server_errors = common.server_errors(log.name)
    print(f"server log                {log.name} ({server_errors} ERROR lines)")
    if not args.keep_log and not server_errors:
        os.unlink(log.name)
    if report["duplicates"] or report["lost"]:
        sys.exit(1)


def run(args, registry, url, fake, partner_ids, texts):
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

    def settled():
        rows = states(args.db, partner_ids)
        pending = sum(1 for _p, state, _ph, _r in rows if state in PENDING)
        return len(rows) >= len(partner_ids) - len(errors) and not pending

    waited, done = common.settle(
        args.settle_timeout, settled, lambda: common.trigger_crons(registry, CRONS), 5
    )
    settled_at = clicked + waited if done else None
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
    common.print_lines(
        f"SMS Club fault benchmark: {args.ops} operations, {args.fault_ratio:.0%} faults, "
        f"seed {args.seed}",
        lines,
    )
    for error in errors[:5]:
        print(f"  refused click: {error}")
    return outcome


if __name__ == "__main__":
    main()
