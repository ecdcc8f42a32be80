"""What the fault benchmarks (setup/bench_faults_*.py) share.

Each benchmark plays people clicking on a real multi-worker Odoo server while a
connector's fake vendor misbehaves; this module holds what does not depend on
the connector: the error exit, the database (copy of a template, install,
update), the server (started with ``--workers 2 --max-cron-threads 2`` on a
free port, waited for, stopped with its workers), a person's JSON-RPC session
(authenticate + call_kw), the scheduled actions made to run every minute and
woken up, the common command-line options, the settle loop and the report.

Plain standard library: Odoo and psycopg2 are imported only inside the
functions that need them, after the benchmark checked that Odoo is importable.
"""

import argparse
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------- errors
def fail(message, code=2):
    """Stop the benchmark with a message naming it."""
    print(f"setup/{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(code)


def odoo_missing():
    fail(
        "Odoo 18 is not importable (python3 -c 'import odoo' fails). Install Odoo 18.0 "
        "Community so that `import odoo` works (see README, Prerequisites)."
    )


def check_odoo_version(odoo):
    if odoo.release.version_info[0] != 18:
        fail(f"Odoo 18 is required, found {odoo.release.version}.")


def load_module(name, path):
    """A connector's fake vendor server, loaded from the addon's tests."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -------------------------------------------------------------------- database
def default_addons_path():
    import odoo

    return ",".join(
        [os.path.join(os.path.dirname(odoo.__file__), "addons"), ROOT, os.path.join(ROOT, "tests")]
    )


def db_args():
    """Odoo's database options from the PG* environment variables."""
    args = []
    for env_name, option in (
        ("PGHOST", "--db_host"),
        ("PGPORT", "--db_port"),
        ("PGUSER", "--db_user"),
        ("PGPASSWORD", "--db_password"),
    ):
        if os.environ.get(env_name):
            args.append(f"{option}={os.environ[env_name]}")
    return args


def pg_connect(dbname="postgres"):
    import psycopg2

    kwargs = {"dbname": dbname}
    for env_name, key in (
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
    ):
        if os.environ.get(env_name):
            kwargs[key] = os.environ[env_name]
    try:
        return psycopg2.connect(**kwargs)
    except psycopg2.OperationalError as error:
        fail(f"PostgreSQL is not reachable ({error}). Start it, or set PGHOST/PGPORT/PGUSER.")


def database_exists(name):
    conn = pg_connect()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return bool(cr.fetchone())
    finally:
        conn.close()


def copy_database(name, template):
    """``createdb -T template name``, refused when the template does not exist."""
    if not database_exists(template):
        fail(f"template database {template} does not exist")
    conn = pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        conn.close()


def odoo_cli(db, addons_path, *options, failure=None):
    """Odoo once without its server (install or update), stopping the
    benchmark with the end of its output when it fails."""
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        db,
        f"--addons-path={addons_path}",
        *db_args(),
        *options,
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        fail(failure or f"odoo {' '.join(options)} failed")


def open_database(args, install, update, what):
    """The benchmark's database (``args.db``): created when missing, as a copy
    of ``args.template`` brought to this code (``-u update``, the modules
    named ``what``) or by installing ``install`` with demo data; then Odoo's
    configuration for it."""
    from odoo.tools import config

    if not database_exists(args.db):
        if args.template:
            print(f"Creating database {args.db} from {args.template}…", flush=True)
            copy_database(args.db, args.template)
            # the copy has the suite installed: bring it to this code
            print(f"Updating {what} in {args.db}…", flush=True)
            odoo_cli(args.db, args.addons_path, "-u", update)
        else:
            print(
                f"Creating database {args.db} with {install} and demo data (a few minutes)…",
                flush=True,
            )
            odoo_cli(args.db, args.addons_path, "-i", install)
    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn", *db_args()]
    )


def fast_crons(env, xmlids):
    """The scheduled actions active and every minute."""
    for xmlid in xmlids:
        env.ref(xmlid).write({"active": True, "interval_number": 1, "interval_type": "minutes"})


def trigger_crons(registry, xmlids):
    """As a store admin could ("Run manually"): the scheduled actions now."""
    import odoo
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        for xmlid in xmlids:
            env.ref(xmlid)._trigger()


# ---------------------------------------------------------------------- server
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command():
    """How to start Odoo: its odoo-bin when there is one, else a small script
    calling odoo.cli (the multi-worker server starts its websocket process
    with the same command, which `python3 -m odoo` cannot)."""
    import odoo

    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    if os.path.isfile(odoo_bin):
        return [sys.executable, odoo_bin]
    path = os.path.join(tempfile.gettempdir(), "bench_faults_odoo.py")
    with open(path, "w", encoding="utf-8") as script:
        script.write("import odoo.cli\n\nodoo.cli.main()\n")
    return [sys.executable, path]


