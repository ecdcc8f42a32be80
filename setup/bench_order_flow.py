#!/usr/bin/env python3
"""Benchmark: 1,000 orders moved through agreed → to_assembly → assembling →
assembled (→ to_delivery by the rule) with the shipped automation rules active,
compared with the same status writes while the order-flow rules are switched off.

Per transition it reports wall time and SQL queries, and the ratio rules/plain
(target ≤ 2). Figures are printed, never asserted. Everything runs in one
transaction that is rolled back: the database is left as it was.

Usage: setup/bench_order_flow.py --db DB [--orders 1000]
(DB: a database with crm_order_flow installed, e.g. the one `setup/run` makes.)
"""

import argparse
import os
import sys
import time

try:
    import odoo
    from odoo import Command, api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("setup/bench_order_flow.py: Odoo 18 is not importable (see README, Prerequisites).")

STEPS = ["to_assembly", "assembling", "assembled"]


def run_pass(env, orders, label):
    Stage = env["sale.order.stage"]
    results = []
    for code in STEPS:
        stage = Stage._get_by_code(code)
        env.flush_all()
        queries_before = env.cr.sql_log_count
        start = time.perf_counter()
        for order in orders:
            order._order_flow_write_stage(stage, cause="rule")
        # What the commit of the moves writes too (precommit work included).
        env.cr.flush()
        elapsed = time.perf_counter() - start
        results.append((code, elapsed, env.cr.sql_log_count - queries_before))
    print(
        f"{label}: "
        + ", ".join(f"{c} {t * 1000 / len(orders):.2f} ms/order" for c, t, _ in results)
    )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    addons = ",".join([os.path.join(os.path.dirname(odoo.__file__), "addons"), root])
    config.parse_config(["-d", args.db, "--log-level=warn", f"--addons-path={addons}"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        company.order_flow_window_start, company.order_flow_window_end = 0.0, 24.0
        customer = env["res.partner"].create({"name": "Bench customer", "mobile": "+380501112233"})
        product = env["product.product"].create({"name": "Bench item", "type": "consu"})
        carrier = env.ref("crm_order_flow.carrier_self_pickup")
        agreed = env["sale.order.stage"]._get_by_code("agreed")

        def make_orders():
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "carrier_id": carrier.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "price_unit": 10})
                        ],
                    }
                    for _ in range(args.orders)
                ]
            )
            # The auto-reservation rule has confirmed them; confirm any it left.
            orders.filtered(lambda o: o.state == "draft").action_confirm()
            # Paid and agreed: the starting point of the measured moves.
            orders._order_flow_write_stage(agreed, cause="rule")
            env.cr.execute(
                "UPDATE sale_order SET order_payment_state = 'paid', paid_amount = amount_total "
                "WHERE id IN %s",
                [tuple(orders.ids)],
            )
            env.invalidate_all()
            return orders

        print(f"preparing 2 × {args.orders} orders (the same way for both passes) …")
        first, second = make_orders(), make_orders()
        # A live database has planner statistics (autovacuum); rows created in
        # this open transaction have none until they are analysed.
        env.flush_all()
        env.cr.execute("ANALYZE")
        with_rules = run_pass(env, first, "rules on ")
        if "sale.order.automation.log" in env:
            # The rules' runs are recorded as they go (crm_order_flow's journal).
            journal = env["sale.order.automation.log"].search_count([("order_id", "in", first.ids)])
            print(f"automation journal: {journal} entries for the {args.orders} orders")
        rules = env["base.automation"].search([("model_name", "=", "sale.order")])
        rules.write({"active": False})
        plain = run_pass(env, second, "rules off")
        print()
        print("| transition | rules on (ms/order, queries/order) | rules off | time ratio |")
        print("|---|---|---|---|")
        for (code, t_on, q_on), (_c, t_off, q_off) in zip(with_rules, plain, strict=True):
            n = args.orders
            print(
                f"| → {code} | {t_on * 1000 / n:.2f} ms, {q_on / n:.1f} q | "
                f"{t_off * 1000 / n:.2f} ms, {q_off / n:.1f} q | {t_on / t_off:.2f} |"
            )
        cr.rollback()


if __name__ == "__main__":
    main()
