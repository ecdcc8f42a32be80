"""Wizards and HTML: the status-change wizard stores no script a user typed
or sent, no HTML field of the suite keeps unsanitised input, and a wizard
record (any transient model of the suite) belongs to the user who made it:
nobody else reads it, writes it, deletes it or runs its buttons."""

import inspect
import re

from odoo.tests import tagged

from .security_common import ROLES, SUITE, SecurityCase

XSS = "<img src=x onerror=alert(1)>"
# a tag with an event handler (escaped text showing it is harmless)
SCRIPT_TAG = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


@tagged("post_install", "-at_install")
class TestSecurityWizards(SecurityCase):
    # ------------------------------------------------------------- HTML
    def test_html_fields_of_the_suite_are_sanitized(self):
        unsafe = []
        for model_name in sorted(self.env.registry):
            for name, field in self.env[model_name]._fields.items():
                if (
                    field.type == "html"
                    and getattr(field, "_module", None) in SUITE
                    and not field.related
                    and not field.sanitize
                ):
                    unsafe.append(f"{model_name}.{name}")
        self.assertFalse(unsafe, f"HTML fields stored unsanitised: {unsafe}")

    def test_status_change_wizard_stores_no_script(self):
        Wizard = "sale.order.stage.change"
        forged = self.call(
            "sales",
            Wizard,
            "create",
            {
                "order_ids": [(6, 0, self.order_new.ids)],
                "stage_id": self.stage("cancelled").id,
                "result": XSS,
            },
        )
        if forged.ok:
            stored = self.env[Wizard].sudo().browse(forged.result).result or ""
            self.assertNotRegex(stored, SCRIPT_TAG, "the script was stored as sent")
        answer = self.call(
            "sales",
            Wizard,
            "create",
            {
                "order_ids": [(6, 0, self.order_new.ids)],
                "stage_id": self.stage("cancelled").id,
                "operator_comment": XSS,
            },
        )
        self.assertAccepted(answer, "a sales manager opens the status change")
        wizard = self.env[Wizard].sudo().browse(answer.result)
        self.call("sales", Wizard, "write", wizard.ids, {"result": XSS})
        wizard.invalidate_recordset()
        self.assertNotRegex(wizard.result or "", SCRIPT_TAG, "the script was stored on write")
        self.call("sales", Wizard, "action_apply", wizard.ids)
        wizard.invalidate_recordset()
        self.assertNotRegex(wizard.result or "", SCRIPT_TAG, "the result lists the script")
        # the order's name is the client's too: refused orders are listed by it
        self.order_other.sudo().name = XSS
        answer = self.call(
            "manager",
            Wizard,
            "create",
            {
                "order_ids": [(6, 0, (self.order_other | self.order_new).ids)],
                "stage_id": self.stage("done").id,
            },
        )
        self.assertAccepted(answer)
        self.call("manager", Wizard, "action_apply", [answer.result])
        result = self.env[Wizard].sudo().browse(answer.result).result or ""
        self.assertNotRegex(result, SCRIPT_TAG, "the result shows the order's name as HTML")

    # ---------------------------------------------------- wizard owners
    def transient_setups(self):
        """How each transient model of the suite is made: (creator role,
        values to create it with, or the name of the button that makes the
        creator's own records)."""
        rule = self.env.ref("crm_order_flow.automation_02_new_notify")
        trial = self.call(
            "administrator", "base.automation.dry.run", "create", {"automation_id": rule.id}
        )
        self.assertAccepted(trial, "an administrator opens a rule's trial")
        return {
            "base.automation.dry.run": ("administrator", {"automation_id": rule.id}),
            "base.automation.dry.run.line": (
                "administrator",
                {"wizard_id": trial.result, "order_id": self.order_new.id},
            ),
            "sale.order.stage.change": (
                "sales",
                {
                    "order_ids": [(6, 0, self.order_new.ids)],
                    "stage_id": self.stage("cancelled").id,
                    "operator_comment": "The customer cancelled by phone",
                },
            ),
            "novaposhta.waybill.bulk": (
                "logistics",
                {"order_ids": [(6, 0, self.order_assembled.ids)]},
            ),
            "sale.order.trigger.map": ("manager", "action_open_map"),
            "sms.club.test.message": (
                "administrator",
                {"number": "+380501112233", "body": "Test from the administrator"},
            ),
            "access.matrix.line": ("manager", "action_open_matrix"),
            "sale.order.customer.message.compose": (
                "support",
                {"order_id": self.order_new.id, "body": "{{ object.customer_first_name }}, hi"},
            ),
            "sale.order.refusal.waiver": (
                "administrator",
                {"order_id": self.order_new.id, "comment": "A regular customer"},
            ),
        }

    def suite_transient_models(self):
        return sorted(
            name
            for name, model_class in self.env.registry.items()
            if model_class._transient and model_class._original_module in SUITE
        )

    def public_methods(self, model_name):
        """The buttons of a wizard: public methods defined by the suite."""
        names = set()
        for klass in type(self.env[model_name]).mro():
            module = getattr(klass, "__module__", "") or ""
            parts = module.split(".")
            if len(parts) < 3 or parts[:2] != ["odoo", "addons"] or parts[2] not in SUITE:
                continue
            for name, member in vars(klass).items():
                if (
                    not name.startswith("_")
                    and inspect.isfunction(member)
                    and name not in ("create", "write", "unlink", "copy", "read")
                    and getattr(member, "_api", None) is None
                ):
                    names.add(name)
        return sorted(names)

    def write_probes(self):
        """A change of a wizard its maker could make (the fields compared)."""
        return {
            "sale.order.stage.change": {"operator_comment": "Changed by someone else"},
            "novaposhta.waybill.bulk": {"order_ids": [(6, 0, self.order_new.ids)]},
            "sms.club.test.message": {"body": "Changed by someone else"},
            "sale.order.customer.message.compose": {"body": "Changed by someone else"},
        }

    def make_wizard(self, model_name, creator, vals):
        if isinstance(vals, str):
            self.assertAccepted(self.call(creator, model_name, vals))
            return (
                self.env[model_name]
                .sudo()
                .search([("create_uid", "=", self.users[creator].id)], limit=1)
            )
        answer = self.call(creator, model_name, "create", vals)
        self.assertAccepted(answer, f"{creator} creates {model_name}")
        return self.env[model_name].sudo().browse(answer.result)

    def attack_wizard(self, attacker, creator, record):
        """What ``attacker`` could do with ``creator``'s wizard record."""
        model_name = record._name
        who = self.role_name(attacker)
        of = f"{creator}'s {model_name}"
        probe = self.write_probes().get(model_name, {})
        names = list(probe) or ["create_uid"]
        failures = []
        with self.rolled_back():
            before = self.snapshot(record, names)
            read = self.call(attacker, model_name, "read", record.ids, names)
            if read.ok and read.result:
                failures.append(f"{who} reads {of}")
            found = self.call(attacker, model_name, "search", [("id", "=", record.id)])
            if found.ok and found.result:
                failures.append(f"{who} finds {of}")
            if probe and self.call(attacker, model_name, "write", record.ids, probe).ok:
                failures.append(f"{who} writes {of}")
            for method in self.public_methods(model_name):
                # a button that does not use the record (a download link)
                # is harmless; one that acts on it must refuse
                state = self.system_state()
                ran = self.call(attacker, model_name, method, record.ids)
                changed = self.state_diff(state, self.system_state())
                if ran.ok and changed:
                    failures.append(f"{who} runs {method} of {of}: {'; '.join(changed[:2])}")
            deleted = self.call(attacker, model_name, "unlink", record.ids)
            if deleted.ok or not record.exists():
                failures.append(f"{who} deletes {of}")
            elif self.snapshot(record, names) != before:
                failures.append(f"{who} changed {of}")
        return failures

    def test_wizard_records_belong_to_their_maker(self):
        setups = self.transient_setups()
        failures = []
        for model_name in self.suite_transient_models():
            self.assertIn(model_name, setups, f"say how {model_name} is made for this test")
            creator, vals = setups[model_name]
            record = self.make_wizard(model_name, creator, vals)
            self.assertTrue(record, f"{creator} has a {model_name} record")
            attackers = [role for role in ROLES if role != creator]
            if creator == "sales":
                attackers.append(self.other_sales)
            for attacker in attackers:
                user = self.users.get(attacker) if isinstance(attacker, str) else attacker
                if (
                    self.env["ir.model.access"]
                    .with_user(user)
                    .check(model_name, "read", raise_exception=False)
                ):
                    failures += self.attack_wizard(attacker, creator, record)
        self.assertFalse(failures, "\n".join(failures))
