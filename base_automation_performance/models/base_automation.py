"""Odoo's automation rules, the same rules on the same records, only cheaper.

At every create, write and stored recomputation of a model that has automation
rules, Odoo searches the model's rules, then evaluates each rule's condition
before it looks whether the write touched one of the rule's trigger fields. On a
model with a few dozen rules this costs more than the write itself. Here:

- the rule lookup is cached per model and trigger list (cleared whenever a rule
  is added, removed, (de)activated, or moved to another model or trigger);
- a rule whose trigger fields were not written is skipped before its condition
  is evaluated (Odoo would evaluate the condition, then drop every record),
  when evaluating it would only read values already in the cache: evaluating
  a condition may compute pending stored fields, which runs rules, so the
  condition is still evaluated then, as Odoo does;
- a condition that is a plain literal is parsed once instead of compiled at
  every write.

Each override keeps Odoo's result: tests compare it with Odoo's own methods on
a set of rules, and fail when Odoo's methods it relies on change.
"""

import ast
import functools
from contextlib import contextmanager

from odoo import api, models, tools

# The fields of a rule that decide which rules Odoo's lookup returns
# (_get_actions searches on model_name and trigger, active rules only, in id
# order; model_name follows model_id, and trigger is recomputed from model_id).
RULE_LOOKUP_FIELDS = frozenset({"model_id", "model_name", "active", "trigger"})

# Key in the cursor's cache (cr.cache, server side only) counting the rule
# changes in progress in this transaction.
RULES_CHANGING = "base_automation_performance.rules_changing"


@functools.lru_cache(maxsize=512)
def _parse_literal_domain(text):
    """The domain written in ``text`` when it is a plain literal (no ``uid``,
    ``time``… to evaluate), else None."""
    try:
        domain = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return domain if isinstance(domain, list | tuple) else None


def _fresh_copy(value):
    """A new copy of a parsed literal, so that the cached one stays intact
    whatever the caller does with the domain it gets (as a newly evaluated
    domain would)."""
    if isinstance(value, list):
        return [_fresh_copy(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_fresh_copy(item) for item in value)
    if isinstance(value, dict):
        return {key: _fresh_copy(item) for key, item in value.items()}
    if isinstance(value, set):
        return set(value)
    return value


def literal_domain(text):
    """The domain ``text`` evaluates to when it is a plain literal (the same
    value Odoo's safe_eval returns for it, a new object at every call), else
    None."""
    domain = _parse_literal_domain(text)
    return None if domain is None else _fresh_copy(domain)


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # ------------------------------------------------------------ lookup
    @api.model
    @tools.ormcache("model_name", "triggers")
    def _rule_ids_for(self, model_name, triggers):
        """Ids of the rules Odoo's own lookup returns for ``model_name`` and
        ``triggers`` (a tuple), in its order. Odoo's search is sudo and active
        rules only, so the answer does not depend on the user or the context."""
        odoo_lookup = super()._get_actions  # Odoo's own lookup, cached here
        return tuple(odoo_lookup(self.env[model_name], list(triggers)).ids)

    def _get_actions(self, records, triggers):
        if self.env.cr.cache.get(RULES_CHANGING):
            # Rules are being changed in this transaction: Odoo's own write
            # of rules updates their cron, which may recompute other records
            # before the cache is cleared; look the rules up as Odoo does.
            return super()._get_actions(records, triggers)
        # As Odoo's _get_actions (a fresh __action_done unless the caller is
        # already processing rules), the rules taken from the cache.
        if "__action_done" not in self.env.context:
            self = self.with_context(__action_done={})
        return self.browse(self._rule_ids_for(records._name, tuple(triggers)))

    @contextmanager
    def _changing_rules(self):
        """Rules change inside the block: the lookup bypasses the cache, which
        is cleared at the end (also on other workers, at their next request)."""
        cache = self.env.cr.cache
        cache[RULES_CHANGING] = cache.get(RULES_CHANGING, 0) + 1
        try:
            yield
        finally:
            cache[RULES_CHANGING] -= 1
            self.env.registry.clear_cache()

    @api.model_create_multi
    def create(self, vals_list):
        with self._changing_rules():
            return super().create(vals_list)

    def write(self, vals):
        if not RULE_LOOKUP_FIELDS.intersection(vals):
            return super().write(vals)
        with self._changing_rules():
            return super().write(vals)

    def unlink(self):
        with self._changing_rules():
            return super().unlink()

    # ------------------------------------------------------- condition
    def _filter_post_export_domain(self, records, feedback=False):
        rule = self.sudo()
        text = rule.filter_domain
        old_values = self.env.context.get("old_values")
        if records and old_values is not None and rule.trigger_field_ids:
            names = set(rule.trigger_field_ids.mapped("name"))
            if not any(names.intersection(old_values.get(i, ())) for i in records.ids) and (
                not text or _reads_only_cached_values(records.sudo(), _leaf_paths(text))
            ):
                # After a write, _process() keeps only the records on which a
                # trigger field changed (_check_trigger_fields): none did. The
                # condition is not evaluated: evaluating it would read only
                # values in the cache, so it could compute nothing and run no
                # other rule.
                return records.browse(), None
        domain = literal_domain(text) if text and records else None
        if not domain:
            return super()._filter_post_export_domain(records, feedback=feedback)
        # Odoo's code with the literal domain instead of safe_eval's result.
        if feedback:
            records = records.with_context(__action_feedback=True)
        return records.sudo().filtered_domain(domain).with_env(records.env), domain


@functools.lru_cache(maxsize=512)
def _leaf_paths(text):
    """For the plain literal domain ``text``: per leaf, the field names of its
    path and whether it compares with a string; None when the domain is not a
    plain literal or has a leaf that may search (child_of, parent_of, any…)."""
    domain = _parse_literal_domain(text)
    if domain is None:
        return None
    paths = []
    for leaf in domain:
        if leaf in ("&", "|", "!"):
            continue
        if not (isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str)):
            return None
        path, operator, value = leaf
        if operator in ("child_of", "parent_of", "any", "not any") or path in ("id", ""):
            return None
        if isinstance(value, list | tuple | set):
            has_string = any(isinstance(item, str) for item in value)
        else:
            has_string = isinstance(value, str)
        paths.append((tuple(path.removesuffix(".id").split(".")), has_string))
    return tuple(paths)


def _reads_only_cached_values(records, paths):
    """Whether filtered_domain on ``records`` with a domain of these leaf
    ``paths`` (see _leaf_paths) would only read stored values already in the
    cache that no recomputation is waiting for: then it runs no query and
    computes no field, so it cannot run automation rules (Odoo runs them on
    recomputed stored fields)."""
    if paths is None:
        return False
    env = records.env
    pending = env.fields_to_compute()
    contains = env.cache.contains
    for names, has_string in paths:
        targets = records
        last = len(names) - 1
        for position, name in enumerate(names):
            field = targets._fields.get(name)
            if field is None or not field.store or field in pending:
                return False
            if not all(contains(record, field) for record in targets):
                return False
            if position < last:
                if not field.relational:
                    return False
                targets = targets.mapped(name)
            elif field.relational and has_string:
                return False  # compared with the records' display names
    return True
