#!/usr/bin/env python3
"""Benchmark: fiscalizing 500 invoices through Checkbox, exactly once, when a
fifth of the requests time out once.

Creates (or reuses) a database with `fiscal_ua` (no demo data), a company in
hryvnias, a cash register pointed at the local fake Checkbox of the addon's
tests (fiscal_ua/tests/fake_checkbox.py) with "20 % of requests time out once"
(the request is processed, its answer comes after the client's timeout), and
N posted customer invoices. Then, as an Accountant:

  1. clicks "Fiscalize" on every invoice, one transaction per click;
  2. runs the scheduled action that reconciles the receipts left without an
     answer, until none is left (or 20 rounds);
  3. clicks "Fiscalize" twice at the same moment (two threads, two database
     connections) on a few more invoices.

and reports receipts per minute, API calls per receipt, the timeouts injected,
and the duplicates: documents with more than one fiscal receipt on the fake
Checkbox's side and purposes with more than one live receipt in Odoo (both must
be 0), and invoices left without a receipt. The figures are printed, never
asserted.

Usage: setup/bench_fiscal.py [--db fiscal_bench] [--invoices 500] [--timeout-ratio 0.2]
                             [--timeout 0.5] [--double-clicks 20] [--seed 42]
"""

import argparse
import importlib.util
import os
import sys
import threading
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_PATH = os.path.join(ROOT, "fiscal_ua", "tests", "fake_checkbox.py")
LICENSE_KEY = "bench-licence-key-00000001"
PASSWORD = "bench-cashier-password"


def fail(message):
    print(f"setup/bench_fiscal.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import odoo
    from odoo import api
    from odoo.exceptions import UserError
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
    spec = importlib.util.spec_from_file_location("fiscal_ua_fake_checkbox", FAKE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakeCheckbox


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


def addons_path():
    return ",".join([os.path.join(os.path.dirname(odoo.__file__), "addons"), ROOT])


def odoo_cli(*args):
    import subprocess

    cmd = [sys.executable, "-m", "odoo", f"--addons-path={addons_path()}", *db_args(), *args]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        fail(f"odoo {' '.join(args)} failed")


def database_exists(name):
    import psycopg2

    kwargs = {"dbname": "postgres"}
    for env_name, key in (
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
    ):
        if os.environ.get(env_name):
            kwargs[key] = os.environ[env_name]
    try:
        with psycopg2.connect(**kwargs) as conn, conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return bool(cr.fetchone())
    except psycopg2.OperationalError as error:
        fail(f"PostgreSQL is not reachable ({error}). Start it, or set PGHOST/PGPORT/PGUSER.")


def prepare(env, fake_url, timeout):
    """Company in UAH, register, cashier, tax rate, accountant (idempotent)."""
    company = env.ref("base.main_company")
    uah = env.ref("base.UAH")
    if company.currency_id != uah:
        uah.active = True
        if env["account.move.line"].search_count([("company_id", "=", company.id)]):
            fail("the company already has journal entries in another currency; use a new --db")
        company.currency_id = uah
    cashier = env["fiscal.cashier"].search([("name", "=", "Bench cashier")], limit=1)
    if not cashier:
        cashier = env["fiscal.cashier"].create(
            {"name": "Bench cashier", "login": "bench", "password": PASSWORD}
        )
    register = env["fiscal.cash.register"].search([("name", "=", "Bench register")], limit=1)
    if not register:
        register = env["fiscal.cash.register"].create(
            {"name": "Bench register", "license_key": LICENSE_KEY, "cashier_id": cashier.id}
        )
        env["fiscal.cash.register"].search([("id", "!=", register.id)]).active = False
    register.write(
        {
            "base_url": fake_url,
            "request_timeout": timeout,
            "receipt_wait": 5.0,
            "send_receipt_link": False,  # measures fiscalization, not e-mail
            "default_payment_form_id": env.ref("fiscal_ua.payment_form_card").id,
        }
    )
    # a new fake Checkbox each run: forget the shifts of earlier runs
    register.shift_ids.filtered(lambda s: s.status != "CLOSED").status = "CLOSED"
    cashier.access_token = False
    if not register.tax_ids:
        register.untaxed_tax_id = env["fiscal.tax"].create(
            {"register_id": register.id, "code": 8, "label": "Без ПДВ", "no_vat": True}
        )
    env["ir.config_parameter"].set_param("fiscal_ua.poll_interval", "0.05")
    accountant = env["res.users"].search([("login", "=", "bench_accountant")], limit=1)
    if not accountant:
        accountant = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Accountant",
                    "login": "bench_accountant",
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("base.group_user").id,
                                env.ref("access_roles.group_role_accountant").id,
                            ],
                        )
                    ],
                }
            )
        )
    return register, accountant


