{
    "name": "Fiscal Receipts (Checkbox)",
    "summary": "Ukrainian fiscal receipts through the Checkbox software cash "
    "register, from invoices and paid orders",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["access_roles", "account", "sale"],
    "external_dependencies": {"python": ["requests"]},
    "data": [],
    "installable": True,
    "application": False,
}