def start_server(db, addons_path, port, logfile, output=None, limit_time_cpu=300):
    """Odoo as a real server (2 HTTP workers, 2 cron workers) on ``port``,
    once it answers; its own output (outside its log) goes to ``output``."""
    cmd = [
        *odoo_command(),
        "-d",
        db,
        f"--db-filter=^{db}$",
        f"--addons-path={addons_path}",
        *db_args(),
        "--workers=2",
        "--max-cron-threads=2",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--limit-time-real=600",
        f"--limit-time-cpu={limit_time_cpu}",
        "--log-level=warn",
        f"--logfile={logfile}",
    ]
    for path in {logfile, output or logfile}:
        if os.path.exists(path):
            os.remove(path)  # a new log for each run
    if output:
        # appended, as the server's log handler appends to the same file
        with open(output, "a", encoding="utf-8") as out:
            process = subprocess.Popen(
                cmd, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
            )
    else:
        process = subprocess.Popen(
            cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"the Odoo server stopped at start; see {logfile}")
        try:
            with urllib.request.urlopen(f"{url}/web/login", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    stop_server(process)
    fail(f"the Odoo server did not answer within 3 minutes; see {logfile}")


def serve(args, name, separate_output):
    """The server of a run on --http-port (or a free port), logging to a file
    named after the benchmark and the database; returns (process, url, log)."""
    logfile = os.path.join(tempfile.gettempdir(), f"{name}_{args.db}.log")
    port = args.http_port or free_port()
    print(f"Starting Odoo (2 workers, 2 cron workers) on port {port}; log {logfile}", flush=True)
    output = f"{logfile}.out" if separate_output else logfile
    process, url = start_server(args.db, args.addons_path, port, logfile, output=output)
    return process, url, logfile


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the server we started and its workers
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_errors(logfile):
    """How many ERROR or CRITICAL lines the server logged."""
    with open(logfile, encoding="utf-8", errors="replace") as log:
        return sum(1 for line in log if " ERROR " in line or " CRITICAL " in line)


# -------------------------------------------------------------------- JSON-RPC
class RpcError(RuntimeError):
    """An error Odoo answered to a call (its exception's name and message)."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name or ""
        self.message = message or ""


class Person:
    """One browser session of a store user, over JSON-RPC with its cookie."""

    def __init__(self, url, db, login, password, timeout=300):
        self.url = url
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.calls = 0
        result = self._post(
            "/web/session/authenticate", {"db": db, "login": login, "password": password}
        )
        if not result or not result.get("uid"):
            fail(f"could not sign in as {login}")

    def _post(self, path, params):
        data = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            error = answer["error"].get("data") or {}
            raise RpcError(
                error.get("name"), error.get("message") or answer["error"].get("message")
            )
        return answer.get("result")

    def call(self, model, method, *args, **kwargs):
        self.calls += 1
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


class BenchBase:
    """The state of a run: the people's work queue, the operations started
    and what the clicks answered."""

    def __init__(self, args, registry, url, fake):
        self.args = args
        self.registry = registry
        self.url = url
        self.fake = fake
        self.random = random.Random(args.seed)
        self.outcomes = Counter()
        self.lock = threading.Lock()
        self.ops = []
        self.work = queue.Queue()

    def env(self, cr):
        import odoo
        from odoo import api

        return api.Environment(cr, odoo.SUPERUSER_ID, {})

    def note(self, what):
        with self.lock:
            self.outcomes[what] += 1

    def throttle(self):
        """Hand out work no faster than the people can click."""
        while self.work.qsize() > 2 * self.args.people:
            time.sleep(0.05)

    def finish(self, threads):
        """All work handed out: wait until it is done and the people stop."""
        self.work.join()
        self.feeding_done.set()
        for thread in threads:
            thread.join()


# ------------------------------------------------------------ options, settle
def parser(description, db, seed, settle_timeout, ops_help, template_help, **kwargs):
    """The options every fault benchmark has: --db, --template, --ops, --seed,
    --fault-ratio, --settle-timeout (the caller adds its own)."""
    result = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
    )
    result.add_argument("--db", default=os.environ.get("BENCH_DB", db))
    result.add_argument("--template", help=template_help)
    result.add_argument("--ops", type=int, default=1000, help=ops_help)
    result.add_argument("--seed", type=int, default=seed)
    result.add_argument("--fault-ratio", type=float, default=0.3)
    result.add_argument("--settle-timeout", type=float, default=settle_timeout)
    return result


def add_server_options(parser):
    """--http-port and --addons-path, for the benchmarks that take them."""
    parser.add_argument("--http-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--addons-path", default=default_addons_path())


def settle(timeout, settled, meanwhile, pause):
    """Wait until ``settled()`` is true, calling ``meanwhile()`` and pausing
    ``pause`` seconds between checks; returns (seconds waited, settled)."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if settled():
            return time.monotonic() - started, True
        meanwhile()
        time.sleep(pause)
    return time.monotonic() - started, False


# ---------------------------------------------------------------------- report
def count(summary, what):
    """How many operations of any kind ended as ``what`` in a summary
    counted by (kind, what)."""
    return sum(n for (_kind, outcome), n in summary.items() if outcome == what)


def print_table(connector, ops, calls, duplicates, lost, left, settle_time, settled):
    """The one-line summary of a connector's run, under its header."""
    width = max(len(connector) + 4, 12)
    print()
    columns = "operations  vendor calls  duplicates  lost  left for a person  settle"
    print(f"{'connector':<{width}}{columns}")
    print(
        f"{connector:<{width}}{ops:>10}  {calls:>12}  {duplicates:>10}  {lost:>4}  {left:>17}  "
        f"{settle_time:>5.0f} s{'' if settled else ' (timeout)'}"
    )
    print()


def print_lines(title, lines):
    """A title and labelled values, aligned."""
    width = max(len(label) for label, _value in lines)
    print()
    print(title)
    for label, value in lines:
        print(f"  {label:<{width}}  {value}")


def print_footer(logfile, db):
    print(f"  server log: {logfile} ({server_errors(logfile)} ERROR lines)")
    print(f"  database {db} kept; drop it with: dropdb {db}")
