import logging

import psycopg2

from odoo import models

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _post_process(self):
        """After Odoo's own post-processing of a confirmed online payment,
        queue the fiscal receipt its payment form asks for. A failure here is
        logged and never undoes the payment."""
        result = super()._post_process()
        for transaction in self.filtered(
            lambda tx: tx.state == "done" and tx.operation != "validation" and tx.sale_order_ids
        ):
            try:
                with self.env.cr.savepoint():
                    transaction.sale_order_ids.sudo()._fiscal_on_transaction_done(transaction)
            except psycopg2.OperationalError:
                # a concurrent update or a lock: the whole post-processing is
                # done again (Odoo's scheduled action rolls back and retries),
                # receipt included; swallowed here, the receipt would be lost
                raise
            except Exception as exc:  # noqa: BLE001 - the payment must go through
                _logger.warning(
                    "fiscal_ua: no receipt queued for transaction %s: %s",
                    transaction.reference,
                    exc,
                )
        return result
