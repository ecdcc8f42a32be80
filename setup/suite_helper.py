#!/usr/bin/env python3
"""Helpers of setup/test and setup/run (standard library, plus Odoo where a command needs it).

Subcommands:
  check-odoo              Odoo 18 importable? Prints its version and location.
  odoo-addons             Odoo's own addons directories, comma separated.
  odoo-command            The command that starts Odoo (`<python> -m odoo` or `odoo`).
  check-pg                PostgreSQL reachable with the PG* settings, and may create databases?
  requirements FILE       Install FILE with pip when one of its packages is missing.
  db-exists NAME          Exit 0 when database NAME exists, 1 when it does not.
  installed DB MODULE...  Exit 0 when every MODULE is installed in database DB.
  dropdb NAME...          Drop databases (and their filestores) that exist.
  copydb SOURCE NAME      Copy database SOURCE and its filestore to NAME.
  log FILE --mode MODE    Check an Odoo log: MODE "install" (any WARNING/ERROR/CRITICAL fails)
                          or "tests" (ERROR/CRITICAL anywhere or WARNING outside tests fails,
                          test results counted). Last line: "COUNTS <passed> <failed> <log_ok>".

Connection settings come from the usual libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD
(unset: local socket, current user), exactly as Odoo gets them.
"""

import argparse
import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig

INSTALL_HINT = """\
Odoo 18 Community must be installed so that `{python} -c "import odoo"` works, e.g.:
  git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git /opt/odoo18
  {python} -m pip install -r /opt/odoo18/requirements.txt
  {python} -m pip install -e /opt/odoo18   # or: export PYTHONPATH=/opt/odoo18
or use the nightly packages (https://nightly.odoo.com/18.0/nightly/) or the official
Docker image (docker compose -f setup/docker-compose.yml run --rm test)."""

PG_HINT = """\
PostgreSQL (12 or later) must run and accept the connection Odoo will use:
  host={host} port={port} user={user}
Set PGHOST, PGPORT, PGUSER, PGPASSWORD to reach another server. The role needs CREATEDB
and must not be "postgres" (Odoo refuses it), e.g. as the postgres superuser:
  createuser --createdb {user}"""


def _odoo_cli_args():
    """Odoo options for the PG* variables that are set (the password stays in the env)."""
    args = []
    for env_name, option in (
        ("PGHOST", "--db_host"),
        ("PGPORT", "--db_port"),
        ("PGUSER", "--db_user"),
    ):
        if os.environ.get(env_name):
            args.append(f"{option}={os.environ[env_name]}")
    return args


def _odoo_config(extra=()):
    import odoo  # noqa: PLC0415  (only the subcommands that need Odoo import it)

    odoo.tools.config.parse_config(_odoo_cli_args() + list(extra), setup_logging=False)
    return odoo


def cmd_check_odoo(_args):
    python = sys.executable
    try:
        import odoo  # noqa: PLC0415
    except Exception as exc:  # any import failure means "no usable Odoo"
        print(f"ERROR: Odoo is not importable by {python}: {exc!r}", file=sys.stderr)
        print(INSTALL_HINT.format(python=python), file=sys.stderr)
        return 2
    version = getattr(getattr(odoo, "release", None), "version_info", None)
    if not version or version[0] != 18:
        print(
            f"ERROR: {python} imports Odoo {version!r} from {odoo.__file__}; "
            "this suite needs Odoo 18.",
            file=sys.stderr,
        )
        print(INSTALL_HINT.format(python=python), file=sys.stderr)
        return 2
    print(f"Odoo {odoo.release.version} at {os.path.dirname(odoo.__file__)} ({python})")
    return 0


def cmd_odoo_addons(_args):
    import odoo  # noqa: PLC0415

    package_dir = os.path.dirname(os.path.abspath(odoo.__file__))
    candidates = [
        os.path.join(package_dir, "addons"),  # base, web, ... (all addons in packaged installs)
        os.path.normpath(os.path.join(package_dir, os.pardir, "addons")),  # source checkouts
    ]
    found = []
    for path in candidates:
        if os.path.isdir(path) and any(
            os.path.isfile(os.path.join(path, name, "__manifest__.py")) for name in os.listdir(path)
        ):
            found.append(path)
    print(",".join(found))
    return 0 if found else 1


