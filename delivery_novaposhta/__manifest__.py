{
    "name": "Nova Poshta Delivery",
    "summary": "Nova Poshta as an Odoo carrier: directories, waybills, labels, "
    "tracking and order status mapping",
    "version": "18.0.1.0.0",
    "category": "Inventory/Delivery",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["crm_order_flow", "stock_delivery"],
    "external_dependencies": {"python": ["requests"]},
    "data": [],
    "installable": True,
    "application": False,
}
