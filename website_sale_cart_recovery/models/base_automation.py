from odoo import models


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    def _process(self, records, domain_post=None):
        # A visitor's website cart is no placed order: the order flow's rules
        # (reservation, "order received" message, time limits…) leave it
        # alone until checkout places it (sale_order.py then runs the rules of
        # its status). ``_process`` is the one step every trigger goes
        # through (create, write, timed rules of ``_check``).
        if records._name == "sale.order":
            records = records.filtered(lambda order: not order._cart_recovery_is_open_cart())
            if not records:
                return None
        return super()._process(records, domain_post=domain_post)
