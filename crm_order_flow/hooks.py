def post_init_hook(env):
    """Give the orders that existed before the module a business status that
    matches their Odoo state, and open their first status visit. Orders made
    while the module installed (its demo orders) already have both."""
    Stage = env["sale.order.stage"]
    by_state = {
        "draft": "new",
        "sent": "new",
        "sale": "agreed",
        "cancel": "cancelled",
    }
    orders = (
        env["sale.order"]
        .with_context(active_test=False)
        .search([("stage_history_ids", "=", False)])
    )
    for state, code in by_state.items():
        stage = Stage._get_by_code(code)
        subset = orders.filtered(lambda o, state=state: o.state == state and not o.locked)
        if subset:
            env.cr.execute(
                "UPDATE sale_order SET stage_id = %s WHERE id IN %s",
                [stage.id, tuple(subset.ids)],
            )
    locked = orders.filtered(lambda o: o.state == "sale" and o.locked)
    if locked:
        env.cr.execute(
            "UPDATE sale_order SET stage_id = %s WHERE id IN %s",
            [Stage._get_by_code("done").id, tuple(locked.ids)],
        )
    env.cr.execute(
        "UPDATE sale_order SET stage_date = COALESCE(date_order, create_date) WHERE id IN %s",
        [tuple(orders.ids) or (0,)],
    )
    env["sale.order"].invalidate_model(["stage_id", "stage_date", "stage_group_id"])
    orders._compute_stage_deadline()
    # stage_group_id is a stored related field: recompute it after the SQL update.
    env.add_to_compute(env["sale.order"]._fields["stage_group_id"], orders)
    orders.flush_recordset()
    env["sale.order.stage.history"].create(
        [
            {
                "order_id": order.id,
                "stage_id": order.stage_id.id,
                "user_id": env.uid,
                "cause": "rule",
                "date_in": order.stage_date,
            }
            for order in orders
        ]
    )
