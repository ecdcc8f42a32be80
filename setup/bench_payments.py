#!/usr/bin/env python3
"""Benchmark: 2,000 LiqPay callbacks, a third of them repeated or out of order,
from the callback to the fiscal receipt at Checkbox.

Creates (or reuses) a database with `crm_order_flow`, `fiscal_ua` and
`payment_liqpay` (no demo data): a company in hryvnias, a cash register pointed
at the local fake Checkbox of fiscal_ua's tests, LiqPay in test mode pointed at
the local fake LiqPay of payment_liqpay's tests, its payments mapped to the
payment form "Інтернет еквайринг" (receipt when the order is fully paid). It
makes N confirmed orders agreed with online payment and, for each, the LiqPay
checkout the customer's browser would post (Odoo's redirect form).

Then it starts Odoo as a real server (two HTTP workers, two cron workers) on that
database and plays LiqPay: each customer pays, and the fake sends the signed
callback to Odoo's webhook; a third of the callbacks come on top: the same
callback again, or an older "processing" callback arriving after the
"success" one. Odoo's post-processing of payments and the fiscal receipts run
as they do in production, as scheduled actions the callback triggers.

Odoo's e-mail to the customer when a payment arrives is sent without its PDF
attachment (rendering PDFs is not what is measured). It reports callbacks per
second (as answered by the webhook), transactions
settled, duplicates (payments registered twice for one transaction, orders
with two receipts in Odoo or at Checkbox: all must be 0), callbacks refused,
and the time from the first "success" callback of an order to its receipt
created at the fake Checkbox (median, 95th percentile, maximum). The figures
are printed, never asserted.

Usage: setup/bench_payments.py [--db payments_bench] [--callbacks 2000]
                               [--threads 4] [--port 18690] [--seed 42]
"""

import argparse
import os
import random
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import bench_faults_common as common
from bench_faults_common import fail

ROOT = common.ROOT
CHECKBOX_FAKE = os.path.join(ROOT, "fiscal_ua", "tests", "fake_checkbox.py")
LIQPAY_FAKE = os.path.join(ROOT, "payment_liqpay", "tests", "fake_liqpay.py")
ADDONS = "crm_order_flow,fiscal_ua,payment_liqpay"
LICENSE_KEY = "bench-licence-key-00000001"
PASSWORD = "bench-cashier-password"

try:
    import odoo
    from odoo import Command, api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    common.odoo_missing()
common.check_odoo_version(odoo)

import requests  # noqa: E402 - after the check that Odoo (and its requirements) is here


def prepare(env, checkbox_url, liqpay, base_url):
    """Company in UAH, register, LiqPay in test mode, the payment form (idempotent)."""
    company = env.ref("base.main_company")
    uah = env.ref("base.UAH")
    if company.currency_id != uah:
        uah.active = True
        if env["account.move.line"].search_count([("company_id", "=", company.id)]):
            fail("the company already has journal entries in another currency; use a new --db")
        company.currency_id = uah
    env["ir.config_parameter"].set_param("web.base.url", base_url)
    env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
    env["ir.config_parameter"].set_param("sale.automatic_invoice", "False")
    env["ir.config_parameter"].set_param("fiscal_ua.poll_interval", "0.05")
    company.write(
        {"order_flow_window_start": 0.0, "order_flow_window_end": 24.0, "name": "Bench store"}
    )
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
            "base_url": checkbox_url,
            "request_timeout": 5.0,
            "receipt_wait": 5.0,
            "send_receipt_link": False,  # measures payments and receipts, not messages
            "default_payment_form_id": env.ref("fiscal_ua.payment_form_card").id,
        }
    )
    register.shift_ids.filtered(lambda s: s.status != "CLOSED").status = "CLOSED"
    cashier.access_token = False
    if not register.untaxed_tax_id:
        register.untaxed_tax_id = env["fiscal.tax"].create(
            {"register_id": register.id, "code": 8, "label": "Без ПДВ", "no_vat": True}
        )
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    provider = env.ref("payment_liqpay.payment_provider_liqpay")
    provider.write(
        {
            "state": "test",
            "is_published": True,
            "liqpay_public_key": liqpay.public_key,
            "liqpay_private_key": liqpay.private_key,
            "liqpay_api_url": liqpay.url,
            "journal_id": journal.id,
        }
    )
    # Odoo mails the customer the order as a PDF when a payment arrives; the
    # PDF (wkhtmltopdf, about a second each) is not what is measured here.
    env.ref("sale.mail_template_sale_payment_executed").report_template_ids = False
    # orders in hryvnias (receipts are issued in hryvnias only)
    pricelist = env["product.pricelist"].search([("currency_id", "=", uah.id)], limit=1)
    if not pricelist:
        pricelist = env["product.pricelist"].create({"name": "Bench UAH", "currency_id": uah.id})
    form = env["fiscal.payment.form"].search([("kind", "=", "online")], limit=1)
    form.write({"provider_ids": [Command.set(provider.ids)], "policy": "on_payment"})
    return provider, pricelist


