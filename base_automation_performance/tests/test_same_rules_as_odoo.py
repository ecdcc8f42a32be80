from odoo import Command
from odoo.tests import tagged

from .common import AutomationCase, odoo_rule_methods


@tagged("post_install", "-at_install")
class TestSameRulesAsOdoo(AutomationCase):
    """The same day of contact changes, once with this addon's speed-ups and
    once with Odoo's own methods: every rule runs on the same records, in the
    same order."""

    def make_rules(self):
        self.make_rule("created", trigger="on_create")
        self.make_rule(
            "phone of a person",
            trigger="on_create_or_write",
            fields=["phone"],
            filter_domain="[('is_company', '=', False)]",
        )
        self.make_rule(
            "email, mine",
            trigger="on_create_or_write",
            fields=["email"],
            filter_domain="[('create_uid', '=', uid)]",
        )
        self.make_rule(
            "any update of P-refs", trigger="on_write", filter_domain="[('ref', 'like', 'P')]"
        )
        self.make_rule(
            "renamed",
            trigger="on_write",
            fields=["name"],
            code="records.write({'function': 'Renamed'})",
        )
        self.make_rule("function set", trigger="on_write", fields=["function"])
        self.make_rule(
            "function of P1 or P3",
            trigger="on_write",
            fields=["function", "comment"],
            filter_domain="[('ref', 'in', ['P1', 'P3'])]",
        )
        self.make_rule("inactive", trigger="on_create_or_write", active=False)
        self.make_rule("archived", trigger="on_archive")
        self.make_rule("unarchived", trigger="on_unarchive")
        self.make_rule("salesperson set", trigger="on_user_set")
        self.make_rule(
            "company contact (recomputed)", trigger="on_write", fields=["commercial_partner_id"]
        )
        self.make_rule("deleted", trigger="on_unlink", filter_domain="[('ref', '!=', 'P9')]")
        self.make_rule("customer wrote", trigger="on_message_received")
        self.make_rule("tag saved", model="res.partner.category", trigger="on_create_or_write")

    def scenario(self):
        """Runs the day; returns the rule runs, in order."""
        with self.recorded_runs() as runs:
            self.make_rules()
            p1, p2, p3 = self.Partner.create(
                [
                    {"name": "Olena", "ref": "P1", "phone": "+380501110001"},
                    {"name": "Shop LLC", "ref": "P2", "is_company": True},
                    {"name": "Taras", "ref": "Q3", "email": "taras@example.com"},
                ]
            )
            p1.write({"phone": "+380501110002"})
            p1.write({"phone": "+380501110002"})  # the same value: no change
            (p1 | p3).write({"email": "team@example.com"})
            (p1 | p2 | p3).write({"name": "Renamed contact"})
            p3.write({"ref": "P3", "comment": "now a P-ref"})
            p1.write({"parent_id": p2.id})
            p1.write({"user_id": self.env.uid})
            p1.action_archive()
            p1.action_unarchive()
            p2.message_post(
                body="Where is my order?",
                author_id=p3.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self.env["res.partner.category"].create({"name": "Wholesale"})
            rules = {
                rule.name: rule for rule in self.Rule.with_context(active_test=False).search([])
            }
            # Administrators change rules during the day.
            rules["any update of P-refs"].active = False
            p3.write({"comment": "while deactivated"})
            rules["any update of P-refs"].active = True
            rules["inactive"].active = True
            p3.write({"comment": "reactivated"})
            rules["created"].trigger = "on_create_or_write"
            p2.write({"comment": "created rule now also on save"})
            tag_model = self.env["ir.model"]._get_id("res.partner.category")
            moved = rules["phone of a person"]
            moved.write(
                {
                    "model_id": tag_model,
                    "action_server_ids": [
                        Command.update(moved.action_server_ids.id, {"model_id": tag_model})
                    ],
                    "trigger": "on_create_or_write",
                    "filter_domain": False,
                    "trigger_field_ids": [Command.clear()],
                }
            )
            p1.write({"phone": "+380501110003"})
            self.env["res.partner.category"].create({"name": "Retail"})
            self.make_rule("added later", trigger="on_write", fields=["comment"])
            (p1 | p2).write({"comment": "after a new rule"})
            rules["any update of P-refs"].unlink()
            p9 = self.Partner.create({"name": "Temp", "ref": "P9"})
            (p3 | p9).unlink()
            self.env.flush_all()
        return runs

    def run_scenario(self, *, speed_ups):
        """The scenario's runs; the database is left as it was."""
        savepoint = self.env.cr.savepoint()
        try:
            if speed_ups:
                return self.scenario()
            with odoo_rule_methods():
                return self.scenario()
        finally:
            savepoint.close(rollback=True)
            self.env.registry.clear_cache()

    def test_same_rules_on_the_same_records(self):
        self.maxDiff = None
        odoo_runs = self.run_scenario(speed_ups=False)
        fast_runs = self.run_scenario(speed_ups=True)
        self.assertEqual(fast_runs, odoo_runs)
        # The day exercises each kind of rule (the comparison means something).
        ran = {rule for rule, _keys in odoo_runs}
        self.assertEqual(
            ran,
            {
                "created",
                "phone of a person",
                "email, mine",
                "any update of P-refs",
                "renamed",
                "function set",
                "function of P1 or P3",
                "inactive",
                "archived",
                "unarchived",
                "salesperson set",
                "company contact (recomputed)",
                "deleted",
                "customer wrote",
                "tag saved",
                "added later",
            },
        )
        self.assertNotIn(("phone of a person", ("P2",)), odoo_runs, "a company: condition")
        self.assertEqual(odoo_runs.count(("phone of a person", ("P1",))), 2)
        self.assertIn(("phone of a person", ("Retail",)), odoo_runs, "moved to tags")
        self.assertNotIn(("deleted", ("P9",)), odoo_runs)
