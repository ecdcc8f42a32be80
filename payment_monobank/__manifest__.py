{
    "name": "Payment Provider: monobank",
    "summary": "monobank acquiring (plata by mono): card payments on monobank's page, "
    "signed notifications, reconciliation and partial refunds",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["payment"],
    "external_dependencies": {"python": ["cryptography", "requests"]},
    "data": [
        "views/payment_monobank_templates.xml",
        "views/payment_provider_views.xml",
        "data/payment_provider_data.xml",
        "data/ir_cron_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
