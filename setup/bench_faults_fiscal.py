#!/usr/bin/env python3
"""Benchmark: fiscal receipts exactly once while Checkbox misbehaves, with the
suite running as a real multi-worker Odoo server.

It takes (--db) or creates a database (from --template with `createdb -T`, or
by installing fiscal_ua with demo data), points a cash register at the fake
Checkbox of the addon's tests (fiscal_ua/tests/fake_checkbox.py) with faults
drawn at random for about 30 % of the calls (seeded): processed then answered
too late, processed late (after the client gave up), hang, connection reset,
429, 500/502/503, malformed JSON, empty body, HTML page at HTTP 200, and
Checkbox's own refusals (422). Then it starts Odoo as a server
(`--workers 2 --max-cron-threads 2`) with the fiscal scheduled actions every
minute, and plays the people at work:

- accountants (the demo user `accountant`, one JSON-RPC session each) click
  "Fiscalize" on invoices, sometimes twice at the same moment from two
  sessions, "Return receipt" on credit notes of fiscalized invoices, and
  "Re-check with Checkbox" on receipts still on their way (racing the
  scheduled action);
- online payments arrive for orders (partial: a prepayment receipt, then the
  rest: the final receipt), as the payment provider's notification would
  post them on the server;
- once all operations are done, the accountants work the lists as a person
  would: "Issue again" on receipts Checkbox refused, "Re-check with Checkbox"
  on the receipts that need a person.

It waits until everything settles (or --settle-timeout), then reports the
operations, the vendor calls, the duplicates at the vendor (two fiscal
receipts for the same our-id or for the same document and purpose; must be
0), the operations lost (no receipt, a receipt Odoo thinks issued that
Checkbox does not have, or one Checkbox issued that Odoo does not record as
issued; must be 0), the operations left for a person (uncertain outcomes
reconciliation could not settle) and the time to settle. It exits non-zero
when duplicates or lost operations are found.

Usage: setup/bench_faults_fiscal.py [--db fiscal_faults_bench] [--template DB]
       [--ops 1000] [--seed 42] [--fault-ratio 0.3] [--people 2] [--timeout 0.5]
       [--settle-timeout 300] [--http-port 0] [--addons-path PATHS]
"""

import os
import queue
import random
import sys
import threading
import time
from collections import Counter

import bench_faults_common as common
from bench_faults_common import Person, RpcError, fail

ROOT = common.ROOT
FAKE_PATH = os.path.join(ROOT, "fiscal_ua", "tests", "fake_checkbox.py")
LICENSE_KEY = "bench-faults-licence-key1"
CASHIER_LOGIN = "bench-faults-cashier"
CASHIER_PASSWORD = "bench-faults-cashier-password"
ACCOUNTANT = ("accountant", "accountant")  # the demo Accountant of access_roles
OP_SHARES = (("sell", 0.5), ("return", 0.15), ("prepayment", 0.175), ("final", 0.175))
CRONS = ("fiscal_ua.ir_cron_fiscal_receipts", "fiscal_ua.ir_cron_fiscal_close_shifts")

try:
    import odoo
    from odoo import Command, api
    from odoo.modules.registry import Registry
except ImportError:
    common.odoo_missing()
common.check_odoo_version(odoo)


