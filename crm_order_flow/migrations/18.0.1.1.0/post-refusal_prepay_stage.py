"""The status “Sent to assembly” applies the policy on customers with
refusals (as a new database gets it from data/sale_order_stage_refusal_data.xml,
whose record is not loaded again on an update)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE sale_order_stage s
           SET refusal_prepay_required = TRUE
          FROM ir_model_data d
         WHERE d.module = 'crm_order_flow' AND d.name = 'stage_to_assembly'
           AND d.model = 'sale.order.stage' AND d.res_id = s.id
        """
    )
