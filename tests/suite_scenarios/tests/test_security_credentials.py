"""Credentials of the external services (Nova Poshta key, SMS Club token,
Checkbox licence key and cashier login, password, PIN and token) reach no
role but Administrator: not by read, search, grouping, export, a related
field of another model, the chatter, attachments, or the logs.

The credential fields are found in the registry (the credential convention of
access_roles, related fields showing one, admin-only or secret-named text
fields of the suite), so a new credential field is covered without a change
here."""

import contextlib
import logging

from odoo import fields
from odoo.tests import tagged

from .security_common import (
    NON_ADMIN_ROLES,
    SecurityCase,
    credential_fields,
)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines = []

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a broken record is still collected
            text = f"{record.name}: {record.msg!r} {record.args!r}"
        self.lines.append(text)


@tagged("post_install", "-at_install")
class TestSecurityCredentials(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credentials = credential_fields(cls.env)

    def record_with_secret(self, model_name, name):
        """A record of the model whose field holds a value (as superuser)."""
        Model = self.env[model_name].sudo().with_context(active_test=False)
        if Model._transient:
            return Model.browse()
        if model_name == "res.company":
            return self.company
        return Model.search([(name, "!=", False)], limit=1) or Model.search([], limit=1)

    def targets(self, role):
        """(model, field, record) the role could try: the credential fields of
        models the role may read, on a record holding the secret."""
        for model_name, name in self.credentials:
            if not self.can(role, model_name, "read"):
                continue
            record = self.record_with_secret(model_name, name)
            if record:
                yield model_name, name, record

    def assertNotDisclosed(self, answer, name):
        """Refused, or the field absent or empty in the answer (the answer
        itself was already searched for every secret)."""
        if not answer.ok:
            return
        rows = answer.result if isinstance(answer.result, list) else [answer.result]
        for row in rows:
            if isinstance(row, dict) and row.get(name):
                self.fail(f"{answer.call}: {name} read as {str(row[name])[:4]}…")

    # ----------------------------------------------------------------- tests
    def test_credential_fields_are_found_and_admin_only(self):
        found = set(self.credentials)
        for expected in (
            ("novaposhta.account", "api_key"),
            ("res.company", "smsclub_token"),
            ("res.config.settings", "smsclub_token"),
            ("fiscal.cash.register", "license_key"),
            ("fiscal.cashier", "login"),
            ("fiscal.cashier", "password"),
            ("fiscal.cashier", "pin_code"),
            ("fiscal.cashier", "access_token"),
        ):
            self.assertIn(expected, found)
        for model_name, name in sorted(found):
            field = self.env[model_name]._fields[name]
            with self.subTest(field=f"{model_name}.{name}"):
                self.assertIn("base.group_system", field.groups or "", "not admin-only")
                self.assertFalse(field.copy and field.store, "copied with its record")
        self.assertTrue(self._secret_values >= {"0123456789abcdef0123456789abcdef"})

    def test_read_web_read_search_read(self):
        failures = []
        for role in NON_ADMIN_ROLES:
            for model_name, name, record in self.targets(role):
                for answer in (
                    self.call(role, model_name, "read", record.ids, [name]),
                    self.call(role, model_name, "web_read", record.ids, {name: {}}),
                    self.call(role, model_name, "search_read", [("id", "=", record.id)], [name]),
                ):
                    try:
                        self.assertNotDisclosed(answer, name)
                    except AssertionError as error:
                        failures.append(str(error))
        self.assertFalse(failures, "\n".join(failures))

    def test_search_on_the_secret_is_no_oracle(self):
        """Searching records by the value of a credential tells nothing: it
        is refused, or the right value finds what a wrong one finds."""
        failures = []
        secrets = {}
        for model_name, name in self.credentials:
            record = self.record_with_secret(model_name, name)
            if record:
                secrets[(model_name, name)] = record.sudo()[name]
        for role in NON_ADMIN_ROLES:
            for model_name, name, _record in self.targets(role):
                secret = secrets.get((model_name, name))
                if not secret:
                    continue
                for operator, right, wrong in (
                    ("=", secret, secret + "-wrong"),
                    ("=like", secret[:6] + "%", "zz-no-such-prefix%"),
                ):
                    found = self.call(role, model_name, "search_count", [(name, operator, right)])
                    if not found.ok:
                        continue
                    other = self.call(role, model_name, "search_count", [(name, operator, wrong)])
                    if other.ok and found.result != other.result:
                        failures.append(
                            f"{role}: {model_name} searched by {name} {operator} tells the "
                            f"secret ({found.result} found vs {other.result})"
                        )
        self.assertFalse(failures, "\n".join(failures))

    def test_grouping_by_the_secret(self):
        failures = []
        for role in NON_ADMIN_ROLES:
            for model_name, name, _record in self.targets(role):
                for answer in (
                    self.call(role, model_name, "read_group", [], [name], [name]),
                    self.call(role, model_name, "web_read_group", [], [name], [name]),
                ):
                    if answer.ok and any(
                        isinstance(group, dict) and group.get(name)
                        for group in (
                            answer.result.get("groups", [])
                            if isinstance(answer.result, dict)
                            else answer.result
                        )
                    ):
                        failures.append(f"{answer.call}: groups by the secret's value")
        self.assertFalse(failures, "\n".join(failures))

    def test_export(self):
        """Even a role allowed to export gets no credential in the file (the
        export right is given to every role here for the attack)."""
        export_group = self.env.ref("base.group_allow_export")
        export_group.sudo().users = [(4, self.users[role].id) for role in NON_ADMIN_ROLES]
        failures = []
        for role in NON_ADMIN_ROLES:
            for model_name, name, record in self.targets(role):
                answer = self.call(role, model_name, "export_data", record.ids, [name])
                if answer.ok and any(any(row) for row in answer.result.get("datas", [])):
                    failures.append(f"{answer.call}: exported {name}")
                data = {
                    "data": (
                        '{"model": "%s", "fields": [{"name": "%s", "label": "x"}], '
                        '"ids": [%d], "domain": [], "import_compat": false}'
                    )
                    % (model_name, name, record.id),
                }
                response = self.http_request(role, "/web/export/csv", data=data)
                if response.status_code == 200 and len(response.text.strip().splitlines()) > 1:
                    rows = response.text.strip().splitlines()[1:]
                    if any(row.strip('" ') for row in rows):
                        failures.append(f"{role}: /web/export/csv of {model_name}.{name}")
        self.assertFalse(failures, "\n".join(failures))

    def test_related_fields_elsewhere(self):
        """Fields of other models that show a credential (found by their
        related path) are admin-only as well."""
        related = [
            (model_name, name)
            for model_name, name in self.credentials
            if self.env[model_name]._fields[name].related
        ]
        self.assertIn(("res.config.settings", "smsclub_token"), related)
        for model_name, name in related:
            field = self.env[model_name]._fields[name]
            with self.subTest(field=f"{model_name}.{name}"):
                self.assertIn("base.group_system", field.groups or "")
        # the settings as the roles see them (the ones allowed to open them)
        for role in NON_ADMIN_ROLES:
            if not self.can(role, "res.config.settings", "create"):
                continue
            answer = self.call(role, "res.config.settings", "default_get", ["smsclub_token"])
            self.assertNotDisclosed(answer, "smsclub_token")

    def _admin_touches_credentials(self):
        """What an administrator does with the credentials day to day: new
        key and token, a connection test, a label, a cashier sign-in."""
        admin = "administrator"
        self.assertAccepted(
            self.call(
                admin,
                "fiscal.cashier",
                "write",
                self.cashier.ids,
                {"password": self.cashier.sudo().password},
            )
        )
        self.assertAccepted(
            self.call(
                admin,
                "novaposhta.account",
                "write",
                self.np_account.ids,
                {"api_key": self.np_account.sudo().api_key, "name": "H-Sec NP account (renewed)"},
            )
        )
        self.call(admin, "novaposhta.account", "action_test_connection", self.np_account.ids)
        self.call(admin, "sale.order", "action_np_print_label", self.order_waybill.ids)
        self.call(admin, "fiscal.cash.register", "action_check_connection", self.register.ids)
        self.refresh_secrets()

    def test_chatter_and_tracking(self):
        self._admin_touches_credentials()
        failures = []
        threads = [
            ("novaposhta.account", self.np_account.id),
            ("sale.order", self.order_waybill.id),
            ("res.partner", self.company.partner_id.id),
        ]
        secrets = sorted(self._secret_values)
        in_messages = ["|"] * (2 * len(secrets) - 1)
        in_tracking = ["|"] * (2 * len(secrets) - 1)
        for secret in secrets:
            in_messages += [("body", "ilike", secret), ("subject", "ilike", secret)]
            in_tracking += [
                ("old_value_char", "ilike", secret),
                ("new_value_char", "ilike", secret),
            ]
        loaded = 0
        for role in NON_ADMIN_ROLES:
            answer = self.call(role, "mail.message", "search_read", in_messages, ["body"])
            if answer.ok and answer.result:
                failures.append(f"{role}: a message contains a credential")
            answer = self.call(
                role, "mail.tracking.value", "search_read", in_tracking, ["old_value_char"]
            )
            if answer.ok and answer.result:
                failures.append(f"{role}: a tracking value holds a credential")
            for model_name, res_id in threads:
                # the chatter as the web client loads it (body scanned)
                opener = self.role_opener(role)
                response = self._post_json(
                    opener,
                    "/mail/thread/messages",
                    {"thread_model": model_name, "thread_id": res_id, "limit": 50},
                )
                self.assertNoSecret(role, response.text, f"{role}: chatter of {model_name}")
                loaded += '"result"' in response.text
        self.assertTrue(loaded, "no role could load a chatter: the test proves nothing")
        self.assertFalse(failures, "\n".join(failures))

    def test_attachments(self):
        self._admin_touches_credentials()
        models = sorted({model_name for model_name, _name in self.credentials})
        failures = []
        secrets = sorted(self._secret_values)
        # the attachments of this test's store (the database's own assets
        # are not the suite's and take seconds to scan)
        domain = [("create_date", ">=", fields.Datetime.to_string(self.env.cr.now()))]
        domain += ["|"] * (2 * len(secrets) - 1)
        for secret in secrets:
            domain += [("index_content", "ilike", secret), ("name", "ilike", secret)]
        for role in NON_ADMIN_ROLES:
            answer = self.call(role, "ir.attachment", "search_read", domain, ["name"])
            if answer.ok and answer.result:
                failures.append(f"{role}: an attachment holds a credential")
            answer = self.call(
                role,
                "ir.attachment",
                "search_read",
                [("res_model", "in", models + ["sale.order"])],
                ["name", "datas", "url", "description"],
            )
            if answer.ok:
                for row in answer.result:
                    content = self.decode(row.get("datas"))
                    self.assertNoSecret(role, content, f"{role}: attachment {row.get('name')}")
        self.assertFalse(failures, "\n".join(failures))

    def test_external_api_jsonrpc(self):
        """The external API (/jsonrpc execute_kw with login and password)
        obeys the same field rights."""
        for role in ("manager", "accountant", "logistics"):
            for model_name, name, record in self.targets(role):
                if self.env[model_name]._transient:
                    continue
                answer = self.execute_kw(role, model_name, "read", [record.ids, [name]])
                self.assertNotDisclosed(answer, name)

    @contextlib.contextmanager
    def all_logs(self):
        """Every log record at every level (but SQL statements), collected
        without reaching the log file below INFO."""
        root = logging.getLogger()
        handler = _Collect()
        saved_handlers = [(h, h.level) for h in root.handlers]
        saved_root = root.level
        sql = logging.getLogger("odoo.sql_db")
        saved_sql = sql.level
        for existing, level in saved_handlers:
            existing.setLevel(max(level, logging.INFO))
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        # Odoo's own SQL debug log shows every parameter of every query (the
        # database is where the credential lives): not the suite's to change.
        sql.setLevel(logging.INFO)
        try:
            yield handler
        finally:
            root.removeHandler(handler)
            root.setLevel(saved_root)
            sql.setLevel(saved_sql)
            for existing, level in saved_handlers:
                existing.setLevel(level)

    def test_never_logged(self):
        """Vendor calls that succeed and that fail log no credential, at any
        level (the HTTP library's DEBUG lines included)."""
        admin = "administrator"
        self.refresh_secrets()
        self.mute_http = False  # its warnings are logs too
        with self.all_logs() as logs:
            self.call(admin, "novaposhta.account", "action_test_connection", self.np_account.ids)
            self.call(admin, "sale.order", "action_np_print_label", self.order_waybill.ids)
            self.call(admin, "sale.order", "action_np_refresh_tracking", self.order_waybill.ids)
            self.np_fake.fail_next("500")
            self.call(admin, "novaposhta.account", "action_test_connection", self.np_account.ids)
            self.call(admin, "fiscal.cash.register", "action_check_connection", self.register.ids)
            self.checkbox_fake.fail_next("POST", r".*signin.*", "500")
            self.call(admin, "fiscal.cash.register", "action_check_connection", self.register.ids)
            settings = self.call(admin, "res.config.settings", "create", {})
            if settings.ok:
                self.call(
                    admin,
                    "res.config.settings",
                    "action_smsclub_refresh_balance",
                    [settings.result],
                )
                self.sms_fake.fail_next("500")
                self.call(
                    admin,
                    "res.config.settings",
                    "action_smsclub_refresh_balance",
                    [settings.result],
                )
        self.refresh_secrets()
        leaks = [
            line for line in logs.lines if any(secret in line for secret in self._secret_values)
        ]
        self.assertTrue(logs.lines, "nothing was logged: the capture does not work")
        self.assertFalse(
            bool(leaks),
            "credentials in the log:\n"
            + "\n".join(line.split(":", 1)[0] + ": …" for line in leaks[:10]),
        )
