"""Odoo's automation methods this addon overrides or relies on, pinned.

The speed-ups give the same rules the same records only as long as these
methods of Odoo's base_automation (and the ORM's filtered_domain) stay as they
were when the speed-ups were written. An Odoo update that changes one of them fails here, naming the
override to review, instead of silently changing which rules run. After the
review (and the equivalence tests of test_same_rules_as_odoo passing), put the
new hash printed in the failure here."""

import hashlib
import inspect

from odoo.models import BaseModel
from odoo.tests import TransactionCase, tagged

from odoo.addons.base_automation.models.base_automation import BaseAutomation as OdooRules

PINNED = {
    "_get_actions": (
        "c6aaf7da3ccc8203a5d4ac898eb354f6965641dd9159bc4594fae3a8a73dd0f9",
        "_get_actions and _rule_ids_for: the cache keeps the ids Odoo's lookup returns "
        "(sudo, active rules, searched on model_name and trigger) and repeats its "
        "__action_done context handling; the cache is cleared on a change of "
        "RULE_LOOKUP_FIELDS only",
    ),
    "_filter_post_export_domain": (
        "4379cab1c8cdf6789f5bfe6d53345f64caa039e8237cb32c22cc07906d1809c3",
        "_filter_post_export_domain: for a literal condition it repeats Odoo's code "
        "with the parsed domain instead of safe_eval",
    ),
    "_check_trigger_fields": (
        "33d9544aa393d93562c69fbbc17c98dd7a7db07dc9aff0b0f3553f2400dc34d5",
        "_filter_post_export_domain skips a rule when no trigger field is in old_values "
        "of any record, because this method then drops every record",
    ),
    "_process": (
        "f8063cbee8bdc168a5c2032d1616fa311965856ba902a682d6cb13dbc0db50e6",
        "_filter_post_export_domain skips a rule without trigger field written, because "
        "_process runs the rule only on records passing _check_trigger_fields and does "
        "nothing else for the others",
    ),
    "_register_hook": (
        "872f1d4f7d33f3e0cd7a5547411d1342a71179b472a5b04cea400bae9b108a22",
        "both overrides: the patched create/write/_compute_field_value/unlink/"
        "message_post find rules through _get_actions, pass old_values (record id: "
        "written field names, None on create) and check conditions through "
        "_filter_post_export_domain",
    ),
    "filtered_domain": (
        "9659d59a1c60ae5961baf1aafb7c38191ce4fe3b8a560c5e2b7725db06a80687",
        "_reads_only_cached_values: a rule's condition is skipped when filtered_domain "
        "would only read cached stored values (no query, no recomputation); this must "
        "still hold for every operator and path it accepts",
    ),
}


@tagged("post_install", "-at_install")
class TestOdooMethodsPinned(TransactionCase):
    def test_odoo_methods_are_those_the_speed_ups_were_written_for(self):
        for name, (pinned, review) in PINNED.items():
            with self.subTest(method=name):
                owner = BaseModel if name == "filtered_domain" else OdooRules
                source = inspect.getsource(getattr(owner, name))
                current = hashlib.sha256(source.encode()).hexdigest()
                self.assertEqual(
                    current,
                    pinned,
                    f"Odoo's {owner.__name__}.{name} changed (sha256 now {current}). Review "
                    f"base_automation_performance: {review}. Its source now:\n{source}",
                )

    def test_rule_lookup_depends_only_on_the_fields_that_clear_the_cache(self):
        """Which rules Odoo's lookup returns depends on model_name, trigger and
        active, in id order: a change of any of them clears the cache."""
        Rule = self.env["base.automation"]
        self.assertEqual(Rule._order, "id", "rules run in id order")
        self.assertEqual(Rule._fields["model_name"].related, "model_id.model")
        self.assertFalse(Rule._fields["model_name"].store)
        self.assertEqual(
            list(Rule._fields["trigger"].get_depends(Rule)[0]),
            ["model_id"],
            "trigger is recomputed when model_id changes, which clears the cache",
        )
        self.assertIn("active", Rule._fields)
