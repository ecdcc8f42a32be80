#!/usr/bin/env python3
"""Check that every term of the given addons has a Ukrainian translation.

For each addon, the terms are exported with Odoo itself from a database where the addon is
installed (the same export as `odoo -d DB --i18n-export=x.pot --modules=ADDON`). The
addon's ``i18n/uk.po`` is read the way Odoo reads it: merged with ``i18n/<addon>.pot``, so a
translation whose msgid is missing from the .pot is ignored, as Odoo ignores it. Every
exported msgid without a non-empty msgstr is listed; missing ``uk.po`` or ``<addon>.pot``
files are errors too.

Usage:
  python3 setup/check_translations.py -d DB --addons-path PATHS [--logfile F] ADDON...

Database connection: PGHOST, PGPORT, PGUSER, PGPASSWORD (as for setup/test).
Exit status: 0 when all addons are complete, 1 otherwise, 2 on a usage or setup error.
"""

import argparse
import io
import os
import sys

MAX_LISTED = 200
# Values Odoo renders at install time from its own templates into a record of an addon:
# the default terms and conditions that the online shop (website_sale) writes into every
# company, with the company's name in them. They are Odoo's text (translated by Odoo's
# template), not terms of the addon.
ODOO_RENDERED = ("model_terms:res.company,invoice_terms_html:",)


def _export_terms(odoo, dbname, addon):
    """The POT entries of ``addon`` exported by Odoo from database ``dbname``."""
    import polib  # noqa: PLC0415

    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", addon)])
        if module.state != "installed":
            raise LookupError(f"{addon} is not installed in database {dbname}")
        buffer = io.BytesIO()
        odoo.tools.translate.trans_export(False, [addon], buffer, "po", cr)
    return polib.pofile(buffer.getvalue().decode("utf-8"))


def _translated_msgids(po_path, pot_path):
    """msgids that Odoo would load with a non-empty translation from ``po_path``."""
    import polib  # noqa: PLC0415

    po = polib.pofile(po_path)
    po.merge(polib.pofile(pot_path))  # what odoo.tools.translate.PoFileReader does
    return {
        entry.msgid for entry in po if not entry.obsolete and entry.msgid and entry.msgstr.strip()
    }, {entry.msgid for entry in polib.pofile(po_path) if entry.msgstr.strip()}


def check_addon(odoo, dbname, addon, addon_dir):
    """Problems found for one addon, as a list of lines."""
    i18n = os.path.join(addon_dir, "i18n")
    po_path = os.path.join(i18n, "uk.po")
    pot_path = os.path.join(i18n, f"{addon}.pot")
    problems = [f"missing file {path}" for path in (po_path, pot_path) if not os.path.isfile(path)]
    if problems:
        return problems
    exported = _export_terms(odoo, dbname, addon)
    translated, in_po_file = _translated_msgids(po_path, pot_path)
    for entry in exported:
        if not entry.msgid or entry.msgid in translated:
            continue
        if all(occ.startswith(ODOO_RENDERED) for occ, _line in entry.occurrences):
            continue
        where = ", ".join(f"{occ}" for occ, _line in entry.occurrences[:3])
        why = "no translation"
        if entry.msgid in in_po_file:
            why = f"translated in uk.po but absent from {addon}.pot, so Odoo ignores it"
        problems.append(f"untranslated msgid {entry.msgid!r} ({why}; {where})")
    pot_msgids = {
        entry.msgid
        for entry in exported
        if entry.msgid
        and not all(occ.startswith(ODOO_RENDERED) for occ, _line in entry.occurrences)
    }
    stale = {e.msgid for e in _read_pot(pot_path) if e.msgid} ^ pot_msgids
    if stale:
        # Not an error by itself: reported so that the .pot gets regenerated.
        print(
            f"  note: {addon}.pot differs from the export by {len(stale)} msgid(s); "
            f"regenerate it with --i18n-export",
            flush=True,
        )
    return problems


def _read_pot(pot_path):
    import polib  # noqa: PLC0415

    return polib.pofile(pot_path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument(
        "--addons-path",
        required=True,
        help="the comma-separated addons path the database was installed with",
    )
    parser.add_argument("--logfile", help="where Odoo's own log lines go (default: stderr)")
    parser.add_argument("addons", nargs="+")
    args = parser.parse_args(argv)

    try:
        import polib  # noqa: F401, PLC0415

        import odoo  # noqa: PLC0415
    except ImportError as exc:
        print(
            f"ERROR: {exc}; run setup/test, which checks Odoo and installs the requirements.",
            file=sys.stderr,
        )
        return 2

    options = [f"--addons-path={args.addons_path}", "--log-level=warn"]
    for env_name, option in (
        ("PGHOST", "--db_host"),
        ("PGPORT", "--db_port"),
        ("PGUSER", "--db_user"),
    ):
        if os.environ.get(env_name):
            options.append(f"{option}={os.environ[env_name]}")
    if args.logfile:
        options.append(f"--logfile={args.logfile}")
    odoo.tools.config.parse_config(options, setup_logging=True)
    odoo.modules.module.initialize_sys_path()

    failed = 0
    for addon in args.addons:
        addon_dir = odoo.modules.module.get_module_path(addon, display_warning=False)
        if not addon_dir:
            print(f"{addon}: FAILED, addon not found in {args.addons_path}")
            failed += 1
            continue
        try:
            problems = check_addon(odoo, args.database, addon, addon_dir)
        except Exception as exc:  # report and go on with the other addons
            problems = [f"export failed: {exc!r}"]
        if problems:
            failed += 1
            print(f"{addon}: FAILED, {len(problems)} problem(s)")
            for line in problems[:MAX_LISTED]:
                print(f"  {line}")
            if len(problems) > MAX_LISTED:
                print(f"  ... and {len(problems) - MAX_LISTED} more")
        else:
            print(f"{addon}: ok, every term has a Ukrainian translation")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
