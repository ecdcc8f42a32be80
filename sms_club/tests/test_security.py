import inspect
import logging
from contextlib import contextmanager
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.access_roles.tests.common import ROLES

from .common import TIMEOUT, SmsClubCommon
from .fake_smsclub import TOKEN
from .test_client import dead_url

NON_ADMIN = tuple(role for role in ROLES if role != "administrator")
# The public methods sms_club adds to models, each tested below for every
# role that can read the model (a new one makes test_every_public_method_is_known fail).
PUBLIC_METHODS = {
    "sms.club.message": {
        "action_check_state",
        "action_recheck",
        "action_mark_sent",
        "action_send_again",
    },
    "sms.club.test.message": {"action_send"},
    "res.config.settings": {
        "action_smsclub_fetch_senders",
        "action_smsclub_refresh_balance",
        "action_smsclub_open_test",
    },
    "sale.order": {"action_view_smsclub_messages"},
    "res.partner": {"action_view_smsclub_messages"},
    "sms.sms": set(),
    "sms.club.message.mixin": {"action_view_smsclub_messages"},
}
REFUSED = UserError  # AccessError and ValidationError are UserErrors
# Odoo's own CRUD methods that sms_club extends (guarded by the access rights
# and the system-only fields, tested below)
ORM_METHODS = {"create", "write", "unlink", "copy", "read"}


