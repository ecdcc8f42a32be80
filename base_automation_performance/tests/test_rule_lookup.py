from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base_automation.models import base_automation as odoo_base_automation

from ..models.base_automation import literal_domain
from .common import AutomationCase, odoo_rule_methods

WRITE_TRIGGERS = tuple(odoo_base_automation.WRITE_TRIGGERS)


@tagged("post_install", "-at_install")
class TestRuleLookup(AutomationCase):
    """Rules are looked up from a cache and checked cheaply; administrators'
    changes to rules still apply at once."""

    def ran(self, runs, name):
        return [keys for rule, keys in runs if rule == name]

    def test_new_deactivated_and_reactivated_rules_apply_at_once(self):
        partner = self.Partner.create({"name": "Olena", "ref": "P1"})
        partner.write({"comment": "first"})  # the rule lookup is cached now
        rule = self.make_rule("Note", trigger="on_create_or_write", fields=["comment"])
        with self.recorded_runs() as runs:
            partner.write({"comment": "second"})
            self.assertEqual(self.ran(runs, "Note"), [("P1",)], "a new rule runs at once")
            rule.active = False
            partner.write({"comment": "third"})
            self.assertEqual(len(runs), 1, "a deactivated rule no longer runs")
            rule.active = True
            partner.write({"comment": "fourth"})
            self.assertEqual(len(runs), 2, "a reactivated rule runs again")
            rule.unlink()
            partner.write({"comment": "fifth"})
            self.assertEqual(len(runs), 2, "a deleted rule no longer runs")

    def test_rule_moved_to_another_model_or_trigger_applies_at_once(self):
        partner = self.Partner.create({"name": "Olena", "ref": "P1"})
        rule = self.make_rule("Moving", trigger="on_write")
        with self.recorded_runs() as runs:
            partner.write({"comment": "on contacts"})
            self.assertEqual(self.ran(runs, "Moving"), [("P1",)])
            rule.write({"trigger": "on_create"})
            partner.write({"comment": "now only at creation"})
            self.Partner.create({"name": "Taras", "ref": "P2"})
            self.assertEqual(self.ran(runs, "Moving"), [("P1",), ("P2",)])
            category_model = self.env["ir.model"]._get_id("res.partner.category")
            rule.write(
                {
                    "model_id": category_model,
                    "trigger": "on_create_or_write",
                    "action_server_ids": [
                        Command.update(rule.action_server_ids.id, {"model_id": category_model})
                    ],
                }
            )
            self.Partner.create({"name": "Iryna", "ref": "P3"})
            self.env["res.partner.category"].create({"name": "Wholesale"})
            self.assertEqual(self.ran(runs, "Moving"), [("P1",), ("P2",), ("Wholesale",)])

    def test_trigger_fields_and_conditions(self):
        self.make_rule(
            "Urgent",
            trigger="on_create_or_write",
            fields=["comment"],
            # Not a plain literal: evaluated with the rule's context.
            filter_domain="[('user_id', '=', uid), ('comment', 'ilike', 'urgent')]",
        )
        partner = self.Partner.create({"name": "Olena", "ref": "P1", "user_id": self.env.uid})
        with self.recorded_runs() as runs:
            partner.write({"function": "Buyer"})
            partner.write({"comment": "call tomorrow"})
            self.assertFalse(runs, "condition not met")
            partner.write({"comment": "urgent: call now"})
            self.assertEqual(runs, [("Urgent", ("P1",))], "trigger field changed, condition met")
            partner.write({"function": "Head buyer"})
            self.assertEqual(len(runs), 1, "other fields do not trigger the rule")

    def test_condition_not_evaluated_when_no_trigger_field_was_written(self):
        condition = [("user_id", "!=", False)]
        self.make_rule("Phone", trigger="on_write", fields=["phone"], filter_domain=repr(condition))
        partner = self.Partner.create({"name": "Olena", "ref": "P1", "user_id": self.env.uid})
        self.env.flush_all()
        Partner = type(self.Partner)

        def evaluations(mock):
            return sum(1 for call in mock.call_args_list if call.args[1] == condition)

        with patch.object(
            Partner, "filtered_domain", autospec=True, side_effect=Partner.filtered_domain
        ) as evaluated:
            partner.write({"function": "Buyer"})
            self.assertEqual(evaluations(evaluated), 0, "skipped: the phone was not written")
            with self.recorded_runs() as runs:
                partner.write({"phone": "+380501112233"})
            self.assertEqual(runs, [("Phone", ("P1",))])
            self.assertEqual(evaluations(evaluated), 1)
            with odoo_rule_methods():
                partner.write({"function": "Head buyer"})
            self.assertEqual(evaluations(evaluated), 2, "Odoo itself evaluates it")
            partner.invalidate_recordset(["user_id"])
            partner.write({"function": "Buyer again"})
            self.assertEqual(
                evaluations(evaluated), 3, "evaluated when it must read the database (flush)"
            )

    def test_rule_lookup_is_cached_and_the_same_as_odoo(self):
        self.make_rule("On save", trigger="on_create_or_write")
        self.make_rule("Off", trigger="on_create_or_write", active=False)
        self.make_rule("Tags", model="res.partner.category", trigger="on_create_or_write")
        partner = self.Partner.browse()
        with odoo_rule_methods():
            expected = self.Rule._get_actions(partner, list(WRITE_TRIGGERS))
        rules = self.Rule._get_actions(partner, list(WRITE_TRIGGERS))
        self.assertEqual(rules, expected)
        self.assertIn("On save", rules.mapped("name"))
        self.assertNotIn("Off", rules.mapped("name"))
        self.assertNotIn("Tags", rules.mapped("name"))
        with self.assertQueryCount(0):
            self.Rule._get_actions(partner, list(WRITE_TRIGGERS))
        with odoo_rule_methods(), self.assertQueryCount(1):
            self.Rule._get_actions(partner, list(WRITE_TRIGGERS))

    def test_caller_context_does_not_change_the_lookup(self):
        """The lookup answers as Odoo's whatever context the caller sends
        (RPC clients choose their context): inactive rules stay out, a
        running rule's bookkeeping is kept."""
        self.make_rule("On save", trigger="on_create_or_write")
        self.make_rule("Off", trigger="on_create_or_write", active=False)
        partner = self.Partner.browse()
        done = {}
        for context in (
            {},
            {"active_test": False},
            {"lang": "uk_UA", "tz": "Europe/Kyiv", "allowed_company_ids": [1]},
            {"__action_done": done},
            {"old_values": {}, "__action_feedback": True},
        ):
            with self.subTest(context=context):
                Rule = self.Rule.with_context(**context)
                with odoo_rule_methods():
                    expected = Rule._get_actions(partner, ["on_create_or_write"])
                rules = Rule._get_actions(partner, ["on_create_or_write"])
                self.assertEqual(rules, expected)
                self.assertEqual(rules.env.context, expected.env.context)
                if "__action_done" in context:
                    self.assertIs(rules.env.context["__action_done"], done)

    def test_rolled_back_rule_is_forgotten(self):
        partner = self.Partner.create({"name": "Olena", "ref": "P1"})
        with self.assertRaises(InterruptedError):
            with self.env.cr.savepoint():
                self.make_rule("Rolled back", trigger="on_write")
                self.assertIn("Rolled back", self.Rule._get_actions(partner, ["on_write"]).name)
                raise InterruptedError
        self.env.invalidate_all(flush=False)
        # A failed request's rollback clears the caches marked invalidated in
        # its transaction (Registry.reset_changes): the rule cache is one.
        self.assertIn("default", self.registry.cache_invalidated)
        self.registry.clear_cache()
        with self.recorded_runs() as runs:
            partner.write({"comment": "after the rollback"})
        self.assertFalse(runs)
        self.assertFalse(self.Rule._get_actions(partner, ["on_write"]))

    def test_literal_condition_as_odoo_evaluates_it(self):
        for text in (
            "[('customer_rank', '>', 0)]",
            "[('ref', 'in', ['P1', 'P3']), '|', ('active', '=', True), ('active', '=', False)]",
            "(('name', '=', 'x'),)",
        ):
            with self.subTest(text=text):
                value = odoo_base_automation.safe_eval.safe_eval(text, {"uid": 1})
                self.assertEqual(literal_domain(text), value)
                self.assertIs(type(literal_domain(text)), type(value))
        for text in ("[('user_id', '=', uid)]", "True", "not a domain", ""):
            with self.subTest(text=text):
                self.assertIsNone(literal_domain(text))

    def test_action_changing_its_condition_does_not_change_the_next_run(self):
        """An action receives the evaluated condition (domain_post): emptying
        it does not change the rule's condition for the next record."""
        self.make_rule(
            "Selected",
            trigger="on_write",
            filter_domain="[('ref', 'in', ['P1', 'P3'])]",
            code="env.context['domain_post'][0][2].clear()",
        )
        partners = self.Partner.create([{"name": name, "ref": name} for name in ("P1", "P2", "P3")])
        with self.recorded_runs() as runs:
            partners[0].write({"comment": "one"})
            partners.write({"comment": "all"})
        self.assertEqual(
            runs, [("Selected", ("P1",)), ("Selected", ("P1",)), ("Selected", ("P3",))]
        )
