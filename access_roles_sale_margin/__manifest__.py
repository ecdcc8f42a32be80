{
    "name": "Store Roles and Access: Sale Margin",
    "summary": "The margin and cost of sales orders (Odoo's Sale margin) are shown only "
    "to the store roles that may see purchase prices",
    "version": "18.0.1.0.0",
    "category": "Administration",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["access_roles", "sale_margin"],
    "installable": True,
    "auto_install": True,
}