# ---------------------------------------------------------------------- setup
def prepare(env, fake_url, args):
    """Hryvnias, a cash register at the fake, an acquirer whose partial
    payments get prepayment receipts, the scheduled actions every minute."""
    company = env.ref("base.main_company")
    uah = env.ref("base.UAH")
    uah.active = True
    if company.currency_id != uah and not env["res.currency.rate"].search(
        [("currency_id", "=", uah.id), ("company_id", "in", (False, company.id))], limit=1
    ):
        env["res.currency.rate"].create({"currency_id": uah.id, "rate": 41.0, "name": "2020-01-01"})
    Cashier = env["fiscal.cashier"].with_context(active_test=False)
    cashier = Cashier.search([("name", "=", "Bench faults cashier")], limit=1) or Cashier.create(
        {"name": "Bench faults cashier", "company_id": company.id}
    )
    cashier.write({"login": CASHIER_LOGIN, "password": CASHIER_PASSWORD, "auth_method": "password"})
    Register = env["fiscal.cash.register"].with_context(active_test=False)
    register = Register.search([("name", "=", "Bench faults register")], limit=1)
    if not register:
        register = Register.create({"name": "Bench faults register", "company_id": company.id})
    register.write(
        {
            "active": True,
            "sequence": 0,
            "cashier_id": cashier.id,
            "license_key": LICENSE_KEY,
            "base_url": fake_url,
            "mode": "test",
            "request_timeout": args.timeout,
            "receipt_wait": 2.0,
            "close_time": 23.99,
            "send_receipt_link": False,  # measures fiscalization, not the messages
            "default_payment_form_id": env.ref("fiscal_ua.payment_form_card").id,
        }
    )
    Register.search([("id", "!=", register.id), ("company_id", "=", company.id)]).active = False
    # a new fake each run: forget the shifts of earlier runs
    register.shift_ids.filtered(lambda s: s.status != "CLOSED").status = "CLOSED"
    if not register.tax_ids.filtered(lambda t: t.code == 8):
        env["fiscal.tax"].create(
            {"register_id": register.id, "code": 8, "label": "Без ПДВ", "no_vat": True}
        )
    register.untaxed_tax_id = register.tax_ids.filtered(lambda t: t.code == 8)
    provider = env["payment.provider"].search([("name", "=", "Bench faults acquiring")], limit=1)
    if not provider:
        provider = env["payment.provider"].create(
            {"name": "Bench faults acquiring", "code": "none", "state": "test"}
        )
    form_online = env.ref("fiscal_ua.payment_form_online")
    form_online.write({"policy": "prepayment", "provider_ids": [Command.link(provider.id)]})
    params = env["ir.config_parameter"]
    params.set_param("fiscal_ua.poll_interval", "0.05")
    params.set_param("sale.automatic_invoice", "False")
    common.fast_crons(env, CRONS)
    accountant = env["res.users"].search([("login", "=", ACCOUNTANT[0])], limit=1)
    if not accountant or not accountant.has_group("access_roles.group_role_accountant"):
        fail("the demo Accountant (login 'accountant') is missing: the database needs demo data")
    return register, provider, uah


def make_documents(env, counts, uah, run_tag):
    """Posted invoices in hryvnias (sales, and sales to be returned) and
    confirmed orders in hryvnias (prepayments)."""
    partner = env["res.partner"].search([("name", "=", "Bench faults customer")], limit=1)
    if not partner:
        partner = env["res.partner"].create({"name": "Bench faults customer"})
    products = env["product.product"].search([("default_code", "=like", "BENCHF-%")])
    if len(products) < 3:
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench faults product {i}",
                    "default_code": f"BENCHF-{i}",
                    "taxes_id": False,
                    "list_price": 100.0,
                }
                for i in range(3)
            ]
        )
    invoices = env["account.move"]
    n_invoices = counts["sell"]
    for start in range(0, n_invoices, 100):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "currency_id": uah.id,
                    "ref": f"{run_tag}-{i:05d}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": products[j].id,
                                "quantity": 1 + (i + j) % 3,
                                "price_unit": 99.99 + 10 * ((i * 7 + j) % 40),
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for j in range(1 + i % 3)
                    ],
                }
                for i in range(start, min(start + 100, n_invoices))
            ]
        )
        moves.action_post()
        invoices |= moves
        env.cr.commit()
    pricelist = env["product.pricelist"].search([("currency_id", "=", uah.id)], limit=1)
    if not pricelist:
        pricelist = env["product.pricelist"].create({"name": "Bench UAH", "currency_id": uah.id})
    orders = env["sale.order"]
    for i in range(counts["prepayment"]):
        order = env["sale.order"].create({"partner_id": partner.id, "pricelist_id": pricelist.id})
        order.order_line = [
            Command.create(
                {"product_id": products[i % 3].id, "product_uom_qty": 1, "price_unit": 1000.0}
            )
        ]
        if order.state != "sale":
            order.action_confirm()
        orders |= order
        if i % 50 == 49:
            env.cr.commit()
    env.cr.commit()
    return invoices, orders


