"""Message templates of orders: whoever is not an administrator writes texts
with the allowed placeholders and nothing else, and a template is never
rendered with more rights than its author's."""

import json
from unittest.mock import patch

from markupsafe import Markup

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import OrderFlowCommon

# What the attack of the Marketer put into an SMS template: the superuser's
# environment reached through the rendered order.
CODE = "{{ object.env['ir.config_parameter'].sudo().get_param('database.secret') }}"
GROUPS = "{{ object.env.ref('base.group_system').users.mapped('login') }}"


@tagged("post_install", "-at_install")
class TestTemplateSecurity(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="flow_marketer",
            name="Flow marketer",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        cls.sms_created = cls.env.ref("crm_order_flow.sms_template_order_created")
        cls.mail_created = cls.env.ref("crm_order_flow.mail_template_order_created")
        cls.secret = cls.env["ir.config_parameter"].sudo().get_param("database.secret")

    def assertRefusedTemplate(self, func, template, fields):
        before = template.sudo().read(fields)[0]
        with self.assertRaises(ValidationError) as refused:
            func()
        template.invalidate_recordset()
        self.assertEqual(template.sudo().read(fields)[0], before, "refused change altered it")
        return str(refused.exception)

    # ------------------------------------------------------------------ saving
    def test_marketer_edits_shipped_templates_with_placeholders(self):
        """The shipped templates are made of allowed placeholders only: the
        Marketer changes their texts in the browser."""
        sms = self.sms_created.with_user(self.marketer)
        sms.body = (
            "{{ object.customer_first_name }}, order {{ object.name }} is ours! "
            "{{ object.promo_line }}"
        )
        mail = self.mail_created.with_user(self.marketer)
        mail.write(
            {
                "subject": "We got order {{ object.name }}",
                "body_html": Markup(
                    '<p>Hi <t t-out="object.customer_first_name"/>, you owe '
                    '<t t-out="object.amount_due_text"/>.</p>'
                ),
            }
        )
        order = self.make_order()
        sent = " ".join(order.customer_message_ids.message_id.mapped("body"))
        self.assertIn(f"Olha, order {order.name} is ours!", sent)
        for key in ("order_paid", "shipped_tracking", "at_pickup_point", "payment_link"):
            for kind in ("sms", "mail"):
                template = self.env.ref(f"crm_order_flow.{kind}_template_{key}")
                self.assertFalse(template._order_flow_has_code(), template.name)
                template.with_user(self.marketer).name = f"{template.name} (edited)"

    def test_marketer_cannot_save_code_in_an_sms_template(self):
        sms = self.sms_created.with_user(self.marketer)
        for body in (
            f"Order {{{{ object.name }}}} {CODE}",
            f"Hi {GROUPS}",
            "Key: {{ object.company_id.sudo().partner_id.email }}",
            "Salesperson login {{ object.user_id.login }}",
        ):
            with self.subTest(body=body):
                message = self.assertRefusedTemplate(
                    lambda body=body: sms.write({"body": body}), self.sms_created, ["body"]
                )
                self.assertIn("{{ object.customer_first_name }}", message)
                self.assertIn("{{ object.payment_url }} (Payment link)", message)
        self.assertRefusedTemplate(
            lambda: (
                self.env["sms.template"]
                .with_user(self.marketer)
                .create({"name": "Promo", "model_id": self.sms_created.model_id.id, "body": CODE})
            ),
            self.sms_created,
            ["body"],
        )

    def test_marketer_cannot_save_code_in_a_mail_template(self):
        mail = self.mail_created.with_user(self.marketer)
        for vals in (
            {"subject": f"Order {CODE}"},
            {"body_html": Markup('<p t-out="object.env.user.login"/>')},
            {"body_html": Markup('<p t-if="object.amount_due">Pay!</p>')},
            {"body_html": Markup('<a t-att-href="object.payment_url">Pay</a>')},
        ):
            with self.subTest(vals=vals):
                self.assertRefusedTemplate(
                    lambda vals=vals: mail.write(vals), self.mail_created, ["subject", "body_html"]
                )

    def test_translations_follow_the_same_rule(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        sms = self.sms_created.with_user(self.marketer)
        sms.update_field_translations("body", {"uk_UA": "Замовлення {{ object.name }}"})
        with self.assertRaises(ValidationError):
            sms.update_field_translations("body", {"uk_UA": f"Замовлення {CODE}"})

    def test_template_editor_group_is_no_administrator(self):
        """Odoo's template editor group does not lift the rule for orders:
        only administrators write code into the order's templates."""
        editor = new_test_user(
            self.env,
            login="flow_editor",
            groups="base.group_user,access_roles.group_role_marketer,"
            "mail.group_mail_template_editor",
        )
        with self.assertRaises(ValidationError):
            self.sms_created.with_user(editor).body = CODE

    # --------------------------------------------------------------- rendering
    def test_code_slipped_in_by_another_path_is_never_rendered(self):
        """A template holding code whose last author is no administrator (it
        reached the database without the checks, e.g. by SQL) is not used:
        nothing of the superuser's reaches the chatter."""
        body = f"Order {{{{ object.name }}}} {CODE}"
        self.env.cr.execute(
            "UPDATE sms_template SET body = %s, write_uid = %s WHERE id = %s",
            [json.dumps({"en_US": body, "uk_UA": body}), self.marketer.id, self.sms_created.id],
        )
        self.sms_created.invalidate_recordset()
        self.assertIn("database.secret", self.sms_created.with_context(lang="en_US").body)
        order = self.make_order()
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertNotIn(self.secret, bodies)
        self.assertFalse(
            order.customer_message_ids.filtered(lambda m: m.template_name == "Order received")
        )
        self.assertIn("was not sent", bodies)
        self.assertIn("Customer message not sent", order.activity_ids.mapped("summary"))
        # rendered by hand as superuser, it is refused too
        with self.assertRaises(UserError):
            self.sms_created.sudo()._render_field("body", order.ids)

    def test_a_demoted_administrators_code_is_not_used(self):
        admin = self.users["administrator"]
        self.sms_created.with_user(admin).body = f"Order {{{{ object.name }}}} {CODE}"
        admin.groups_id = [(3, self.env.ref("access_roles.group_role_administrator").id)]
        admin.groups_id = [(3, self.env.ref("base.group_system").id)]
        self.assertFalse(admin._is_system())
        order = self.make_order()
        self.assertNotIn(self.secret, " ".join(order.message_ids.mapped("body")))
        self.assertIn("was not sent", " ".join(order.message_ids.mapped("body")))

    def test_administrator_keeps_full_template_power(self):
        admin = self.users["administrator"]
        body = "Order {{ object.name }} for {{ object.partner_id.mobile }}"
        self.sms_created.with_user(admin).body = body
        self.assertTrue(self.sms_created._order_flow_has_code())
        order = self.make_order()
        log = order.customer_message_ids.filtered(lambda m: m.template_name == "Order received")
        self.assertIn("+380501112233", log.message_id.body)

    def test_administrators_code_runs_with_his_rights_not_the_superusers(self):
        """The rule renders as superuser; an administrator's code in the
        template runs as the administrator who wrote it."""
        admin = self.users["administrator"]
        self.sms_created.with_user(admin).body = "Order {{ object.name }} by {{ user.login }}"
        order = self.make_order()
        log = order.customer_message_ids.filtered(lambda m: m.template_name == "Order received")
        self.assertIn(f"by {admin.login}", log.message_id.body)

    def test_administrators_code_shows_no_credential(self):
        """Whatever an administrator's template reaches, a credential of the
        suite (a CredentialField) is masked in the customer's message."""
        secret = "sk-live-7f3a9c2e51d04b88"
        self.env.cr.execute(
            "UPDATE res_company SET report_footer = %s WHERE id = %s",
            [json.dumps({"en_US": secret}), self.company.id],
        )
        self.company.invalidate_recordset()
        self.sms_created.with_user(
            self.users["administrator"]
        ).body = "Order {{ object.name }} {{ object.company_id.report_footer }}"
        Template = type(self.env["sms.template"])
        with patch.object(
            Template,
            "_order_flow_credential_fields",
            return_value=(("res.company", "report_footer"),),
        ):
            order = self.make_order()
        log = order.customer_message_ids.filtered(lambda m: m.template_name == "Order received")
        self.assertIn(order.name, log.message_id.body)
        self.assertNotIn(secret, log.message_id.body)
        self.assertIn("••••4b88", log.message_id.body)

    def test_placeholders_are_listed_in_one_place(self):
        Order = self.env["sale.order"]
        placeholders = Order._order_flow_message_placeholders()
        self.assertIn("amount_due_text", placeholders)
        self.assertEqual(
            Order.mail_allowed_qweb_expressions(),
            tuple(f"object.{name}" for name in placeholders),
        )
        for name in placeholders:
            self.assertIn(name, Order._fields)
        labels = Order._order_flow_placeholder_labels()
        self.assertIn("{{ object.amount_due_text }} (Amount due, with currency)", labels)

    def test_placeholder_added_by_another_addon(self):
        """An addon that gives the order a fact for its customers (e.g. the
        public link of a fiscal receipt) extends the placeholders with
        ``super()``: the Marketer may then write it into a template, template
        authors see it listed, and the message sent through the order flow's
        path shows its value."""
        Order = type(self.env["sale.order"])
        inherited = Order._order_flow_message_placeholders

        def extended(self):
            return inherited(self) + ("client_order_ref",)

        sms = self.env["sms.template"].create(
            {
                "name": "Your reference",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "body": "Hello",
            }
        )
        body = "Order {{ object.name }}, your reference {{ object.client_order_ref }}"
        self.addCleanup(self.env.registry.clear_cache)
        with self.assertRaises(ValidationError, msg="not a placeholder without the addon"):
            sms.with_user(self.marketer).body = body
        self.env.registry.clear_cache()  # what the addon's installation does
        with patch.object(Order, "_order_flow_message_placeholders", extended):
            sms.with_user(self.marketer).body = body
            self.assertIn(
                "{{ object.client_order_ref }} (Customer Reference)",
                self.env["sale.order"]._order_flow_placeholder_labels(),
            )
            order = self.make_order(client_order_ref="REF-77")
            log = order._order_flow_send_customer_message(sms)
        self.assertEqual(log.template_name, "Your reference")
        self.assertIn(f"Order {order.name}, your reference REF-77", log.message_id.body)

    def test_marketer_reads_no_order_through_a_composer(self):
        """Rendering in a composer happens with the person's own rights."""
        order = self.make_order()
        with self.assertRaises(AccessError):
            self.sms_created.with_user(self.marketer)._render_field("body", order.ids)
