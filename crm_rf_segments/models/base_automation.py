import contextvars

from odoo import models

# The campaign rule running now on segment visits, known on the server side
# only (never from the request's context).
_RULE = contextvars.ContextVar("crm_rf_segments_rule", default=None)


def current_rule_id():
    return _RULE.get()


class BaseAutomation(models.Model):
    _inherit = "base.automation"

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
