"""Wizards and HTML: the status-change wizard stores no script a user typed
or sent, no HTML field of the suite keeps unsanitised input, and a wizard
record (any transient model of the suite) belongs to the user who made it:
nobody else reads it, writes it, deletes it or runs its buttons."""

import inspect

from odoo.tests import tagged

from .security_common import ROLES, SUITE, SecurityCase

XSS = "<img src=x onerror=alert(1)>"


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
        answer = self.call(
            "sales",
            Wizard,
            "create",
            {
                "order_ids": [(6, 0, self.order_new.ids)],
                "stage_id": self.stage("cancelled").id,
                "operator_comment": XSS,
                "result": XSS,
            },
        )
        self.assertAccepted(answer, "a sales manager opens the status change")
        wizard = self.env[Wizard].sudo().browse(answer.result)
        self.assertNotIn("onerror", wizard.result or "", "the script was stored as sent")
        self.call("sales", Wizard, "write", wizard.ids, {"result": XSS})
        wizard.invalidate_recordset()
        self.assertNotIn("onerror", wizard.result or "", "the script was stored on write")
        self.call("sales", Wizard, "action_apply", wizard.ids)
        wizard.invalidate_recordset()
        self.assertNotIn("onerror", wizard.result or "", "the result lists the script")
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
        self.assertNotIn("onerror", result)

    # ---------------------------------------------------- wizard owners
    def transient_setups(self):
        """How each transient model of the suite is made: (creator role,
        values)."""
        return {
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
            "sale.order.trigger.map": (
                "manager",
                {"stage_id": self.stage("new").id, "trigger": "Manager's own line"},
            ),
            "access.matrix.line": ("manager", {"model": "sale.order", "rights": "RWCD"}),
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

    def test_wizard_records_belong_to_their_maker(self):
        setups = self.transient_setups()
        failures = []
        for model_name in self.suite_transient_models():
            self.assertIn(model_name, setups, f"say how {model_name} is made for this test")
            creator, vals = setups[model_name]
            answer = self.call(creator, model_name, "create", vals)
            self.assertAccepted(answer, f"{creator} creates {model_name}")
            record = self.env[model_name].sudo().browse(answer.result)
            attackers = [role for role in ROLES if role != creator]
            if creator == "sales":
                attackers.append(self.other_sales)
            fields_ = [name for name in vals if name != "order_ids"] or ["id"]
            for attacker in attackers:
                who = self.role_name(attacker)
                user = self.users.get(attacker) if isinstance(attacker, str) else attacker
                if (
                    not self.env["ir.model.access"]
                    .with_user(user)
                    .check(model_name, "read", raise_exception=False)
                ):
                    continue
                with self.rolled_back():
                    before = self.snapshot(record, fields_)
                    read = self.call(attacker, model_name, "read", record.ids, fields_)
                    if read.ok and read.result:
                        failures.append(f"{who} reads {creator}'s {model_name}")
                    found = self.call(attacker, model_name, "search", [("id", "=", record.id)])
                    if found.ok and found.result:
                        failures.append(f"{who} finds {creator}'s {model_name}")
                    write_vals = {fields_[0]: vals[fields_[0]]} if fields_[0] in vals else {}
                    if "operator_comment" in vals:
                        write_vals = {"operator_comment": "Changed by someone else"}
                    if "trigger" in vals:
                        write_vals = {"trigger": "Changed by someone else"}
                    if "rights" in vals:
                        write_vals = {"rights": "-"}
                    if write_vals:
                        written = self.call(attacker, model_name, "write", record.ids, write_vals)
                        if written.ok:
                            failures.append(f"{who} writes {creator}'s {model_name}")
                    for method in self.public_methods(model_name):
                        ran = self.call(attacker, model_name, method, record.ids)
                        if ran.ok:
                            failures.append(f"{who} runs {method} of {creator}'s {model_name}")
                    deleted = self.call(attacker, model_name, "unlink", record.ids)
                    if deleted.ok or not record.exists():
                        failures.append(f"{who} deletes {creator}'s {model_name}")
                    if record.exists() and self.snapshot(record, fields_) != before:
                        failures.append(f"{who} changed {creator}'s {model_name}")
        self.assertFalse(failures, "\n".join(failures))
