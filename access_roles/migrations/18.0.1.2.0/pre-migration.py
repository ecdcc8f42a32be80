# The rights that join the store roles to Odoo's Purchase app and the cost
# fields of Sale margin moved to their own addons, installed on their own
# when the app is. A database that has the app keeps every right: the moved
# records change owner (same records, same ids) and the addon is installed
# with this update.
MOVED_XMLIDS = {
    "access_roles_purchase": (
        "purchase_order_rule_manager_no_write_create_unlink",
        "purchase_order_rule_accountant_no_write",
        "purchase_order_line_rule_accountant_no_write",
        "matrix_area_purchase",
    ),
}
# addon → the app it joins to the store roles
GLUE_ADDONS = {
    "access_roles_purchase": "purchase_stock",
    "access_roles_sale_margin": "sale_margin",
}


def migrate(cr, version):
    for module, names in MOVED_XMLIDS.items():
        cr.execute(
            "UPDATE ir_model_data SET module = %s WHERE module = 'access_roles' AND name IN %s",
            (module, names),
        )
    for module, app in GLUE_ADDONS.items():
        cr.execute(
            """
            UPDATE ir_module_module SET state = 'to install'
             WHERE name = %s AND state = 'uninstalled'
               AND EXISTS (SELECT 1 FROM ir_module_module
                            WHERE name = %s AND state IN ('installed', 'to upgrade'))
            """,
            (module, app),
        )
