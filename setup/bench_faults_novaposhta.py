#!/usr/bin/env python3
"""Benchmark: Nova Poshta waybills exactly once while Nova Poshta misbehaves,
with the suite running as a real multi-worker Odoo server.

It takes (--db) or creates a database (from --template with `createdb -T`, or
by installing delivery_novaposhta with demo data), points a Nova Poshta
account at the fake NP server of the addon's tests
(delivery_novaposhta/tests/fake_novaposhta.py) with faults drawn at random
for about 30 % of the calls (seeded): processed then answered too late,
processed late (after the client gave up), hang, connection reset (before or
after NP did the work), 429, 500/502/503, malformed JSON, empty body, HTML
page at HTTP 200, and NP's own refusals — on every call: saves, deletes
(a lost answer on delete), look-ups, tracking, recipients. Then it starts
Odoo as a server (`--workers 2 --max-cron-threads 2`) with the Nova Poshta
scheduled actions (send and settle, reconciliation) every minute and woken
up as a store admin could, and plays the people at work:

- logistics (the demo user `logistics`, one JSON-RPC session each) hand
  assembled orders to delivery (the order flow queues the waybill, the
  scheduled action creates it), sometimes pressing "Create waybill" at the
  same moment (racing the scheduled action), or two of them at once;
- they delete waybills NP has not accepted yet ("Delete waybill"), sometimes
  twice at the same moment from two sessions;
- once all operations are done, they work the lists as a person would:
  "Create waybill" again on orders postponed because NP refused, "Check
  again" on the waybills to check.

It waits until everything settles (or --settle-timeout), then reports the
operations, the vendor calls, the duplicates at the vendor (two live
waybills at the fake NP for the same order; must be 0), the operations lost
(a creation without exactly one live waybill at NP that Odoo records as the
order's, or Odoo recording one NP does not have; a deletion that left the
waybill live at NP, or live in Odoo but gone at NP; must be 0), the
operations left for a person (uncertain outcomes reconciliation could not
settle) and the time to settle. It exits non-zero when duplicates or lost
operations are found.

Usage: setup/bench_faults_novaposhta.py [--db np_faults_bench] [--template DB]
       [--ops 1000] [--seed 42] [--fault-ratio 0.3] [--people 2] [--timeout 0.5]
       [--settle-timeout 300] [--http-port 0] [--addons-path PATHS]
"""

import os
import queue
import sys
import threading
import time
from collections import Counter

import bench_faults_common as common
from bench_faults_common import Person, RpcError, fail

ROOT = common.ROOT
FAKE_PATH = os.path.join(ROOT, "delivery_novaposhta", "tests", "fake_novaposhta.py")
SUITE = "access_roles,crm_order_flow,delivery_novaposhta,sms_club,fiscal_ua"
LOGISTICS = ("logistics", "logistics")  # the demo Logistics user of access_roles
DELETE_SHARE = 0.25  # of the operations: deletions; the rest: creations
LIVE = ("queued", "sending", "uncertain", "created", "deleting")
PENDING = ("queued", "sending", "uncertain", "deleting", "extra")
WAYBILLS_CRON = "delivery_novaposhta.ir_cron_np_waybills"
RECONCILE_CRON = "delivery_novaposhta.ir_cron_np_reconcile"

try:
    import odoo
    from odoo import Command, api
    from odoo.modules.registry import Registry
except ImportError:
    common.odoo_missing()
common.check_odoo_version(odoo)