def cmd_odoo_command(_args):
    """How to start Odoo: `<python> -m odoo` when possible, else the `odoo` script."""
    import importlib.util  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    if importlib.util.find_spec("odoo.__main__"):
        print(f"{sys.executable} -m odoo")
        return 0
    for name in ("odoo", "odoo-bin"):
        if shutil.which(name):
            print(shutil.which(name))
            return 0
    print("ERROR: neither `python3 -m odoo` nor an `odoo` command is available", file=sys.stderr)
    return 2


def cmd_check_pg(_args):
    try:
        import psycopg2  # noqa: PLC0415  (an Odoo dependency)
    except ImportError as exc:
        print(f"ERROR: psycopg2 (an Odoo requirement) is not importable: {exc}", file=sys.stderr)
        return 2
    where = {
        "host": os.environ.get("PGHOST") or "local socket",
        "port": os.environ.get("PGPORT") or "5432",
        "user": os.environ.get("PGUSER") or _current_user(),
    }
    try:
        conn = psycopg2.connect(dbname="postgres", connect_timeout=10)
    except psycopg2.Error as exc:
        print(f"ERROR: PostgreSQL is not reachable: {str(exc).strip()}", file=sys.stderr)
        print(PG_HINT.format(**where), file=sys.stderr)
        return 2
    try:
        with conn.cursor() as cr:
            cr.execute("SHOW server_version")
            server_version = cr.fetchone()[0]
            cr.execute(
                "SELECT current_user, rolcreatedb OR rolsuper FROM pg_roles "
                "WHERE rolname = current_user"
            )
            user, may_create = cr.fetchone()
    finally:
        conn.close()
    if user == "postgres":
        print(
            'ERROR: Odoo refuses to connect as "postgres"; set PGUSER to another role.',
            file=sys.stderr,
        )
        print(PG_HINT.format(**where), file=sys.stderr)
        return 2
    if not may_create:
        print(f'ERROR: PostgreSQL role "{user}" may not create databases.', file=sys.stderr)
        print(PG_HINT.format(**dict(where, user=user)), file=sys.stderr)
        return 2
    print(f"PostgreSQL {server_version} at {where['host']}:{where['port']} as {user}")
    return 0


def _current_user():
    try:
        import getpass  # noqa: PLC0415

        return getpass.getuser()
    except Exception:  # no passwd entry (containers with arbitrary uids)
        return "?"


def _requirement_name(line):
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None, None
    match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", line)
    if not match:
        return None, None
    return match.group(1), match.group(2).split(";", 1)[0].strip()


def _missing_requirements(path):
    try:
        from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    except ImportError:
        SpecifierSet = None  # noqa: N806  (only presence is checked then)
    missing = []
    with open(path, encoding="utf-8") as req_file:
        for line in req_file:
            name, spec = _requirement_name(line)
            if not name:
                continue
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                missing.append(f"{name} (not installed)")
                continue
            if spec and SpecifierSet is not None and version not in SpecifierSet(spec):
                missing.append(f"{name}{spec} (found {version})")
    return missing


def cmd_requirements(args):
    missing = _missing_requirements(args.file)
    if not missing:
        if not args.check_only:
            print("Python requirements: all present")
        return 0
    if args.check_only:
        print("ERROR: still missing after pip install: " + ", ".join(missing), file=sys.stderr)
        return 2
    print("Python requirements missing: " + ", ".join(missing))
    command = [sys.executable, "-m", "pip", "install", "-q", "-r", args.file]
    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    marker = os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")
    if not in_venv and os.path.exists(marker):
        command.append("--break-system-packages")  # PEP 668 (Debian/Ubuntu system Python)
    if not in_venv and not os.access(sysconfig.get_paths()["purelib"], os.W_OK):
        command.append("--user")  # e.g. the odoo user of the official Docker image
    print("Running: " + " ".join(command), flush=True)
    result = subprocess.run(command, check=False)
    if result.returncode:
        print(
            f"ERROR: pip failed (exit {result.returncode}); install {args.file} by hand.",
            file=sys.stderr,
        )
        return 2
    # Check again in a new interpreter: a user site directory created by `pip --user` is
    # only on sys.path of interpreters started after it exists.
    return subprocess.run(
        [sys.executable, os.path.abspath(__file__), "requirements", "--check-only", args.file],
        check=False,
    ).returncode


