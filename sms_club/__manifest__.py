{
    "name": "SMS Club",
    "summary": "SMS Club as the SMS provider of Odoo, with Viber to SMS cascade "
    "and delivery tracking",
    "version": "18.0.1.1.0",
    "category": "Marketing/SMS",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["access_roles", "crm_order_flow", "sms", "phone_validation"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sms_club_rules.xml",
        "data/ir_cron_data.xml",
        "data/access_matrix_area_data.xml",
        "views/sms_club_message_views.xml",
        "views/sale_order_views.xml",
        "views/sale_order_customer_message_views.xml",
        "views/res_config_settings_views.xml",
        "views/sms_club_test_message_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["sms_club/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
