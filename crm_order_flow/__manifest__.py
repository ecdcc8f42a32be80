{
    "name": "Store Order Flow",
    "summary": "Business statuses, status matrix, validations, SLA and automation "
    "rules of the online store's order process",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["access_roles", "sale_management", "sale_stock", "base_automation", "sms"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [],
    "installable": True,
    "application": False,
}