# ---------------------------------------------------------------------- the run
class Bench(common.BenchBase):
    def __init__(self, args, registry, url, fake, invoices, orders, provider, uah):
        super().__init__(args, registry, url, fake)  # ops: (kind, purpose key)
        self.provider_id = provider.id
        self.uah_id = uah.id
        self.invoice_ids = invoices.ids
        self.order_ids = orders.ids
        n_return = self.counts["return"]
        self.return_ids = set(self.invoice_ids[:n_return])  # invoices later credited
        self.returned = {}  # invoice id -> credit note id

    @property
    def counts(self):
        return self.args.counts

    def trigger_crons(self):
        common.trigger_crons(self.registry, CRONS)

    def done_purposes(self, keys):
        with self.registry.cursor() as cr:
            receipts = self.env(cr)["fiscal.receipt"].search(
                [("purpose_key", "in", list(keys)), ("state", "=", "done")]
            )
            return set(receipts.mapped("purpose_key"))

    # ---- people
    def click(self, person, model, method, record_id):
        try:
            result = person.call(model, method, [record_id])
        except RpcError as exc:
            kind = exc.name.rsplit(".", 1)[-1]
            self.note(f"{method}: {kind}")
            return None
        kind = (result or {}).get("params", {}).get("type", "done")
        self.note(f"{method}: {kind}")
        return kind

    def person_loop(self, index):
        person = Person(self.url, self.args.db, *ACCOUNTANT)
        rnd = random.Random(self.args.seed + index)
        while True:
            try:
                item = self.work.get(timeout=1)
            except queue.Empty:
                if self.feeding_done.is_set():
                    return person.calls
                continue
            kind, record_id = item
            if kind == "sell":
                if rnd.random() < 0.1:
                    # a double click: the same invoice from two sessions at the same moment
                    second = Person(self.url, self.args.db, *ACCOUNTANT)
                    other = threading.Thread(
                        target=self.click,
                        args=(second, "account.move", "action_fiscalize", record_id),
                    )
                    other.start()
                    self.click(person, "account.move", "action_fiscalize", record_id)
                    other.join()
                else:
                    result = self.click(person, "account.move", "action_fiscalize", record_id)
                    if result == "warning" and rnd.random() < 0.3:
                        self.recheck_purpose(person, f"sell:move:{record_id}")
            elif kind == "return":
                self.click(person, "account.move", "action_fiscal_return", record_id)
            self.work.task_done()

    def recheck_purpose(self, person, purpose):
        ids = person.call(
            "fiscal.receipt",
            "search",
            [("purpose_key", "=", purpose), ("state", "in", ("draft", "sent"))],
        )
        for receipt_id in ids:
            self.click(person, "fiscal.receipt", "action_recheck", receipt_id)

    # ---- payments arriving (the provider's notification on the server)
    def pay(self, order_id, amount, tag):
        for attempt in range(5):
            try:
                with self.registry.cursor() as cr:
                    env = self.env(cr)
                    order = env["sale.order"].browse(order_id)
                    transaction = env["payment.transaction"].create(
                        {
                            "provider_id": self.provider_id,
                            "payment_method_id": env.ref("payment.payment_method_card").id,
                            "amount": amount,
                            "currency_id": self.uah_id,
                            "partner_id": order.partner_id.id,
                            "reference": f"{order.name}-{tag}-{self.args.seed}-{time.time_ns()}",
                            "sale_order_ids": [Command.set(order.ids)],
                        }
                    )
                    transaction._set_done()
                    order._fiscal_on_transaction_done(transaction)
                    # done here, as the provider's notification would: not by the payment cron
                    transaction.is_post_processed = True
                    return transaction.id
            except Exception as exc:  # noqa: BLE001 - a serialization failure: the notification comes again
                if attempt == 4:
                    self.note(f"payment lost: {type(exc).__name__}")
                time.sleep(0.2)
        return None

    def credit_note(self, invoice_id):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            refund = env["account.move"].browse(invoice_id)._reverse_moves()
            refund.action_post()
            return refund.id

    # ---- phases
    def start_returns(self, pending_returns, only_returns_left):
        """Credit notes for invoices whose sale receipt is issued, clicked
        "Return receipt" by the people; returns how many were started, or
        None when the sales never got issued (given up)."""
        done = self.done_purposes(f"sell:move:{i}" for i in pending_returns)
        ready = [i for i in pending_returns if f"sell:move:{i}" in done]
        if not ready:
            if only_returns_left:
                # only returns are left: people work the lists meanwhile
                self.work.join()
                self.returns_deadline = self.returns_deadline or (
                    time.monotonic() + self.args.settle_timeout
                )
                if time.monotonic() > self.returns_deadline:
                    self.note("returns not started (sale never issued)")
                    return None
                self.sweep(self.sweeper)
                self.trigger_crons()
                time.sleep(2)
            return 0
        for invoice_id in ready[:5]:
            pending_returns.discard(invoice_id)
            refund_id = self.credit_note(invoice_id)
            self.returned[invoice_id] = refund_id
            self.work.put(("return", refund_id))
            self.ops.append(("return", f"return:move:{refund_id}"))
        return min(len(ready), 5)

    def start_payment(self, order_id, final):
        """An online payment arrives: 30 % of the order, later the rest."""
        if not final:
            if self.pay(order_id, 300.0, "pre"):
                self.ops.append(("prepayment", f"prepayment:order:{order_id}"))
                return True
            return False
        transaction_id = self.pay(order_id, 700.0, "rest")
        if transaction_id:
            self.ops.append(("final", f"chain:order:{order_id}:tx:{transaction_id}"))
        return bool(transaction_id)

    def run_operations(self):
        self.feeding_done = threading.Event()
        people = [
            threading.Thread(target=self.person_loop, args=(index,), daemon=True)
            for index in range(self.args.people)
        ]
        for thread in people:
            thread.start()
        sells = list(self.invoice_ids)
        self.random.shuffle(sells)
        prepay = list(self.order_ids)
        finals = []
        pending_returns = set(self.return_ids)
        self.sweeper = Person(self.url, self.args.db, *ACCOUNTANT)
        self.returns_deadline = None
        last_trigger = time.monotonic()
        next_progress = 100
        issued = 0
        total = sum(self.counts.values())
        while sells or prepay or finals or pending_returns:
            step = self.random.random()
            if sells and step < 0.55:
                invoice_id = sells.pop()
                self.work.put(("sell", invoice_id))
                self.ops.append(("sell", f"sell:move:{invoice_id}"))
                issued += 1
            elif prepay and step < 0.75:
                order_id = prepay.pop()
                if self.start_payment(order_id, final=False):
                    finals.append(order_id)
                issued += 1
            elif finals and step < 0.9:
                self.start_payment(finals.pop(0), final=True)
                issued += 1
            elif pending_returns:
                started = self.start_returns(pending_returns, not (sells or prepay or finals))
                if started is None:
                    break
                issued += started
            if issued >= next_progress:
                print(f"  … {issued} of {total} operations started", flush=True)
                next_progress += 100
            if time.monotonic() - last_trigger > 10:
                # as a store admin could ("Run manually"): the scheduled actions run now
                self.trigger_crons()
                last_trigger = time.monotonic()
            self.throttle()
        self.finish(people)

    def unsettled(self):
        with self.registry.cursor() as cr:
            Receipt = self.env(cr)["fiscal.receipt"]
            pending = Receipt.search_count([("state", "in", ("draft", "sent"))])
            purposes = {key for _kind, key in self.ops}
            done = set(
                Receipt.search(
                    [("purpose_key", "in", list(purposes)), ("state", "=", "done")]
                ).mapped("purpose_key")
            )
            pending_keys = set(
                Receipt.search(
                    [("purpose_key", "in", list(purposes)), ("state", "in", ("draft", "sent"))]
                ).mapped("purpose_key")
            )
            refused = purposes - done - pending_keys
        return pending, refused

    def sweep(self, person):
        """What a person does from the lists: "Issue again" on a refused
        receipt whose document has no receipt on its way, "Re-check with
        Checkbox" on the receipts that need a person, and a click again on a
        document whose click failed (no receipt at all)."""
        _pending, refused = self.unsettled()
        for receipt in person.call(
            "fiscal.receipt",
            "search_read",
            [("state", "=", "error"), ("purpose_key", "in", sorted(refused))],
            ["id", "purpose_key"],
            order="id desc",
        ):
            if receipt["purpose_key"] in refused:
                refused.discard(receipt["purpose_key"])
                self.click(person, "fiscal.receipt", "action_retry", receipt["id"])
        for key in refused:  # no receipt at all: the click failed
            kind, _model, record_id = key.split(":")[:3]
            if kind == "sell":
                self.click(person, "account.move", "action_fiscalize", int(record_id))
            elif kind == "return":
                self.click(person, "account.move", "action_fiscal_return", int(record_id))
        attention = person.call(
            "fiscal.receipt",
            "search",
            [("needs_attention", "=", True), ("state", "in", ("draft", "sent"))],
        )
        for receipt_id in attention:
            self.click(person, "fiscal.receipt", "action_recheck", receipt_id)

    def settle(self):
        """The scheduled actions work; people work the lists meanwhile."""
        person = Person(self.url, self.args.db, *ACCOUNTANT)

        def settled():
            self.fake.wait_idle(5)
            pending, refused = self.unsettled()
            return not pending and not refused

        def meanwhile():
            self.sweep(person)
            self.trigger_crons()

        return common.settle(self.args.settle_timeout, settled, meanwhile, 5)

    def results(self):
        """Per operation: settled, left for a person, refused, or lost."""
        fake = self.fake
        with fake.lock:
            vendor = {r["id"]: r for r in fake.fiscal_receipts()}
        with self.registry.cursor() as cr:
            Receipt = self.env(cr)["fiscal.receipt"]
            keys = [key for _kind, key in self.ops]
            receipts = Receipt.search([("purpose_key", "in", keys)])
            by_purpose = {}
            for receipt in receipts:
                by_purpose.setdefault(receipt.purpose_key, []).append(
                    (receipt.uuid, receipt.state, receipt.needs_attention)
                )
            all_uuids = {r.uuid: r.state for r in Receipt.search([])}
        summary = Counter()
        lost = []
        for kind, key in self.ops:
            rows = by_purpose.get(key, [])
            done = [uuid for uuid, state, _flag in rows if state == "done"]
            pending = [row for row in rows if row[1] in ("draft", "sent")]
            if len(done) == 1 and done[0] in vendor and not pending:
                summary[(kind, "settled")] += 1
            elif pending and not done:
                flagged = any(flag for _uuid, _state, flag in pending)
                summary[(kind, "left for a person" if flagged else "not settled yet")] += 1
            elif rows and not done and not pending:
                summary[(kind, "refused, not issued again")] += 1
            else:
                # no receipt at all, or "issued" in Odoo but not at Checkbox
                summary[(kind, "lost")] += 1
                lost.append((kind, key, rows))
        # a receipt Checkbox issued that Odoo does not know, or records as refused
        unknown = [rid for rid in vendor if all_uuids.get(rid) in (None, "error")]
        odoo_dups = sum(
            1 for rows in by_purpose.values() if sum(1 for row in rows if row[1] == "done") > 1
        )
        return summary, lost, unknown, odoo_dups


