"""Nova Poshta's part of the customer's refusal risk (``crm_order_flow``'s
``sale_order_refusal_risk.py``): a parcel NP reports refused or returned
counts as a refusal even when its order did not move to “Returned” (the
order's *Update order status from NP* off, a move the order flow refused),
and NP's cash on delivery says which orders were paid on delivery and
whether the money was collected."""

from odoo import api, models
from odoo.tools import SQL

from .novaposhta_waybill import COD_COLLECTED_CODES, COD_TRANSFERRED_CODES

# NP status codes of a refused or returned parcel: refused with a return
# order (102), refused by the recipient (103), storage stopped (105), refusal
# (108). The rows of the status mapping that set “Returned” or mark a return
# count too.
REFUSAL_CODES = ("102", "103", "105", "108")


# One concern of the order per file, on purpose (see crm_order_flow's sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _np_refusal_codes(self):
        """The NP status codes that mean refused or returned, and those that
        mean received: ``(refusal codes, received codes)``."""
        # sudo: the mapping is read for the counts whoever asks.
        table = self.env["novaposhta.status.map"].sudo()._np_table()
        refused = set(REFUSAL_CODES)
        received = set(COD_COLLECTED_CODES) | set(COD_TRANSFERRED_CODES)
        for code, row in table.items():
            if row.is_return or row.stage_id.code == "returned":
                refused.add(code)
            elif row.stage_id.group_code == "done":
                received.add(code)
        return refused, received - refused

    @api.model
    def _order_flow_refusal_facts(self, order_ids):
        facts = super()._order_flow_refusal_facts(order_ids)
        if not order_ids:
            return facts
        refused_codes, received_codes = self._np_refusal_codes()
        self.env["novaposhta.waybill"].flush_model(
            ["order_id", "state", "status_code", "cod_amount", "cod_transfer_state"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT order_id,
                       bool_or(status_code IN %s),
                       bool_or(cod_amount > 0),
                       bool_or(cod_transfer_state IN ('collected', 'transferred')
                               OR status_code IN %s)
                  FROM novaposhta_waybill
                 WHERE order_id IN %s AND state NOT IN ('deleted', 'extra')
                 GROUP BY order_id
                """,
                tuple(refused_codes),
                tuple(received_codes) or ("",),
                tuple(order_ids),
            )
        )
        for order_id, refused, cod, collected in self.env.cr.fetchall():
            fact = facts.setdefault(order_id, {"refused": False, "cod": False, "collected": False})
            fact["refused"] = fact["refused"] or bool(refused)
            fact["cod"] = fact["cod"] or bool(cod)
            fact["collected"] = fact["collected"] or bool(collected)
        return facts