def make_orders(env, count, provider, pricelist, run_tag):
    """``count`` confirmed orders to be paid online, each with its LiqPay
    transaction rendered (what the customer's browser posts to LiqPay)."""
    partner = env["res.partner"].search([("name", "=", "Bench buyer")], limit=1)
    if not partner:
        partner = env["res.partner"].create({"name": "Bench buyer"})
    product = env["product.product"].search([("default_code", "=", "BENCH-PAY")], limit=1)
    if not product:
        product = env["product.product"].create(
            {
                "name": "Bench kettle",
                "default_code": "BENCH-PAY",
                "type": "consu",
                "taxes_id": False,
            }
        )
    method = env.ref("payment.payment_method_card")
    transactions = env["payment.transaction"]
    batch = 100
    for start in range(0, count, batch):
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "pricelist_id": pricelist.id,
                    "client_order_ref": f"{run_tag}-{i:05d}",
                    "require_payment": True,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1 + i % 3,
                                "price_unit": 199.0 + 10 * (i % 50),
                                "tax_id": False,
                            }
                        )
                    ],
                }
                for i in range(start, min(start + batch, count))
            ]
        )
        orders.filtered(lambda o: o.state != "sale").action_confirm()
        for order in orders:
            transactions |= env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "reference": env["payment.transaction"]._compute_reference(
                        "liqpay", sale_order_ids=[Command.set(order.ids)]
                    ),
                    "amount": order.amount_total,
                    "currency_id": order.currency_id.id,
                    "partner_id": partner.id,
                    "operation": "online_redirect",
                    "sale_order_ids": [Command.set(order.ids)],
                }
            )
        env.cr.commit()
        print(f"  … {min(start + batch, count)} orders", flush=True)
    return transactions


