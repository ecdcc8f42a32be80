from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.tests.common import TransactionCase

from ..models.base_automation import BaseAutomation as SpeedUps


def _odoo_get_actions(rules, records, triggers):
    return super(SpeedUps, rules)._get_actions(records, triggers)


def _odoo_filter_post_export_domain(rules, records, feedback=False):
    return super(SpeedUps, rules)._filter_post_export_domain(records, feedback=feedback)


@contextmanager
def odoo_rule_methods():
    """Odoo's own rule lookup and condition check, as without this addon.

    Tests only: the overrides of this addon are replaced by their super() for
    the duration of the block (no flag a client could set exists)."""
    with (
        patch.object(SpeedUps, "_get_actions", _odoo_get_actions),
        patch.object(SpeedUps, "_filter_post_export_domain", _odoo_filter_post_export_domain),
    ):
        yield


class AutomationCase(TransactionCase):
    """Rules on contacts whose actions are recorded: which rule ran on which
    records, in which order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Rule = cls.env["base.automation"]
        cls.Partner = cls.env["res.partner"]

    def make_rule(self, name, model="res.partner", code="pass", fields=(), **vals):
        model_id = self.env["ir.model"]._get_id(model)
        action = self.env["ir.actions.server"].create(
            {"name": name, "model_id": model_id, "state": "code", "code": code}
        )
        vals = dict({"name": name, "model_id": model_id, "action_server_ids": action.ids}, **vals)
        if fields:
            vals["trigger_field_ids"] = [
                Command.set([self.env["ir.model.fields"]._get(model, f).id for f in fields])
            ]
        return self.Rule.create(vals)

    @staticmethod
    def key(record):
        return record.ref if "ref" in record._fields else record.name

    @contextmanager
    def recorded_runs(self):
        """The list of (rule name, keys of the records) of every rule action
        run inside the block, in order."""
        runs = []
        Action = type(self.env["ir.actions.server"])
        run = Action.run

        def recording_run(action):
            rule = action.sudo().base_automation_id
            context = action.env.context
            if rule and context.get("active_model"):
                records = action.env[context["active_model"]].browse(context["active_ids"])
                runs.append((rule.name, tuple(sorted(self.key(r) for r in records))))
            return run(action)

        with patch.object(Action, "run", recording_run):
            yield runs
