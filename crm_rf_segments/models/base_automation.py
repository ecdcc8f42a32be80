import contextvars

from odoo import models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.base_automation_performance.models.base_automation import literal_domain

# The campaign rule running now on segment visits, known on the server side
# only (never from the request's context).
_RULE = contextvars.ContextVar("crm_rf_segments_rule", default=None)


def current_rule_id():
    return _RULE.get()


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    def write(self, vals):
        if vals.get("filter_domain") and not self.env.su and not self.env.user._is_system():
            self._rf_check_condition(vals["filter_domain"])
        return super().write(vals)

    def _rf_check_condition(self, text):
        """A condition written by someone else than an administrator (the
        Marketer tunes the segments' campaign rules) is a plain domain on the
        rule's model, of fields that person may read: Odoo evaluates any other
        expression as Python when the rule runs, as superuser."""
        domain = literal_domain(text) if isinstance(text, str) else None
        if domain is None:
            raise ValidationError(
                self.env._(
                    "The condition of a rule may be a plain domain only, such as "
                    "[('segment_id.code', '=', 'new')]: only an administrator may write "
                    "expressions."
                )
            )
        for model_name in set(self.sudo().mapped("model_name")):
            try:
                # With the writer's rights: no condition on what the writer may not read.
                self.env[model_name].search_count(domain, limit=1)
            except AccessError:
                raise
            except Exception as error:  # noqa: BLE001 - any invalid domain
                raise ValidationError(
                    self.env._("The condition is not a valid domain: %(error)s", error=error)
                ) from error

    def _process(self, records, domain_post=None):
        if records._name != "rf.segment.visit" or not records:
            return super()._process(records, domain_post=domain_post)
        token = _RULE.set(self.id)
        try:
            return super()._process(records, domain_post=domain_post)
        finally:
            _RULE.reset(token)

    def _update_cron(self):
        # sudo: the scheduler's frequency follows the time-based rules, whoever
        # changed one (a Marketer tunes the segments' campaign rules).
        return super(BaseAutomation, self.sudo())._update_cron()