def cmd_db_exists(args):
    odoo = _odoo_config()
    return 0 if odoo.service.db.exp_db_exist(args.name) else 1


def cmd_installed(args):
    import psycopg2  # noqa: PLC0415

    try:
        conn = psycopg2.connect(dbname=args.database, connect_timeout=10)
    except psycopg2.Error as exc:
        print(f"database {args.database}: {str(exc).strip()}")
        return 1
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", [args.modules]
            )
            states = dict(cr.fetchall())
    except psycopg2.Error as exc:
        print(f"database {args.database}: {str(exc).strip()}")
        return 1
    finally:
        conn.close()
    missing = [
        f"{name} ({states.get(name, 'unknown')})"
        for name in args.modules
        if states.get(name) != "installed"
    ]
    if missing:
        print(f"not installed in {args.database}: " + ", ".join(missing))
        return 1
    return 0


def cmd_dropdb(args):
    odoo = _odoo_config()
    odoo.tools.config["list_db"] = True  # exp_drop refuses when the db manager is disabled
    for name in args.names:
        if odoo.service.db.exp_db_exist(name):
            odoo.service.db.exp_drop(name)
            print(f"dropped database {name}")
    return 0


def cmd_copydb(args):
    """A copy of a database with its filestore, as Odoo's database manager
    duplicates one (a new database uuid)."""
    odoo = _odoo_config()
    odoo.tools.config["list_db"] = True
    odoo.service.db.exp_duplicate_database(args.source, args.name)
    print(f"copied database {args.source} to {args.name}")
    return 0


# --------------------------------------------------------------------------- Odoo logs

RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) (?P<level>[A-Z_]+) "
    r"(?P<db>\S+) (?P<logger>[\w.\-]+): (?P<msg>.*)$"
)
SUMMARY_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
MODULE_LOADED_RE = re.compile(r"^Module \S+ loaded in ")
PHASE_END_RE = re.compile(r"^\d+ (post-tests|modules loaded) in ")
MODULE_TESTS_FAILED_RE = re.compile(
    r"^(Module \S+: \d+ failures, \d+ errors of \d+ tests|At least one test failed)"
)
TEST_RESULT_RE = re.compile(r"^(FAIL|ERROR): ")
ADDON_RE = re.compile(r"^odoo\.addons\.(\w+)\.")
MAX_SHOWN = 40


def _records(path):
    record = None
    with open(path, encoding="utf-8", errors="replace") as log_file:
        for line in log_file:
            line = line.rstrip("\n")
            match = RECORD_RE.match(line)
            if match:
                if record:
                    yield record
                record = dict(match.groupdict(), text=line, extra=[])
            elif record:
                record["extra"].append(line)
            else:
                record = {"level": "RAW", "logger": "", "msg": line, "text": line, "extra": []}
    if record:
        yield record


def _is_test_logger(logger):
    return ".tests." in logger or logger.endswith(".tests")


def _show(title, records, full=True):
    print(f"  {title}: {len(records)}")
    for record in records[:MAX_SHOWN]:
        print("    " + record["text"])
        if full:
            for extra in record["extra"][:60]:
                print("      " + extra)
    if len(records) > MAX_SHOWN:
        print(f"    ... {len(records) - MAX_SHOWN} more, see the log file")


