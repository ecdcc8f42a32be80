import ast
import functools

from odoo import api, models, tools

# The scheduler of time-based rules runs at least this often (minutes) while
# such a rule exists on orders, so that a rule fires within about two
# minutes of its due time (the cron's own wake-up adds up to a minute).
ORDER_FLOW_CRON_MINUTES = 1

# Changing one of these fields of a rule changes which rules a model's
# create/write must look at (see _get_actions).
RULE_SELECTION_FIELDS = {"model_id", "model_name", "active", "trigger"}


@functools.lru_cache(maxsize=512)
def _literal_domain(text):
    """The domain written in ``text`` when it is a plain literal (no
    ``uid``, ``time``… to evaluate), else None."""
    try:
        domain = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return tuple(domain) if isinstance(domain, list | tuple) else None


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    @api.model
    def _get_cron_interval(self, automations=None):
        # Odoo runs the time-based scheduler every tenth of the shortest
        # delay, and every 4 hours when the shortest delay is 0 (a rule due
        # exactly at a date, like the status time limit). Orders' timed
        # rules must not wait hours.
        interval = super()._get_cron_interval(automations)
        if automations is None:
            automations = self.with_context(active_test=True).search(
                [("trigger", "in", ["on_time", "on_time_created", "on_time_updated"])]
            )
        if any(rule.model_name == "sale.order" for rule in automations):
            return min(interval, ORDER_FLOW_CRON_MINUTES)
        return interval

    # ------------------------------------------------------------ speed
    # Odoo looks up the rules of a model with a search at every create, write
    # and stored recomputation of that model, and evaluates each rule's
    # condition before it looks whether the write touched one of the rule's
    # trigger fields. With the order flow's 27 rules on sale.order this cost
    # more than the status change itself. The overrides below give the same
    # rules the same records, only cheaper: the rule lookup is cached
    # (cleared whenever a rule is added, removed, (de)activated or moved to
    # another model or trigger), a rule whose trigger fields were not written
    # is skipped before its condition is evaluated, and a condition that is a
    # plain literal is parsed once instead of compiled at every write.

    @api.model
    @tools.ormcache("model_name", "triggers")
    def _order_flow_rule_ids(self, model_name, triggers):
        domain = [("model_name", "=", model_name), ("trigger", "in", list(triggers))]
        return tuple(self.with_context(active_test=True).sudo().search(domain).ids)

    def _get_actions(self, records, triggers):
        if "__action_done" not in self.env.context:
            self = self.with_context(__action_done={})
        return self.browse(self._order_flow_rule_ids(records._name, tuple(triggers)))

    def _filter_post_export_domain(self, records, feedback=False):
        old_values = self.env.context.get("old_values")
        trigger_fields = self.sudo().trigger_field_ids
        if records and old_values is not None and trigger_fields:
            names = set(trigger_fields.mapped("name"))
            if not any(names.intersection(old_values.get(rid, ())) for rid in records.ids):
                # _process() would drop every record: no trigger field changed.
                return records.browse(), None
        domain = self.sudo().filter_domain and _literal_domain(self.sudo().filter_domain)
        if not (domain and records):
            return super()._filter_post_export_domain(records, feedback=feedback)
        # As Odoo does, without compiling the same constant domain again.
        domain = list(domain)
        if feedback:
            records = records.with_context(__action_feedback=True)
        return records.sudo().filtered_domain(domain).with_env(records.env), domain

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        result = super().write(vals)
        if RULE_SELECTION_FIELDS.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
