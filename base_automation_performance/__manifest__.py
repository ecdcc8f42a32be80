{
    "name": "Automation Rules Performance",
    "summary": "Faster automation rules on models with many rules: cached rule lookup, "
    "trigger fields checked before the condition",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["base_automation"],
    "data": [],
    "installable": True,
    "application": False,
}
