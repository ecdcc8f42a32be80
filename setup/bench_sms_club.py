#!/usr/bin/env python3
"""Benchmark: sending 5,000 queued messages through SMS Club.

Starts the local fake SMS Club of the addon's tests (sms_club/tests/fake_smsclub.py)
with 50 ms latency per request, points the company of an existing database that has
`sms_club` installed at it, queues N messages (half with one shared text, half each
with its own text) as Odoo's SMS queue holds them, and sends them the way Odoo's queue
runner does (`sms.sms.send`, without the runner's commits between batches). It reports
the number of SMS Club calls (the floor is one call per 100 numbers), the total time
and messages per second, and how many messages were sent, failed or sent twice.
Everything happens in one transaction that is rolled back at the end; the figures are
printed, never asserted.

Usage: setup/bench_sms_club.py --db sms_bench [--messages 5000] [--latency 0.05]
"""

import argparse
import importlib.util
import os
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_PATH = os.path.join(ROOT, "sms_club", "tests", "fake_smsclub.py")


def fail(message):
    print(f"setup/bench_sms_club.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    fail("Odoo 18 is not importable (python3 -c 'import odoo' fails).")


def load_fake():
    spec = importlib.util.spec_from_file_location("fake_smsclub", FAKE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a database with sms_club installed")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    args = parser.parse_args()

    addons = ",".join(
        [os.path.join(os.path.dirname(odoo.__file__), "addons"), ROOT, os.path.join(ROOT, "tests")]
    )
    config.parse_config([f"--addons-path={addons}", "--log-level=warn"])
    fake_module = load_fake()
    fake = fake_module.FakeSmsClub(latency=args.latency).start()
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            if "sms.club.message" not in env:
                fail(f"sms_club is not installed in {args.db}")
            run(env, fake, fake_module.TOKEN, args)
            cr.rollback()
    finally:
        fake.stop()


def run(env, fake, token, args):
    company = env.company
    sender = env["sms.club.sender"].create({"name": "MyShop", "kind": "sms"})
    company.write(
        {
            "smsclub_enabled": True,
            "smsclub_url": fake.url,
            "smsclub_token": token,
            "smsclub_sms_sender_id": sender.id,
            "order_flow_default_channel": "sms",
        }
    )
    env["sms.sms"].search([("state", "=", "outgoing")]).write({"state": "canceled"})
    shared = args.messages // 2
    vals = []
    for i in range(args.messages):
        number = f"+38050{3000000 + i:07d}"
        body = (
            "Your order is on its way. Thank you!"
            if i < shared
            else f"Hello, customer {i}: your order SO{i:05d} is on its way."
        )
        vals.append({"number": number, "body": body, "state": "outgoing"})
    start = time.monotonic()
    sms = env["sms.sms"].create(vals)
    queued = time.monotonic() - start
    fake.reset()
    start = time.monotonic()
    # What Odoo's queue runner does, without its commits between batches
    # (the benchmark keeps everything in one transaction that it rolls back).
    # SMS Club sends only from the queue runner: the benchmark plays it.
    from odoo.addons.sms_club.models.sms_sms import RUNNER_KEY  # noqa: PLC0415 (needs the registry)

    env.cr.cache[RUNNER_KEY] = "bench"
    sms.send(unlink_failed=False, unlink_sent=True, auto_commit=False)
    env.flush_all()
    elapsed = time.monotonic() - start
    rows = env["sms.club.message"].search([("sms_uuid", "in", sms.mapped("uuid"))])
    states = Counter(rows.mapped("state"))
    paths = Counter(fake.paths())
    phones = Counter(phone for _kind, phone, _text in fake.sent())
    floor = -(-args.messages // 100)
    print(
        f"messages queued           {args.messages} ({shared} one text, "
        f"{args.messages - shared} personalised); queueing took {queued:.1f} s"
    )
    print(f"simulated latency         {args.latency * 1000:.0f} ms per request")
    print(
        f"SMS Club calls            {sum(paths.values())} (floor {floor}): "
        + ", ".join(f"{path} {count}" for path, count in sorted(paths.items()))
    )
    print(f"total sending time        {elapsed:.2f} s")
    print(f"messages per second       {args.messages / elapsed:.0f}")
    print(f"states                    {dict(states)}")
    print(f"numbers sent twice        {sum(1 for count in phones.values() if count > 1)}")
    print("(rolled back: nothing is kept)")


if __name__ == "__main__":
    main()
