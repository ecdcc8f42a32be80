{
    "name": "Store Roles and Access: Purchase",
    "summary": "Rights of the store roles in Odoo's Purchase app: the Purchaser's "
    "purchase orders, vendors and vendor bills, read-only purchases for the others",
    "version": "18.0.1.0.0",
    "category": "Administration",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["access_roles", "purchase_stock"],
    "data": [
        "security/access_roles_purchase_security.xml",
        "data/access_matrix_area_data.xml",
        "views/access_roles_purchase_menus.xml",
    ],
    "installable": True,
    "auto_install": True,
}
