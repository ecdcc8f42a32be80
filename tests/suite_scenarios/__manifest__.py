{
    "name": "Store Suite Scenarios (tests only)",
    "summary": "Cross-module scenarios of the online store suite; installed by setup/test only",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": [
        "base_automation_performance",
        "access_roles",
        "crm_order_flow",
        "delivery_novaposhta",
        "sms_club",
        "fiscal_ua",
    ],
    "data": [],
    "assets": {
        "web.assets_tests": ["suite_scenarios/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
