import logging

from odoo import models

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Cash-on-delivery orders get their receipt when they are shipped
        (if their payment form's policy says so)."""
        result = super()._action_done()
        orders = self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        ).sale_id
        if orders:
            try:
                with self.env.cr.savepoint():
                    orders.sudo()._fiscal_on_shipped()
            except Exception as exc:  # noqa: BLE001 - shipping must go through
                _logger.warning(
                    "fiscal_ua: no receipt queued at shipping of %s: %s", orders.ids, exc
                )
        return result