class LogReport:
    """What one Odoo log says: offending lines and test results."""

    def __init__(self, mode):
        self.mode = mode
        self.in_tests = False  # inside an at_install or post_install test run
        self.critical, self.errors, self.warnings, self.test_failures = [], [], [], []
        self.started = self.skipped = 0
        self.summary = None
        self.per_module = {}  # addon -> number of tests started

    def _track_phase(self, logger, msg, level):
        if logger == "odoo.modules.loading":
            if msg.startswith("Starting post tests"):
                self.in_tests = True
            elif MODULE_LOADED_RE.match(msg) or PHASE_END_RE.match(msg):
                self.in_tests = False
        elif _is_test_logger(logger) and level == "INFO":
            if msg.startswith("Starting "):
                self.in_tests = True
                self.started += 1
                addon = ADDON_RE.match(logger)
                if addon:
                    self.per_module[addon.group(1)] = self.per_module.get(addon.group(1), 0) + 1
            elif msg.startswith("skipped "):
                self.skipped += 1

    def _is_test_result(self, logger, msg):
        if _is_test_logger(logger) and TEST_RESULT_RE.match(msg):
            return True
        if logger == "odoo.tests.result":
            found = SUMMARY_RE.search(msg)
            if found:
                self.summary = {key: int(value) for key, value in found.groupdict().items()}
                return True
            return msg.startswith("Test suite halted")
        return logger == "odoo.modules.loading" and bool(MODULE_TESTS_FAILED_RE.match(msg))

    def add(self, rec):
        level, logger, msg = rec["level"], rec["logger"], rec["msg"]
        self._track_phase(logger, msg, level)
        is_test_result = self._is_test_result(logger, msg)
        if level == "CRITICAL":
            self.critical.append(rec)
        elif level == "ERROR":
            if self.mode == "install" or not is_test_result:
                self.errors.append(rec)
            elif TEST_RESULT_RE.match(msg):
                self.test_failures.append(rec)
        elif level == "WARNING":
            if self.mode == "install" or not (self.in_tests or is_test_result):
                self.warnings.append(rec)
        elif level == "RAW" and "Traceback" in msg:
            self.errors.append(rec)

    @property
    def log_ok(self):
        return not (self.critical or self.errors or self.warnings)

    def counts(self):
        """(passed, failed) Odoo tests; a run without a summary or without tests fails."""
        if self.mode != "tests":
            return 0, 0
        if self.summary is None:
            print(
                f"  no test summary line found (Odoo stopped early?); {self.started} tests started"
            )
            failed = max(len(self.test_failures), 1)
            return max(self.started - len(self.test_failures) - self.skipped, 0), failed
        failed = self.summary["failed"] + self.summary["errors"]
        print(
            f"  Odoo: {self.summary['failed']} failed, {self.summary['errors']} error(s) of "
            f"{self.summary['run']} tests ({self.started} started, {self.skipped} skipped)"
        )
        if self.summary["run"] == 0:
            print("  ERROR: no test ran")
            failed = max(failed, 1)
        return max(self.summary["run"] - failed - self.skipped, 0), failed

    def print(self):
        tests = self.mode == "tests"
        if self.critical:
            _show("CRITICAL lines", self.critical)
        if self.errors:
            _show("ERROR lines" + (" (besides test failures)" if tests else ""), self.errors)
        if self.warnings:
            _show("WARNING lines" + (" outside tests" if tests else ""), self.warnings, full=False)
        if self.test_failures:
            _show("failed tests", self.test_failures)
        if self.per_module:
            print(
                "  tests started per addon: "
                + ", ".join(f"{addon} {count}" for addon, count in sorted(self.per_module.items()))
            )


def cmd_log(args):
    report = LogReport(args.mode)
    for rec in _records(args.file):
        report.add(rec)
    report.print()
    passed, failed = report.counts()
    print(f"COUNTS {passed} {failed} {1 if report.log_ok else 0}")
    return 0 if report.log_ok and not failed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check-odoo").set_defaults(func=cmd_check_odoo)
    sub.add_parser("odoo-addons").set_defaults(func=cmd_odoo_addons)
    sub.add_parser("odoo-command").set_defaults(func=cmd_odoo_command)
    sub.add_parser("check-pg").set_defaults(func=cmd_check_pg)
    requirements = sub.add_parser("requirements")
    requirements.add_argument("file")
    requirements.add_argument(
        "--check-only", action="store_true", help="report missing packages without installing them"
    )
    requirements.set_defaults(func=cmd_requirements)
    db_exists = sub.add_parser("db-exists")
    db_exists.add_argument("name")
    db_exists.set_defaults(func=cmd_db_exists)
    installed = sub.add_parser("installed")
    installed.add_argument("database")
    installed.add_argument("modules", nargs="+")
    installed.set_defaults(func=cmd_installed)
    dropdb = sub.add_parser("dropdb")
    dropdb.add_argument("names", nargs="+")
    dropdb.set_defaults(func=cmd_dropdb)
    copydb = sub.add_parser("copydb")
    copydb.add_argument("source")
    copydb.add_argument("name")
    copydb.set_defaults(func=cmd_copydb)
    log = sub.add_parser("log")
    log.add_argument("file")
    log.add_argument("--mode", choices=("install", "tests"), required=True)
    log.set_defaults(func=cmd_log)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