# ---------------------------------------------------------------------- setup
def prepare(env, fake, fake_module, args):
    """An NP account at the fake (directories synced, sender fetched), a
    Nova Poshta delivery method, the scheduled actions every minute."""
    Account = env["novaposhta.account"].with_context(active_test=False)
    Account.search([("name", "!=", "Bench faults NP account")]).write({"active": False})
    account = Account.search([("name", "=", "Bench faults NP account")], limit=1)
    if not account:
        account = Account.create({"name": "Bench faults NP account"})
    account.write(
        {
            "active": True,
            "api_key": fake_module.VALID_KEY,
            "api_url": fake.url,
            "print_url": fake.print_url,
            "timeout": args.timeout,
            "sender_phone": "+380671112233",
        }
    )
    env["ir.config_parameter"].set_param("delivery_novaposhta.directory_cursor", "")
    cursor = env["novaposhta.city"]._cron_sync_directories(account=account, pages_per_run=50)
    if not cursor or cursor.get("stage") != "done":
        fail(f"the directory sync against the fake did not finish: {cursor}")
    account.action_fetch_sender()
    kyiv = env["novaposhta.city"].search([("ref", "=", "city-kyiv")])
    lviv = env["novaposhta.city"].search([("ref", "=", "city-lviv")])
    Warehouse = env["novaposhta.warehouse"]
    account.write(
        {
            "sender_city_id": kyiv.id,
            "sender_warehouse_id": Warehouse.search([("ref", "=", "wh-city-kyiv-1")]).id,
        }
    )
    carrier = env["delivery.carrier"].search([("name", "=", "Bench faults Nova Poshta")], limit=1)
    if not carrier:
        carrier = env["delivery.carrier"].create(
            {
                "name": "Bench faults Nova Poshta",
                "delivery_type": "novaposhta",
                "integration_level": "rate",
                "order_flow_delivery_kind": "carrier",
                "product_id": env["product.product"]
                .create({"name": "Bench faults NP delivery", "type": "service"})
                .id,
                "np_preset_ids": [
                    Command.create({"name": "Standard", "is_default": True, "weight": 1.0})
                ],
            }
        )
    carrier.np_account_id = account
    params = env["ir.config_parameter"]
    params.set_param("delivery_novaposhta.retry_seconds", str(args.retry_seconds))
    common.fast_crons(env, (WAYBILLS_CRON, RECONCILE_CRON))
    logistics = env["res.users"].search([("login", "=", LOGISTICS[0])], limit=1)
    if not logistics or not logistics.has_group("access_roles.group_role_logistics"):
        fail("the demo Logistics user (login 'logistics') is missing: the database needs demo data")
    branches = Warehouse.search([("city_id", "=", lviv.id), ("category", "=", "branch")])
    return carrier, lviv, branches


def make_orders(env, count, carrier, city, branches, run_tag):
    """Confirmed orders of a customer with a mobile, to a Nova Poshta branch,
    put in “Assembled” (as the warehouse leaves them)."""
    partner = env["res.partner"].search([("name", "=", "Bench faults NP customer")], limit=1)
    if not partner:
        partner = env["res.partner"].create(
            {"name": "Bench faults NP customer", "mobile": "+380501112233"}
        )
    product = env["product.product"].search([("default_code", "=", "BENCHNP-1")], limit=1)
    if not product:
        product = env["product.product"].create(
            {"name": "Bench faults NP product", "default_code": "BENCHNP-1", "type": "consu"}
        )
    assembled = env["sale.order.stage"]._get_by_code("assembled")
    order_ids = []
    for start in range(0, count, 100):
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "carrier_id": carrier.id,
                    "client_order_ref": f"{run_tag}-{i:05d}",
                    "np_recipient_name": "Коваленко Ольга",
                    "np_city_id": city.id,
                    "np_warehouse_id": branches[i % len(branches)].id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1 + i % 3,
                                "price_unit": 100.0 + 10 * (i % 37),
                            }
                        )
                    ],
                }
                for i in range(start, min(start + 100, count))
            ]
        )
        env.flush_all()
        # the warehouse assembled them (its own steps are not what is measured)
        env.cr.execute(
            "UPDATE sale_order SET stage_id = %s, state = 'sale' WHERE id IN %s",
            [assembled.id, tuple(orders.ids)],
        )
        order_ids += orders.ids
        env.cr.commit()
    env.invalidate_all()
    return order_ids


