from odoo import api, models

# The scheduler of time-based rules runs at least this often (minutes) while
# such a rule exists on orders, so that a rule fires within about two
# minutes of its due time (the cron's own wake-up adds up to a minute).
ORDER_FLOW_CRON_MINUTES = 1


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
