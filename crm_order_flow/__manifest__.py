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
    "depends": [
        "access_roles",
        "sale_management",
        "sale_stock",
        "delivery",
        "base_automation",
        "sms",
    ],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "security/crm_order_flow_rules.xml",
        "data/sale_order_stage_data.xml",
        "data/message_templates_data.xml",
        "data/base_automation_data.xml",
        "data/access_roles_data.xml",
        "data/delivery_carrier_data.xml",
        "views/sale_order_views.xml",
        "views/sale_order_stage_views.xml",
        "views/config_views.xml",
        "views/sale_order_customer_message_compose_views.xml",
        "views/template_preview_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_order_flow/static/src/views/*",
        ],
        "web.assets_tests": [
            "crm_order_flow/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/store_catalogue_demo.xml",
        "demo/sale_order_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