def main():
    parser = common.parser(
        __doc__,
        db="fiscal_faults_bench",
        seed=42,
        settle_timeout=300.0,
        ops_help="state-changing operations",
        template_help="create the database as a copy of this one",
    )
    parser.add_argument("--people", type=int, default=2, help="accountants clicking at once")
    parser.add_argument("--timeout", type=float, default=0.5, help="Checkbox client timeout (s)")
    common.add_server_options(parser)
    args = parser.parse_args()
    args.counts = {kind: max(1, int(args.ops * share)) for kind, share in OP_SHARES}
    args.counts["sell"] = max(args.counts["sell"], args.counts["return"])
    args.counts["final"] = args.counts["prepayment"]
    args.counts["sell"] += args.ops - sum(args.counts.values())

    common.open_database(args, install="fiscal_ua", update="fiscal_ua", what="fiscal_ua")
    fake_module = common.load_module("fiscal_ua_fake_checkbox", FAKE_PATH)
    fake = fake_module.FakeCheckbox(
        cashiers={CASHIER_LOGIN: CASHIER_PASSWORD},
        license_keys={LICENSE_KEY},
        slow_seconds=args.timeout * 2,
        hang_seconds=args.timeout * 2,
        seed=args.seed,
    ).start()
    registry = Registry(args.db)
    run_tag = f"BF{int(time.time())}"
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        register, provider, uah = prepare(env, fake.url, args)
        cr.commit()
        print(
            f"Preparing {args.counts['sell']} invoices and {args.counts['prepayment']} orders…",
            flush=True,
        )
        invoices, orders = make_documents(env, args.counts, uah, run_tag)
        cr.commit()
    server, url, logfile = common.serve(args, "bench_faults_fiscal", separate_output=False)
    fake.fault_ratio = args.fault_ratio
    bench = Bench(args, registry, url, fake, invoices, orders, provider, uah)
    try:
        print(
            f"Running {args.ops} operations ({args.counts}) with {args.people} accountants, "
            f"{args.fault_ratio:.0%} of Checkbox calls failing…",
            flush=True,
        )
        started = time.monotonic()
        bench.run_operations()
        ops_time = time.monotonic() - started
        print(f"Operations done in {ops_time:.0f} s; settling…", flush=True)
        settle_time, settled = bench.settle()
    finally:
        fault_calls = sum(fake.injected.values())
        fake.fault_ratio = 0.0
        common.stop_server(server)
        fake.stop()
    summary, lost, unknown, odoo_dups = bench.results()
    duplicates = fake.duplicates()
    left = common.count(summary, "left for a person")
    not_settled = common.count(summary, "not settled yet")
    refused_left = common.count(summary, "refused, not issued again")
    n_lost = len(lost) + len(unknown)
    common.print_table(
        "checkbox",
        len(bench.ops),
        len(fake.calls),
        len(duplicates) + odoo_dups,
        n_lost,
        left + not_settled,
        settle_time,
        settled,
    )
    kinds = [kind for kind, _share in OP_SHARES]
    for kind in kinds:
        parts = {what: n for (k, what), n in summary.items() if k == kind}
        print(f"  {kind:<11} {dict(sorted(parts.items()))}")
    print(f"  faults injected: {fault_calls} of {len(fake.calls)} calls {dict(fake.injected)}")
    print(f"  duplicate ids refused by the fake: {fake.duplicate_refusals}")
    print(f"  clicks: {dict(sorted(bench.outcomes.items()))}")
    print(f"  time: operations {ops_time:.0f} s, settling {settle_time:.0f} s")
    if refused_left:
        print(f"  refused by Checkbox and not issued again: {refused_left}")
    if not_settled:
        print(f"  still being reconciled (not yet flagged for a person): {not_settled}")
    if duplicates or odoo_dups:
        print(
            f"  DUPLICATES at the fake: {duplicates}; "
            f"purposes with two issued receipts: {odoo_dups}"
        )
    if lost:
        print(f"  LOST: {lost[:10]}")
    if unknown:
        print(f"  ISSUED AT CHECKBOX, NOT RECORDED AS ISSUED: {unknown[:10]}")
    common.print_footer(logfile, args.db)
    sys.exit(1 if (duplicates or odoo_dups or n_lost) else 0)


if __name__ == "__main__":
    main()