def watch_receipts(fake, seen, stop):
    """Note when each receipt first shows at the fake Checkbox."""
    while not stop.is_set():
        now = time.perf_counter()
        with fake.lock:
            ids = list(fake.receipts)
        for receipt_id in ids:
            seen.setdefault(receipt_id, now)
        time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "payments_bench"))
    parser.add_argument("--callbacks", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4, help="callbacks sent at once")
    parser.add_argument("--port", type=int, default=18690)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    orders = args.callbacks * 2 // 3
    extra = args.callbacks - orders
    base_url = f"http://127.0.0.1:{args.port}"

    addons_path = common.default_addons_path()
    if not common.database_exists(args.db):
        print(f"Creating database {args.db} with {ADDONS} (no demo data)…", flush=True)
        common.odoo_cli(
            args.db,
            addons_path,
            "-i",
            ADDONS,
            "--without-demo=all",
            failure="installing the addons failed",
        )
    config.parse_config(
        ["-d", args.db, f"--addons-path={addons_path}", "--log-level=warn", *common.db_args()]
    )
    checkbox = common.load_module("bench_fake_checkbox", CHECKBOX_FAKE).FakeCheckbox(
        cashiers={"bench": PASSWORD}, license_keys={LICENSE_KEY}
    )
    checkbox.start()
    liqpay = common.load_module("bench_fake_liqpay", LIQPAY_FAKE).FakeLiqPay().start()
    registry = Registry(args.db)
    run_tag = f"PAY{int(time.time())}"
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        provider, pricelist = prepare(env, checkbox.url, liqpay, base_url)
        cr.commit()
        print(f"Creating {orders} orders with their LiqPay checkout…", flush=True)
        transactions = make_orders(env, orders, provider, pricelist, run_tag)
        references = transactions.mapped("reference")
        tx_ids = transactions.ids
        for tx in transactions:
            liqpay.post_form(tx._get_processing_values()["redirect_form_html"])
        cr.commit()

    # The callbacks: one "success" per order; on top, a third of the total:
    # the same callback again, or an older "processing" one coming late.
    late = set(rng.sample(references, min(extra // 2, len(references))))
    for reference in late:
        liqpay.pay(reference, status="processing", times=0)
    older = {cb["order_id"]: cb for cb in liqpay.callbacks}
    first = []
    for reference in references:
        liqpay.pay(reference, status="success", times=0)
        first.append(liqpay.callbacks[-1])
    successes = {cb["order_id"]: cb for cb in first}
    repeats = [successes[ref] for ref in rng.sample(references, extra - len(late))]
    later = [older[ref] for ref in late] + repeats
    rng.shuffle(later)

    log_name = os.path.join("/tmp", f"bench_payments_{args.db}.log")
    print(f"Starting Odoo (2 workers, 2 cron workers) on port {args.port}…", flush=True)
    server, _url = common.start_server(args.db, addons_path, args.port, log_name)
    seen = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_receipts, args=(checkbox, seen, stop), daemon=True)
    watcher.start()
    sent_at = {}
    statuses = Counter()

    def send(callback):
        moment = time.perf_counter()
        try:
            status = liqpay.resend(callback)
        except requests.RequestException as exc:
            status = type(exc).__name__
        if callback["status"] == "success":
            sent_at.setdefault(callback["order_id"], moment)
        statuses[status] += 1

    try:
        print(
            f"Sending {len(first) + len(later)} callbacks ({len(later)} repeated or out of "
            f"order) with {args.threads} at once…",
            flush=True,
        )
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(send, first))
            list(pool.map(send, later))
        sending = time.perf_counter() - started
        print("Waiting for the receipts…", flush=True)
        deadline = time.time() + 600
        last_count, last_change = -1, time.time()
        while time.time() < deadline:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM fiscal_receipt WHERE transaction_id = ANY(%s) "
                    "AND state = 'done'",
                    [tx_ids],
                )
                done = cr.fetchone()[0]
            if done >= len(tx_ids):
                break
            if done != last_count:
                last_count, last_change = done, time.time()
            elif time.time() - last_change > 120:
                break
            time.sleep(1)
        total = time.perf_counter() - started
    finally:
        stop.set()
        common.stop_server(server)

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        txs = env["payment.transaction"].browse(tx_ids)
        settled = len(txs.filtered(lambda tx: tx.state == "done"))
        post_processed = len(txs.filtered("is_post_processed"))
        receipts = env["fiscal.receipt"].search([("transaction_id", "in", tx_ids)])
        per_order = Counter(receipts.filtered(lambda r: r.state != "error").sale_order_id.ids)
        payments = env["account.payment"].search([("payment_transaction_id", "in", tx_ids)])
        per_tx = Counter(payments.payment_transaction_id.ids)
        refs_of = {r.uuid: r.transaction_id.reference for r in receipts if r.uuid}
        delays = sorted(
            seen[uuid] - sent_at[ref]
            for uuid, ref in refs_of.items()
            if uuid in seen and ref in sent_at
        )
        moved = len(txs.sale_order_ids.filtered(lambda o: o.order_payment_state == "paid").ids)

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    print()
    print(f"callbacks sent                 {len(first) + len(later)}")
    print(f"  answered                     {dict(statuses)}")
    print(f"callbacks per second           {(len(first) + len(later)) / sending:.1f}")
    print(f"transactions settled           {settled} of {len(tx_ids)}")
    print(f"orders paid                    {moved}")
    print(f"post-processed (order, payment) {post_processed}")
    print(f"payments registered twice      {sum(1 for n in per_tx.values() if n > 1)}")
    print(f"orders with two receipts       {sum(1 for n in per_order.values() if n > 1)}")
    print(f"Checkbox receipts duplicated   {len(checkbox.duplicates())}")
    print(f"receipts issued at Checkbox    {len(checkbox.fiscal_receipts())}")
    if delays:
        print(
            "callback → receipt (s)         median %.2f, p95 %.2f, max %.2f"
            % (statistics.median(delays), pct(delays, 0.95), delays[-1])
        )
    print(f"whole run (s)                  {total:.1f}")
    print(f"server log                     {log_name}")
    liqpay.stop()
    checkbox.stop()


if __name__ == "__main__":
    main()
