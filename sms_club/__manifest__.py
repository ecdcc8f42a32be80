{
    "name": "SMS Club",
    "summary": "SMS Club as the SMS provider of Odoo, with Viber to SMS cascade "
    "and delivery tracking",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "author": "UA Store Order Suite",
    "website": "https://github.com/ua-store/order-suite",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["access_roles", "sms", "phone_validation"],
    "external_dependencies": {"python": ["requests", "phonenumbers"]},
    "data": [],
    "installable": True,
    "application": False,
}
