#!/usr/bin/env python3
"""Benchmark: the Nova Poshta tracking sync over 10,000 active waybills.

Starts the fake Nova Poshta server of the addon's tests
(delivery_novaposhta/tests/fake_novaposhta.py) with a simulated latency per
call (100 ms by default), creates N orders “handed to delivery” with one
active waybill each, in a transaction that is rolled back at the end, and
runs the tracking sync (the scheduled action's method) several times:

  1. nothing changed at NP (the steady state between two runs);
  2. for each share of ``--changed`` (1 % and 3 % by default), that many
     other waybills moved to “on the way” (NP code 5): their orders move to
     “In delivery”, with a chatter message and a status-history row each.

For each pass it reports the API calls (the floor is N / 100), the total
time, the time spent waiting on HTTP, the time outside the network (total
minus HTTP: database and Python), their ratio (target ≤ 25 %), and SQL
queries per waybill. It measures; it asserts nothing.

Usage: setup/bench_novaposhta.py --db DB [--waybills 10000] [--latency 0.1] [--changed 0.01,0.03]
The database must have delivery_novaposhta installed.
"""

import argparse
import importlib.util
import os
import sys
import time
from datetime import datetime, timedelta

try:
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("setup/bench_novaposhta.py: Odoo 18 is not importable (see README, Prerequisites).")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_PATH = os.path.join(ROOT, "delivery_novaposhta", "tests", "fake_novaposhta.py")


def load_fake():
    spec = importlib.util.spec_from_file_location("np_bench_fake", FAKE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(env, fake_module, fake, count):
    account = env["novaposhta.account"].create(
        {
            "name": "Bench NP account",
            "api_key": fake_module.VALID_KEY,
            "api_url": fake.url,
            "print_url": fake.print_url,
            "timeout": 10.0,
        }
    )
    carrier = env["delivery.carrier"].create(
        {
            "name": "Bench Nova Poshta",
            "delivery_type": "novaposhta",
            "integration_level": "rate",
            "np_account_id": account.id,
            "product_id": env["product.product"]
            .create({"name": "Bench NP delivery", "type": "service"})
            .id,
        }
    )
    customer = env["res.partner"].create({"name": "Bench customer", "mobile": "+380501112233"})
    print(f"preparing {count} orders with an active waybill each …", flush=True)
    orders = env["sale.order"].create(
        [{"partner_id": customer.id, "carrier_id": carrier.id} for _ in range(count)]
    )
    to_delivery = env["sale.order.stage"]._get_by_code("to_delivery")
    env.flush_all()
    env.cr.execute(
        "UPDATE sale_order SET stage_id = %s, state = 'sale' WHERE id IN %s",
        [to_delivery.id, tuple(orders.ids)],
    )
    env.cr.execute(
        "UPDATE sale_order_stage_history SET stage_id = %s WHERE order_id IN %s",
        [to_delivery.id, tuple(orders.ids)],
    )
    created = datetime.now().replace(microsecond=0) - timedelta(days=1)
    vals = []
    for order in orders:
        row = fake.add_waybill(status="4", Created=created)
        vals.append(
            {
                "order_id": order.id,
                "carrier_id": carrier.id,
                "account_id": account.id,
                "state": "created",
                "name": row["Number"],
                "ref": row["Ref"],
                "recipient_phone": "380501112233",
                "status_code": "4",
                "status_text": fake_module.STATUS_TEXT["4"],
                "scheduled_delivery_date": created + timedelta(days=2),
                "tracking_active": True,
            }
        )
    waybills = env["novaposhta.waybill"].create(vals)
    env.flush_all()
    env.cr.execute(
        "UPDATE sale_order o SET np_waybill_id = w.id, delivery_tracking_ref = w.name "
        "FROM novaposhta_waybill w WHERE w.order_id = o.id AND o.id IN %s",
        [tuple(orders.ids)],
    )
    env.invalidate_all()
    env.cr.execute("ANALYZE")
    return waybills


def run_pass(env, label, count):
    Waybill = env["novaposhta.waybill"]
    env.flush_all()
    env.invalidate_all()
    stats = {}
    queries_before = env.cr.sql_log_count
    start = time.perf_counter()
    Waybill._cron_sync_tracking(stats=stats)
    env.flush_all()
    total = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries_before
    network = stats.get("network_seconds", 0.0)
    outside = total - network
    print(
        f"| {label} | {stats.get('calls', 0)} | {stats.get('changed', 0)} | {total:.2f} s | "
        f"{network:.2f} s | {outside:.2f} s | {outside / network * 100 if network else 0:.1f} % | "
        f"{queries / count:.3f} |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--waybills", type=int, default=10000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per API call")
    parser.add_argument(
        "--changed",
        type=lambda text: [float(part) for part in text.split(",") if part],
        default=[0.01, 0.03],
        help="comma-separated shares of the waybills that change status, one pass each",
    )
    args = parser.parse_args()
    addons = ",".join([os.path.join(os.path.dirname(odoo.__file__), "addons"), ROOT])
    config.parse_config(["-d", args.db, "--log-level=warn", f"--addons-path={addons}"])
    fake_module = load_fake()
    fake = fake_module.FakeNovaPoshta(latency=args.latency).start()
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US"})
            company = env.company
            company.order_flow_window_start, company.order_flow_window_end = 0.0, 24.0
            waybills = prepare(env, fake_module, fake, args.waybills)
            print(
                f"\n{args.waybills} active waybills, {args.latency * 1000:.0f} ms per API call "
                f"(API call floor: {-(-args.waybills // 100)})\n"
            )
            print(
                "| pass | API calls | waybills changed | total | waiting on HTTP | "
                "outside the network | outside / network | SQL queries per waybill |"
            )
            print("|---|---|---|---|---|---|---|---|")
            run_pass(env, "nothing changed", args.waybills)
            offset = 0
            for share in args.changed:
                count = int(round(args.waybills * share))
                for waybill in waybills[offset : offset + count]:
                    fake.set_status(waybill.name, "5")
                offset += count
                run_pass(env, f"{share:.0%} moved to code 5", args.waybills)
            cr.rollback()
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