def make_invoices(env, count, run_tag):
    partner = env["res.partner"].search([("name", "=", "Bench customer")], limit=1)
    if not partner:
        partner = env["res.partner"].create({"name": "Bench customer"})
    products = env["product.product"].search([("default_code", "=like", "BENCH-%")])
    if len(products) < 3:
        products = env["product.product"].create(
            [
                {"name": f"Bench product {i}", "default_code": f"BENCH-{i}", "taxes_id": False}
                for i in range(3)
            ]
        )
    invoices = env["account.move"]
    batch = 100
    for start in range(0, count, batch):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "ref": f"{run_tag}-{i:04d}",
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": products[j].id,
                                "quantity": 1 + (i + j) % 3,
                                "price_unit": 99.99 + 10 * ((i * 7 + j) % 40),
                                "discount": 5.0 if (i + j) % 4 == 0 else 0.0,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                        for j in range(1 + i % 3)
                    ],
                }
                for i in range(start, min(start + batch, count))
            ]
        )
        moves.action_post()
        invoices |= moves
        env.cr.commit()
    return invoices


def fiscalize(registry, user_id, invoice_id):
    """One click of the accountant, in its own transaction."""
    with registry.cursor() as cr:
        env = api.Environment(cr, user_id, {})
        try:
            action = env["account.move"].browse(invoice_id).action_fiscalize()
            return action["params"]["type"]
        except UserError:
            cr.rollback()
            return "refused"
        except Exception as exc:  # noqa: BLE001 - reported, e.g. a serialization failure
            cr.rollback()
            return type(exc).__name__


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "fiscal_bench"))
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--timeout-ratio", type=float, default=0.2)
    parser.add_argument("--timeout", type=float, default=0.5, help="client timeout (s)")
    parser.add_argument("--double-clicks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    if not database_exists(args.db):
        print(f"Creating database {args.db} with fiscal_ua (no demo data)…", flush=True)
        odoo_cli(
            "-d",
            args.db,
            "-i",
            "fiscal_ua",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
            "--no-http",
        )
    config.parse_config(
        ["-d", args.db, f"--addons-path={addons_path()}", "--log-level=warn", *db_args()]
    )
    FakeCheckbox = load_fake()
    fake = FakeCheckbox(
        cashiers={"bench": PASSWORD},
        license_keys={LICENSE_KEY},
        timeout_ratio=args.timeout_ratio,
        slow_seconds=args.timeout * 2,
        seed=args.seed,
    ).start()
    registry = Registry(args.db)
    run_tag = f"BENCH{int(time.time())}"
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        register, accountant = prepare(env, fake.url, args.timeout)
        cr.commit()
        print(f"Creating {args.invoices + args.double_clicks} posted invoices…", flush=True)
        invoices = make_invoices(env, args.invoices + args.double_clicks, run_tag)
        invoice_ids = invoices.ids
        cr.commit()
    main_ids, double_ids = invoice_ids[: args.invoices], invoice_ids[args.invoices :]

    print(
        f"Fiscalizing {len(main_ids)} invoices against the fake Checkbox "
        f"({args.timeout_ratio:.0%} of requests answered after the {args.timeout:g} s timeout)…",
        flush=True,
    )
    outcomes = Counter()
    started = time.perf_counter()
    for index, invoice_id in enumerate(main_ids, 1):
        outcomes[fiscalize(registry, accountant.id, invoice_id)] += 1
        if index % 100 == 0:
            print(f"  … {index} clicks, {time.perf_counter() - started:.0f} s", flush=True)
    clicks_done = time.perf_counter()
    rounds = 0
    while rounds < 20:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            pending = env["fiscal.receipt"].search_count(
                [("state", "in", ("draft", "sent")), ("move_id", "in", main_ids)]
            )
            if not pending:
                break
            rounds += 1
            env["fiscal.receipt"]._cron_process_receipts()
            cr.commit()
    elapsed = time.perf_counter() - started
    main_calls = len(fake.calls)

    print(f"Double clicks: {len(double_ids)} invoices, two simultaneous clicks each…", flush=True)
    double_outcomes = Counter()
    fake.timeout_ratio = 0.0
    for invoice_id in double_ids:
        barrier = threading.Barrier(2)
        results = []

        def click(invoice_id=invoice_id, barrier=barrier, results=results):
            barrier.wait()
            results.append(fiscalize(registry, accountant.id, invoice_id))

        threads = [threading.Thread(target=click) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        double_outcomes[tuple(sorted(results))] += 1

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Receipt = env["fiscal.receipt"]
        all_ids = main_ids + double_ids
        receipts = Receipt.search([("move_id", "in", all_ids)])
        done = receipts.filtered(lambda r: r.state == "done")
        main_done = done.filtered(lambda r: r.move_id.id in main_ids)
        by_purpose = Counter(r.purpose_key for r in receipts if r.state != "error")
        odoo_duplicates = sum(1 for count in by_purpose.values() if count > 1)
        without_receipt = len(set(all_ids) - set(done.mapped("move_id").ids))
        states = Counter(receipts.mapped("state"))
        attempts = sum(main_done.mapped("attempt_count"))
        cr.rollback()
    fake.stop()

    fake_duplicates = fake.duplicates()
    endpoints = Counter()
    for call in fake.calls[:main_calls]:
        parts = call["path"].split("/api/v1/")[-1].split("/")
        if parts[0] in ("receipts", "shifts") and len(parts) > 1:
            if parts[1] not in ("sell", "close", "service"):
                parts[1] = "{id}"
        endpoints[f"{call['method']} {'/'.join(parts)}"] += 1
    minutes = elapsed / 60
    print()
    print(f"invoices fiscalized:              {len(main_done)} of {len(main_ids)}")
    print(f"click outcomes:                   {dict(outcomes)}")
    print(
        f"time: clicks {clicks_done - started:.1f} s, with reconciliation {elapsed:.1f} s "
        f"({rounds} scheduled-action rounds)"
    )
    print(f"receipts per minute:              {len(main_done) / minutes:.1f}")
    print(
        f"API calls per receipt:            {main_calls / max(len(main_done), 1):.2f} "
        f"({main_calls} calls; {fake.slow_replies} answered after the timeout)"
    )
    print(f"sending attempts per receipt:     {attempts / max(len(main_done), 1):.2f}")
    print(f"calls by endpoint:                {dict(endpoints.most_common())}")
    print(f"double-click outcomes:            {dict(double_outcomes)}")
    print(f"receipt states in Odoo:           {dict(states)}")
    print(f"invoices without a receipt:       {without_receipt}")
    print(f"duplicate ids refused by Checkbox: {fake.duplicate_refusals}")
    print(f"duplicates (fake Checkbox side):  {len(fake_duplicates)}")
    print(f"duplicates (Odoo side):           {odoo_duplicates}")
    print(f"database {args.db} kept; drop it with: dropdb {args.db}")


if __name__ == "__main__":
    main()