# ---------------------------------------------------------------------- the run
class Bench(common.BenchBase):
    def __init__(self, args, registry, url, fake, order_ids):
        super().__init__(args, registry, url, fake)  # ops: (kind, order id)
        self.order_ids = order_ids
        self.reconciled = 0.0
        with registry.cursor() as cr:
            env = self.env(cr)
            self.to_delivery = env["sale.order.stage"]._get_by_code("to_delivery").id
            self.names = dict(
                (order.id, order.name) for order in env["sale.order"].browse(order_ids)
            )

    def trigger_crons(self):
        """As a store admin could ("Run manually"): the scheduled actions now
        (the reconciliation, which reads NP's whole list, every 30 s)."""
        crons = [WAYBILLS_CRON]
        if time.monotonic() - self.reconciled > 30:
            crons.append(RECONCILE_CRON)
            self.reconciled = time.monotonic()
        common.trigger_crons(self.registry, crons)

    def ready_for_deletion(self, created):
        """The position in ``created`` of an order handed over more than 3 s
        ago whose waybill exists at NP and is not accepted yet (None: none)."""
        now = time.monotonic()
        candidates = [order_id for when, order_id in created if now - when > 3]
        if not candidates:
            return None
        with self.registry.cursor() as cr:
            ready = set(
                self.env(cr)["novaposhta.waybill"]
                .search(
                    [
                        ("order_id", "in", candidates),
                        ("state", "=", "created"),
                        ("status_code", "in", (False, "1")),
                    ]
                )
                .mapped("order_id")
                .ids
            )
        for position, (_when, order_id) in enumerate(created):
            if order_id in ready:
                return position
        return None

    # ---- people
    def call(self, person, label, model, method, *args):
        try:
            result = person.call(model, method, *args)
        except RpcError as exc:
            self.note(f"{label}: {exc.name.rsplit('.', 1)[-1]}")
            return None
        kind = result.get("params", {}).get("type", "done") if isinstance(result, dict) else "done"
        self.note(f"{label}: {kind}")
        return kind

    def hand_over(self, person, order_id):
        return self.call(
            person,
            "hand to delivery",
            "sale.order",
            "write",
            [order_id],
            {"stage_id": self.to_delivery},
        )

    def create_click(self, person, order_id):
        return self.call(
            person, "create waybill", "sale.order", "action_np_create_waybill", [order_id]
        )

    def delete_click(self, person, order_id):
        return self.call(
            person, "delete waybill", "sale.order", "action_np_delete_waybill", [order_id]
        )

    def person_loop(self, index, people):
        person = people[index]
        while True:
            try:
                item = self.work.get(timeout=0.5)
            except queue.Empty:
                if self.feeding_done.is_set():
                    return
                continue
            try:
                kind, order_id, race = item
                if kind == "create":
                    self.hand_over(person, order_id)
                    if race == "click":  # "Create waybill" while the scheduled action works
                        self.create_click(person, order_id)
                    elif race == "double":  # two colleagues at the same moment
                        self.both(people, self.create_click, order_id)
                else:
                    if race == "double":
                        self.both(people, self.delete_click, order_id)
                    else:
                        self.delete_click(person, order_id)
            finally:
                self.work.task_done()

    def both(self, people, click, order_id):
        barrier = threading.Barrier(2)

        def run(person):
            barrier.wait()
            click(person, order_id)

        threads = [threading.Thread(target=run, args=(p,)) for p in people[:2]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def run_operations(self):
        self.feeding_done = threading.Event()
        people = [
            Person(self.url, self.args.db, *LOGISTICS) for _index in range(max(self.args.people, 2))
        ]
        workers = [
            threading.Thread(target=self.person_loop, args=(index, people), daemon=True)
            for index in range(self.args.people)
        ]
        for thread in workers:
            thread.start()
        n_delete = int(self.args.ops * DELETE_SHARE)
        creations = list(self.order_ids)
        self.random.shuffle(creations)
        created = []  # handed over, candidates for a deletion
        deletions = 0
        last_trigger = time.monotonic()
        next_progress = 100
        while creations or deletions < n_delete:
            if creations and (deletions >= n_delete or self.random.random() < 0.75 or not created):
                order_id = creations.pop()
                race = self.random.choices(("none", "click", "double"), (0.8, 0.12, 0.08))[0]
                self.work.put(("create", order_id, race))
                self.ops.append(("create", order_id))
                created.append((time.monotonic(), order_id))
            else:
                # a waybill handed over a while ago: deleted once it exists at NP
                ready = self.ready_for_deletion(created)
                if ready is None:
                    if not creations:
                        if not created:
                            break
                        self.trigger_crons()
                        time.sleep(1)
                    elif deletions < n_delete:
                        time.sleep(0.2)
                    continue
                order_id = created.pop(ready)[1]
                race = self.random.choices(("none", "double"), (0.9, 0.1))[0]
                self.work.put(("delete", order_id, race))
                self.ops.append(("delete", order_id))
                deletions += 1
            if len(self.ops) >= next_progress:
                print(f"  … {len(self.ops)} of {self.args.ops} operations started", flush=True)
                next_progress += 100
            if time.monotonic() - last_trigger > 5:
                self.trigger_crons()
                last_trigger = time.monotonic()
            self.throttle()
        self.finish(workers)

    def unsettled(self):
        """Waybills the scheduled actions still work on; orders postponed
        because NP refused (a person creates the waybill again); waybills NP
        refused to delete (a person deletes them again); waybills at the
        fake that Odoo does not know yet."""
        created_ops = {order_id for kind, order_id in self.ops if kind == "create"}
        deleted_ops = {order_id for kind, order_id in self.ops if kind == "delete"}
        with self.registry.cursor() as cr:
            env = self.env(cr)
            Waybill = env["novaposhta.waybill"]
            pending = Waybill.search_count(
                [("state", "in", PENDING), ("needs_attention", "=", False)]
            )
            live = Waybill.search([("order_id", "in", list(created_ops)), ("state", "in", LIVE)])
            with_waybill = set(live.mapped("order_id").ids)
            still_created = set(
                live.filtered(lambda w: w.state == "created").mapped("order_id").ids
            )
            refused = {
                "create": sorted(created_ops - deleted_ops - with_waybill),
                "delete": sorted(still_created & deleted_ops),
            }
            known = set(Waybill.search([("ref", "!=", False)]).mapped("ref"))
        unknown = [w for w in self.fake.live_waybills() if w["Ref"] not in known]
        return pending, refused, unknown

    def sweep(self, person):
        """What a person does from the lists: "Create waybill" again on an
        order NP refused (it was postponed), "Delete waybill" again when NP
        refused the deletion, "Check again" on the waybills to check."""
        _pending, refused, _unknown = self.unsettled()
        for order_id in refused["create"]:
            self.create_click(person, order_id)
        for order_id in refused["delete"]:
            self.delete_click(person, order_id)
        attention = person.call("novaposhta.waybill", "search", [("needs_attention", "=", True)])
        if attention:
            self.call(person, "check again", "novaposhta.waybill", "action_np_recheck", attention)

    def settle(self):
        """The scheduled actions work; people work the lists meanwhile."""
        person = Person(self.url, self.args.db, *LOGISTICS)
        state = {"pending": 0, "swept": 0.0}

        def settled():
            pending, refused, unknown = self.unsettled()
            state["pending"] = pending
            return not pending and not any(refused.values()) and not unknown

        def meanwhile():
            if not state["pending"] and time.monotonic() - state["swept"] > 10:
                self.sweep(person)
                state["swept"] = time.monotonic()
            self.trigger_crons()

        return common.settle(self.args.settle_timeout, settled, meanwhile, 3)

    def results(self):
        """Per operation: settled, left for a person, or lost."""
        live_at_np = {}
        with self.fake.lock:
            for waybill in self.fake.waybills.values():
                if waybill["StatusCode"] != "2":
                    live_at_np.setdefault(waybill.get("ClientBarcode"), []).append(waybill["Ref"])
            states_at_np = {w["Ref"]: w["StatusCode"] for w in self.fake.waybills.values()}
        deleted_ops = {order_id for kind, order_id in self.ops if kind == "delete"}
        summary = Counter()
        lost = []
        with self.registry.cursor() as cr:
            env = self.env(cr)
            Waybill = env["novaposhta.waybill"]
            for kind, order_id in self.ops:
                name = self.names[order_id]
                records = Waybill.search([("order_id", "=", order_id)])
                live = records.filtered(lambda w: w.state in LIVE)
                flagged = records.filtered("needs_attention")
                at_np = live_at_np.get(name, [])
                if kind == "create" and order_id in deleted_ops:
                    # created, then deleted: judged as a deletion
                    summary[(kind, "settled")] += 1
                    continue
                if flagged:
                    summary[(kind, "left for a person")] += 1
                    continue
                if kind == "create":
                    ok = (
                        len(at_np) == 1
                        and len(live) == 1
                        and live.state == "created"
                        and live.ref == at_np[0]
                        and env["sale.order"].browse(order_id).np_waybill_id == live
                    )
                else:
                    deleted = records.filtered(lambda w: w.state == "deleted" and w.ref)
                    ok = (
                        not at_np
                        and not live
                        and bool(deleted)
                        and all(states_at_np.get(w.ref) == "2" for w in deleted)
                    )
                refused = (
                    kind == "create"
                    and not live
                    and not at_np
                    and env["sale.order"].browse(order_id).stage_id.code == "delivery_postponed"
                ) or (
                    kind == "delete"
                    and live.state == "created"
                    and at_np == [live.ref]
                    and live.status_code in (False, "1")
                )
                if ok:
                    summary[(kind, "settled")] += 1
                elif live.filtered(lambda w: w.state in PENDING):
                    summary[(kind, "not settled yet")] += 1
                elif refused:
                    # NP's refusal was shown to the person (no uncertainty)
                    summary[(kind, "refused by NP, reported")] += 1
                else:
                    summary[(kind, "lost")] += 1
                    lost.append((kind, name, [(w.state, w.ref) for w in records], at_np))
            odoo_dups = 0
            cr.execute(
                "SELECT order_id FROM novaposhta_waybill WHERE state IN %s "
                "GROUP BY order_id HAVING count(*) > 1",
                [LIVE],
            )
            odoo_dups = len(cr.fetchall())
        return summary, lost, odoo_dups


def main():
    parser = common.parser(
        __doc__,
        db="np_faults_bench",
        seed=42,
        settle_timeout=300.0,
        ops_help="state-changing operations",
        template_help="create the database as a copy of this one",
    )
    parser.add_argument("--people", type=int, default=2, help="logistics clicking at once")
    parser.add_argument("--timeout", type=float, default=0.5, help="NP client timeout (s)")
    parser.add_argument(
        "--retry-seconds",
        type=float,
        default=3.0,
        help="pause before an uncertain request is looked up and sent again (the system "
        "parameter delivery_novaposhta.retry_seconds)",
    )
    common.add_server_options(parser)
    args = parser.parse_args()
    n_create = args.ops - int(args.ops * DELETE_SHARE)

    began = time.monotonic()
    common.open_database(args, install="delivery_novaposhta", update=SUITE, what="the suite")
    fake_module = common.load_module("np_bench_faults_fake", FAKE_PATH)
    fake = fake_module.FakeNovaPoshta(
        slow_seconds=args.timeout * 2,
        late_seconds=args.timeout * 2,
        seed=args.seed,
    ).start()
    registry = Registry(args.db)
    run_tag = f"BNP{int(time.time())}"
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        carrier, city, branches = prepare(env, fake, fake_module, args)
        cr.commit()
        print(f"Preparing {n_create} assembled orders…", flush=True)
        order_ids = make_orders(env, n_create, carrier, city, branches, run_tag)
        cr.commit()
    fake.calls.clear()
    server, url, logfile = common.serve(args, "bench_faults_novaposhta", separate_output=True)
    prep_time = time.monotonic() - began
    fake.random_faults = args.fault_ratio
    bench = Bench(args, registry, url, fake, order_ids)
    try:
        print(
            f"Running {args.ops} operations ({n_create} creations, the rest deletions) with "
            f"{args.people} logistics, {args.fault_ratio:.0%} of NP calls failing…",
            flush=True,
        )
        started = time.monotonic()
        bench.run_operations()
        ops_time = time.monotonic() - started
        fake.random_faults = 0.0  # the vendor recovers; what is left must settle
        fault_calls = sum(fake.faults_served.values())
        print(f"Operations done in {ops_time:.0f} s; settling…", flush=True)
        fake.process_late()
        settle_time, settled = bench.settle()
    finally:
        fake.random_faults = 0.0
        common.stop_server(server)
        fake.process_late()
    summary, lost, odoo_dups = bench.results()
    duplicates = fake.duplicates()
    fake.stop()
    left = common.count(summary, "left for a person")
    not_settled = common.count(summary, "not settled yet")
    common.print_table(
        "novaposhta",
        len(bench.ops),
        len(fake.calls),
        len(duplicates) + odoo_dups,
        len(lost),
        left + not_settled,
        settle_time,
        settled,
    )
    for kind in ("create", "delete"):
        parts = {what: n for (k, what), n in summary.items() if k == kind}
        print(f"  {kind:<7} {dict(sorted(parts.items()))}")
    print(
        f"  faults injected: {fault_calls} of the calls {dict(sorted(fake.faults_served.items()))}"
    )
    print(f"  clicks: {dict(sorted(bench.outcomes.items()))}")
    print(
        f"  time: preparation {prep_time:.0f} s, operations {ops_time:.0f} s, "
        f"settling {settle_time:.0f} s"
    )
    if not_settled:
        print(f"  still being reconciled (not yet flagged for a person): {not_settled}")
    if duplicates or odoo_dups:
        print(f"  DUPLICATES at the fake: {duplicates}; orders with two live waybills: {odoo_dups}")
    if lost:
        print(f"  LOST: {lost[:10]}")
    common.print_footer(logfile, args.db)
    sys.exit(1 if (duplicates or odoo_dups or lost) else 0)


if __name__ == "__main__":
    main()
