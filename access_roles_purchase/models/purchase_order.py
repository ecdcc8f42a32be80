from odoo import models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def button_cancel(self):
        # Cancelling is a purchase order right: a role that may change the
        # purchase order may cancel it, and its receipts are cancelled on its
        # behalf although that role may only read transfers.
        if self.env.su:
            return super().button_cancel()
        self.check_access("write")
        return super(PurchaseOrder, self.sudo()).button_cancel()
