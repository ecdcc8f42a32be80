#!/usr/bin/env python3
"""Benchmark: “Try on past orders” (the dry-run of an automation rule) on
10,000 orders of the last week, for a shipped message rule (“Arrived at pickup
point: tell the customer”: one SMS / e-mail per order, rendered) and a shipped
status rule (“Assembled: hand over to delivery”: the move decided by the
status matrix and the validations).

It reports the wall time and SQL queries of each dry-run, and how many orders
would be acted on, skipped or refused. Figures are printed, never asserted.
Everything runs in one transaction that is rolled back: the database is left
as it was.

Usage: setup/bench_rule_dry_run.py --db DB [--orders 10000]
(DB: a database with crm_order_flow installed, e.g. the one `setup/run` makes.)
"""

import argparse
import os
import sys
import time
from collections import Counter
from datetime import timedelta

try:
    import odoo
    from odoo import Command, api, fields
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("setup/bench_rule_dry_run.py: Odoo 18 is not importable (see README, Prerequisites).")

RULES = [
    ("message rule", "crm_order_flow.automation_14_at_point", "at_pickup_point"),
    ("status rule", "crm_order_flow.automation_09_assembled", "assembled"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--orders", type=int, default=10000)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    addons = ",".join([os.path.join(os.path.dirname(odoo.__file__), "addons"), root])
    config.parse_config(["-d", args.db, "--log-level=warn", f"--addons-path={addons}"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        customers = env["res.partner"].create(
            [
                {"name": "Bench customer SMS", "mobile": "+380501112233"},
                {"name": "Bench customer email", "email": "bench@example.com"},
                {"name": "Bench customer silent", "mobile": "+380501112234"},
            ]
        )
        customers[1].order_notify_channel = "email"
        customers[2].order_notify_channel = "none"
        product = env["product.product"].create({"name": "Bench item", "type": "consu"})
        carrier = env.ref("crm_order_flow.carrier_self_pickup")
        now = fields.Datetime.now()
        print(f"preparing {args.orders} orders in the last 7 days …")
        start = time.perf_counter()
        orders = env["sale.order"].with_context(mail_create_nolog=True)
        # Orders created without the rules (faster); their status visits are
        # then spread over the week, half of them in each measured status.
        rules = env["base.automation"].search([("model_name", "=", "sale.order")])
        rules.write({"active": False})
        for batch in range(0, args.orders, 1000):
            count = min(1000, args.orders - batch)
            orders |= orders.create(
                [
                    {
                        "partner_id": customers[index % 3].id,
                        # every tenth order without a delivery method: its
                        # move to delivery is refused by the validations
                        "carrier_id": False if index % 10 == 0 else carrier.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "price_unit": 10})
                        ],
                    }
                    for index in range(batch, batch + count)
                ]
            )
        half = len(orders) // 2
        stages = {code: env["sale.order.stage"]._get_by_code(code) for _name, _xmlid, code in RULES}
        for position, (_name, _xmlid, code) in enumerate(RULES):
            part = orders[position * half : (position + 1) * half]
            cr.execute(
                "UPDATE sale_order SET stage_id = %s, state = 'sale' WHERE id IN %s",
                [stages[code].id, tuple(part.ids)],
            )
            cr.execute(
                """
                INSERT INTO sale_order_stage_history
                    (order_id, stage_id, company_id, cause, user_id, date_in)
                SELECT id, %s, company_id, 'user', 1,
                       %s - (random() * interval '7 days')
                  FROM sale_order WHERE id IN %s
                """,
                [stages[code].id, now, tuple(part.ids)],
            )
        rules.write({"active": True})
        env.invalidate_all()
        cr.execute("ANALYZE")
        print(f"prepared in {time.perf_counter() - start:.0f} s")
        Wizard = env["base.automation.dry.run"]
        print()
        print("| rule | orders tried | time | queries | outcomes |")
        print("|---|---|---|---|---|")
        for name, xmlid, _code in RULES:
            rule = env.ref(xmlid)
            env.invalidate_all()
            queries = cr.sql_log_count
            started = time.perf_counter()
            rows = Wizard._order_flow_dry_run(rule, now - timedelta(days=7), now)
            elapsed = time.perf_counter() - started
            outcomes = Counter(row["result"] for row in rows)
            print(
                f"| {name} ({rule.name}) | {len(rows)} | {elapsed:.1f} s "
                f"({elapsed * 1000 / max(len(rows), 1):.2f} ms/order) | "
                f"{cr.sql_log_count - queries} | "
                + ", ".join(f"{key} {value}" for key, value in sorted(outcomes.items()))
                + " |"
            )
        cr.rollback()


if __name__ == "__main__":
    main()