class _Collect(logging.Handler):
    """Every log record, formatted with its arguments and traceback."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(logging.Formatter().format(record))


@tagged("post_install", "-at_install")
class TestSmsClubSecurity(SmsClubCommon):
    """Fields only the system sets, public methods and the token, for every
    store role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users = {
            role: new_test_user(
                cls.env,
                login=f"smsclub_{role}",
                name=f"SMS Club {role}",
                groups=f"base.group_user,access_roles.group_role_{role}",
            )
            for role in ROLES
        }
        cls.company.smsclub_timeout = TIMEOUT
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.role_users["sales"].id,
                "order_line": [Command.create({"product_id": cls.product.id})],
            }
        )
        cls.env["sms.sms"]._process_queue()
        cls.order = order
        cls.message = cls.env["sms.club.message"].search([("order_id", "=", order.id)])
        cls.message.ensure_one()

    # ------------------------------------------------------------ helpers
    def value_for(self, record, name):
        """A value different from the current one, of the field's type."""
        field = record._fields[name]
        current = record[name]
        if field.type in ("char", "text"):
            return f"{current or ''}-forged"
        if field.type == "integer" or field.type == "many2one_reference":
            return (current or 0) + 7
        if field.type == "float":
            return (current or 0.0) + 999.0
        if field.type == "boolean":
            return not current
        if field.type == "datetime":
            return datetime(2030, 1, 1, 12, 0, 0)
        if field.type == "selection":
            values = [key for key, _label in field._description_selection(self.env)]
            return next(key for key in values if key != current)
        if field.type == "many2one":
            other = self.env[field.comodel_name].search([("id", "!=", current.id)], limit=1)
            return other.id
        raise AssertionError(f"no forged value for {field.type}")

    def snapshot(self, record, names):
        return {name: record.sudo()[name] for name in names}

    def system_only(self, model):
        return [
            name
            for name, field in self.env[model]._fields.items()
            if getattr(field, "system_only", False)
        ]

    def assert_refused_for_all(self, record, names, roles=ROLES, create_vals=None):
        """Each field in ``names``, as each role: refused on write (and on
        create when ``create_vals`` is given), the record as it was."""
        self.assertTrue(names)
        before = self.snapshot(record, names)
        for role in roles:
            user = self.role_users[role]
            for name in names:
                value = self.value_for(record, name)
                with self.subTest(role=role, field=name):
                    with self.assertRaises(REFUSED):
                        with self.env.cr.savepoint():
                            record.with_user(user).write({name: value})
                            record.env.flush_all()
                    if create_vals is not None:
                        with self.assertRaises(REFUSED):
                            with self.env.cr.savepoint():
                                record.with_user(user).create(dict(create_vals, **{name: value}))
                                record.env.flush_all()
        record.invalidate_recordset()
        self.assertEqual(self.snapshot(record, names), before)

    # ----------------------------------------------------- system-only fields
    def test_message_fields_are_set_by_the_system_only(self):
        names = self.system_only("sms.club.message")
        self.assertIn("provider_id", names)
        self.assertEqual(
            set(names),
            {n for n, f in self.message._fields.items() if f.store and not f.automatic},
            "every stored field of a message",
        )
        self.assert_refused_for_all(self.message, names, create_vals={})

    def test_company_balance_is_set_by_the_system_only(self):
        names = self.system_only("res.company")
        for name in ("smsclub_balance", "smsclub_currency", "smsclub_balance_date"):
            self.assertIn(name, names)
        self.assert_refused_for_all(
            self.company, ["smsclub_balance", "smsclub_currency", "smsclub_balance_date"]
        )
        # nor through the settings
        admin = self.role_users["administrator"]
        with self.assertRaises(REFUSED):
            settings = (
                self.env["res.config.settings"]
                .with_user(admin)
                .create({"smsclub_balance": 123456.0, "smsclub_currency": "USD"})
            )
            settings.execute()
        self.assertNotEqual(self.company.smsclub_balance, 123456.0)
        self.assertNotEqual(self.company.smsclub_currency, "USD")

    def test_tracker_and_sms_links_are_set_by_the_system_only(self):
        sms = self.env["sms.sms"].sudo().create({"number": "+380501112299", "body": "Hi"})
        tracker = self.env["sms.tracker"].sudo().create({"sms_uuid": sms.uuid})
        tracker.sudo().smsclub_id = "777"
        self.assert_refused_for_all(tracker, ["smsclub_id"])
        self.assert_refused_for_all(sms, ["smsclub_message_id"])

    def test_sender_names_come_from_sms_club_only(self):
        names = self.system_only("sms.club.sender")
        self.assertEqual(set(names), {"name", "kind", "company_id", "active"})
        self.assert_refused_for_all(
            self.sms_sender, names, create_vals={"name": "Forged", "kind": "sms"}
        )

    def test_messages_cannot_be_changed_through_orders_and_contacts(self):
        """The message lists of orders and contacts write through to the
        messages: refused for every role that may change the order or
        contact, and the message is as it was."""
        before = self.snapshot(self.message, ["state", "provider_id", "order_id", "partner_id"])
        commands = [
            [Command.update(self.message.id, {"state": "delivered"})],
            [Command.create({"sms_uuid": "x", "company_id": self.company.id, "state": "sent"})],
            [Command.unlink(self.message.id)],
            [Command.delete(self.message.id)],
            [Command.clear()],
        ]
        for document in (self.order, self.customer):
            for role in ROLES:
                for command in commands:
                    with self.subTest(model=document._name, role=role, command=command[0][0]):
                        with self.assertRaises(REFUSED):
                            with self.env.cr.savepoint():
                                document.with_user(self.role_users[role]).write(
                                    {"smsclub_message_ids": command}
                                )
                                document.env.flush_all()
        self.message.invalidate_recordset()
        after = self.snapshot(self.message, ["state", "provider_id", "order_id", "partner_id"])
        self.assertEqual(after, before)
        self.assertTrue(self.message.exists())

    def test_messages_cannot_be_deleted_by_hand(self):
        for role in ROLES:
            with self.subTest(role=role), self.assertRaises(REFUSED):
                self.message.with_user(self.role_users[role]).unlink()
        self.assertTrue(self.message.exists())

    # ---------------------------------------------------------- public methods
    def test_every_public_method_is_known(self):
        """The public methods sms_club defines are the ones tested here."""
        for model_name in list(PUBLIC_METHODS) + [
            "sms.club.sender",
            "res.company",
            "sms.tracker",
            "sale.order.customer.message",
        ]:
            found = set()
            for cls in type(self.env[model_name]).mro():
                if not cls.__module__.startswith("odoo.addons.sms_club."):
                    continue
                for name, member in vars(cls).items():
                    public = not name.startswith("_") and name not in ORM_METHODS
                    if public and inspect.isfunction(member):
                        found.add(name)
            self.assertEqual(found, PUBLIC_METHODS.get(model_name, set()), model_name)

    def test_message_buttons_are_for_administrators(self):
        unknown = self.env["sms.club.message"].search([("id", "=", self.message.id)])
        before = self.snapshot(unknown, ["state", "failure_reason", "check_date"])
        calls = len(self.fake.calls)
        for role in NON_ADMIN:
            user = self.role_users[role]
            for method in sorted(PUBLIC_METHODS["sms.club.message"]):
                with self.subTest(role=role, method=method), self.assertRaises(REFUSED):
                    getattr(unknown.with_user(user), method)()
        self.assertEqual(len(self.fake.calls), calls, "SMS Club was not called")
        unknown.invalidate_recordset()
        self.assertEqual(self.snapshot(unknown, ["state", "failure_reason", "check_date"]), before)
        # the administrator may
        self.assertTrue(unknown.with_user(self.role_users["administrator"]).action_check_state())

    def test_settings_actions_are_for_administrators(self):
        admin_settings = self.env["res.config.settings"].create({})
        calls = len(self.fake.calls)
        for role in NON_ADMIN:
            user = self.role_users[role]
            for method in sorted(PUBLIC_METHODS["res.config.settings"]):
                with self.subTest(role=role, method=method), self.assertRaises(REFUSED):
                    getattr(admin_settings.with_user(user), method)()
            with self.subTest(role=role), self.assertRaises(REFUSED):
                self.env["sms.club.test.message"].with_user(user).create({"number": "1"})
            wizard = self.env["sms.club.test.message"].create({"number": "+380501112233"})
            with self.subTest(role=role), self.assertRaises(REFUSED):
                wizard.with_user(user).action_send()
        self.assertEqual(len(self.fake.calls), calls, "SMS Club was not called")
        self.assertFalse(self.fake.sent())

    def test_document_buttons_check_the_reader(self):
        for role in ROLES:
            user = self.role_users[role]
            can_read = self.env["sms.club.message"].with_user(user).has_access("read")
            for document in (self.order, self.customer):
                try:
                    document.with_user(user).check_access("read")
                except AccessError:
                    continue
                with self.subTest(role=role, model=document._name):
                    if can_read:
                        action = document.with_user(user).action_view_smsclub_messages()
                        self.assertEqual(action["res_model"], "sms.club.message")
                    else:
                        with self.assertRaises(AccessError):
                            document.with_user(user).action_view_smsclub_messages()

    # ------------------------------------------------------------------ token
    def test_token_is_unreadable_to_other_roles(self):
        for role in NON_ADMIN:
            user = self.role_users[role]
            Company = self.env["res.company"].with_user(user)
            attempts = {
                "read": lambda C=Company: C.browse(self.company.id).read(["smsclub_token"]),
                "search": lambda C=Company: C.search([("smsclub_token", "=like", "test%")]),
                "read_group": lambda C=Company: C.read_group(
                    [], ["smsclub_token"], ["smsclub_token"]
                ),
                "export": lambda C=Company: C.browse(self.company.id).export_data(
                    ["smsclub_token"]
                ),
                "web_read": lambda C=Company: C.browse(self.company.id).web_read(
                    {"smsclub_token": {}}
                ),
                "order by": lambda C=Company: C.search([], order="smsclub_token"),
                "related path": lambda u=user: (
                    self.env["res.partner"]
                    .with_user(u)
                    .search([("company_id.smsclub_token", "=like", "test%")])
                ),
                "settings": lambda u=user: (
                    self.env["res.config.settings"].with_user(u).create({}).read(["smsclub_token"])
                ),
            }
            for what, attempt in attempts.items():
                with self.subTest(role=role, attempt=what), self.assertRaises(REFUSED):
                    attempt()
        admin = self.env["res.company"].with_user(self.role_users["administrator"])
        self.assertEqual(admin.browse(self.company.id).smsclub_token, TOKEN)

    def test_token_not_in_chatter_nor_tracking(self):
        admin = self.role_users["administrator"]
        settings = self.env["res.config.settings"].with_user(admin).create({})
        settings.smsclub_token = "h-sms-new-token-5e0c1"
        settings.execute()
        self.assertEqual(self.company.smsclub_token, "h-sms-new-token-5e0c1")
        self.env.flush_all()
        for table, column in (
            ("mail_message", "body"),
            ("mail_tracking_value", "old_value_char"),
            ("mail_tracking_value", "new_value_char"),
        ):
            self.env.cr.execute(
                SQL(
                    "SELECT count(*) FROM %s WHERE %s::text LIKE %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    "%h-sms-new-token%",
                )
            )
            self.assertEqual(self.env.cr.fetchone()[0], 0, table)

    @contextmanager
    def all_logs(self):
        """Every log line at DEBUG of Odoo, the HTTP library and the rest
        (except the SQL trace, which only --log-level=debug_sql turns on)."""
        collect = _Collect()
        root = logging.getLogger()
        loggers = {
            name: logging.getLogger(name).level
            for name in ("", "odoo", "urllib3", "requests", "odoo.addons.sms_club")
        }
        sql = logging.getLogger("odoo.sql_db")
        sql_level = sql.level
        root.addHandler(collect)
        try:
            for name in loggers:
                logging.getLogger(name).setLevel(logging.DEBUG)
            sql.setLevel(logging.INFO)
            yield collect.lines
        finally:
            root.removeHandler(collect)
            for name, level in loggers.items():
                logging.getLogger(name).setLevel(level)
            sql.setLevel(sql_level)

    def test_token_never_logged_nor_sent_in_urls_or_messages(self):
        self.fake.bad_numbers = {"380501112233": f"Refused for {TOKEN}"}
        with self.all_logs() as lines:
            admin = self.role_users["administrator"]
            settings = self.env["res.config.settings"].with_user(admin).create({})
            settings.smsclub_token = TOKEN
            settings.execute()
            self.customer._message_sms("Hello", partner_ids=self.customer.ids)
            for fault in ("hang", "reset", "500", "429", "400", "malformed"):
                self.fake.fail_next(fault)
                self.make_order()
            self.process_queue()
            self.process_queue()
            self.poll()
            self.env["sms.club.message"]._cron_smsclub_balance()
            settings = self.env["res.config.settings"].create({})
            settings.action_smsclub_fetch_senders()
        self.assertTrue(lines, "the logs were collected")
        self.assertFalse([line for line in lines if TOKEN in line])
        self.assertFalse([call for call in self.fake.calls if TOKEN in call["path"]])
        reasons = self.env["sms.club.message"].search([]).mapped("failure_reason")
        self.assertTrue(any("Refused for" in (reason or "") for reason in reasons))
        self.assertFalse([reason for reason in reasons if reason and TOKEN in reason])

    def test_connection_errors_are_told_in_the_users_language(self):
        self.company.smsclub_url = dead_url()
        settings = self.env["res.config.settings"].create({})
        with self.assertRaises(UserError) as caught:
            settings.action_smsclub_refresh_balance()
        text = str(caught.exception)
        self.assertIn("SMS Club could not be reached", text)
        for library_word in ("HTTPConnectionPool", "Max retries", "Errno", "urllib3", "http://"):
            self.assertNotIn(library_word, text)
        self.env["res.lang"]._activate_lang("uk_UA")
        with self.assertRaises(UserError) as caught:
            settings.with_context(lang="uk_UA").action_smsclub_refresh_balance()
        self.assertNotIn("could not be reached", str(caught.exception))
        self.assertIn("SMS Club", str(caught.exception))
