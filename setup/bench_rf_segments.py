#!/usr/bin/env python3
"""Benchmark: the customer segments' recomputation over a large store.

Generates with SQL 200,000 customers (contacts with a sanitized phone number)
and 1,000,000 orders, most of them completed, spread over two years, then
times the full recomputation (``rf.customer._rf_recompute``: one SQL
aggregation, then the segment visits created through the ORM in batches) on
the first run (every customer enters a segment) and on a second run (nothing
moves), with the process's peak memory; then the cost per customer of a
campaign rule (a segment entry rule active, visits created and messages
queued) on a sample. Figures are printed, never asserted. Everything runs in
one transaction that is rolled back: the database is left as it was.

Usage: setup/bench_rf_segments.py --db DB [--customers 200000] [--orders 1000000]
(DB: a database with crm_rf_segments installed.)
"""

import argparse
import os
import resource
import sys
import time

try:
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("setup/bench_rf_segments.py: Odoo 18 is not importable (see README, Prerequisites).")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(env, customers, orders):
    cr = env.cr
    company = env.company
    start = time.perf_counter()
    cr.execute(
        """
        INSERT INTO res_partner (name, phone, mobile, phone_sanitized, active, type,
                                 autopost_bills, customer_rank, create_date, write_date)
        SELECT 'Bench customer ' || g, '+38050' || lpad(g::text, 7, '0'),
               '+38050' || lpad(g::text, 7, '0'), '+38050' || lpad(g::text, 7, '0'),
               true, 'contact', 'ask', 1, now(), now()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        [customers],
    )
    first_id = min(row[0] for row in cr.fetchall())
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id "
        "WHERE id >= %s AND commercial_partner_id IS NULL",
        [first_id],
    )
    stages = env["sale.order.stage"]
    done = stages._get_by_code("done").id
    returned = stages._get_by_code("returned").id
    new = stages._get_by_code("new").id
    # Orders: a skewed number per customer, 85% completed, dates over 2 years.
    cr.execute(
        """
        INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id,
                                company_id, date_order, picking_policy, delivery_cod_state,
                                state, stage_id, amount_total, amount_untaxed, currency_id,
                                create_date, write_date)
        SELECT 'BENCH' || g, p, p, p, %(company)s,
               now() - make_interval(days => (random() * 730)::int),
               'direct', 'none', 'sale',
               CASE WHEN random() < 0.85 THEN %(done)s
                    WHEN random() < 0.5 THEN %(returned)s ELSE %(new)s END,
               round((100 + random() * 4900)::numeric, 2),
               round((100 + random() * 4900)::numeric, 2), %(currency)s, now(), now()
          FROM (
              SELECT g, %(first)s + floor(power(random(), 2) * %(customers)s)::int AS p
                FROM generate_series(1, %(orders)s) g
          ) s
        """,
        {
            "company": company.id,
            "done": done,
            "returned": returned,
            "new": new,
            "currency": company.currency_id.id,
            "first": first_id,
            "customers": customers,
            "orders": orders,
        },
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE sale_order")
    print(
        f"generated {customers:,} customers and {orders:,} orders with SQL in "
        f"{time.perf_counter() - start:.1f} s"
    )
    return first_id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    addons = ",".join(
        [os.path.join(os.path.dirname(odoo.__file__), "addons"), root, os.path.join(root, "tests")]
    )
    config.parse_config(["-d", args.db, "--log-level=warn", f"--addons-path={addons}"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        if "rf.customer" not in env:
            sys.exit(f"setup/bench_rf_segments.py: crm_rf_segments is not installed in {args.db}.")
        try:
            company = env.company
            company.order_flow_window_start, company.order_flow_window_end = 0.0, 24.0
            Rule = env["base.automation"].with_context(active_test=False)
            rules = Rule.search([("model_id.model", "=", "rf.segment.visit")])
            rules.write({"active": False})
            generate(env, args.customers, args.orders)
            Customer = env["rf.customer"]
            for label in ("first run (every customer enters a segment)", "second run (no move)"):
                memory_before = peak_mb()
                start = time.perf_counter()
                visits = Customer._rf_recompute()
                env.flush_all()
                elapsed = time.perf_counter() - start
                print(
                    f"recomputation, {label}: {elapsed:.1f} s, "
                    f"{Customer.search_count([]):,} customers, {len(visits):,} moves, "
                    f"peak memory {peak_mb():.0f} MB (before: {memory_before:.0f} MB)"
                )
            # Campaign trigger cost: a sample of customers moved to "New" with
            # the segment's entry rule active (visit + rule + SMS queued).
            rule = env.ref("crm_rf_segments.automation_segment_new_entry")
            sample = Customer.search([], limit=args.sample)
            Visit = env["rf.segment.visit"].with_context(tracking_disable=True)
            new = env.ref("crm_rf_segments.segment_new")
            vals = [
                {"customer_id": c.id, "partner_id": c.partner_id.id, "segment_id": new.id}
                for c in sample
            ]
            env.flush_all()
            start = time.perf_counter()
            Visit.create(vals)
            env.flush_all()
            plain = time.perf_counter() - start
            rule.active = True
            env.flush_all()
            start = time.perf_counter()
            Visit.create(vals)
            env.flush_all()
            with_rule = time.perf_counter() - start
            sent = env["rf.segment.message"].search_count([("state", "in", ("sent", "held"))])
            print(
                f"campaign trigger on {len(sample)} customers: {with_rule * 1000 / len(sample):.2f}"
                f" ms/customer with the entry rule ({sent} messages queued), "
                f"{plain * 1000 / len(sample):.2f} ms/customer without"
            )
        finally:
            cr.rollback()
            print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main()
