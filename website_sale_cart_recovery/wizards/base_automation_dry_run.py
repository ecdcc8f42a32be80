from odoo import api, models


class BaseAutomationDryRun(models.TransientModel):
    _inherit = "base.automation.dry.run"

    @api.model
    def _order_flow_dry_run_candidates(self, rule, date_from, date_to):
        # "Try on past orders" gives the same answer as the rule: the rules
        # leave a visitor's open cart alone (``base_automation.py``), so the
        # trial does not list it either.
        runs = super()._order_flow_dry_run_candidates(rule, date_from, date_to)
        orders = self.env["sale.order"].browse({order_id for order_id, _at, _visit in runs})
        carts = set(orders.filtered(lambda order: order._cart_recovery_is_open_cart()).ids)
        return [run for run in runs if run[0] not in carts]
