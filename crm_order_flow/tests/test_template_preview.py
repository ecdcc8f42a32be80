"""The Marketer previews the texts he edits: the order's templates are
filled from a sample order, by plain substitution, without reading any
order (he may read none)."""

from unittest.mock import patch

from markupsafe import Markup

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestTemplatePreview(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="flow_preview_marketer",
            name="Flow preview marketer",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        cls.sms = cls.env.ref("crm_order_flow.sms_template_at_pickup_point")
        cls.mail = cls.env.ref("crm_order_flow.mail_template_order_created")

    def sms_preview(self, user, template=None):
        template = template or self.sms
        return (
            self.env["sms.template.preview"]
            .with_user(user)
            .with_context(default_sms_template_id=template.id)
            .create({"sms_template_id": template.id})
        )

    def test_marketer_cannot_read_orders(self):
        """What the preview must do without."""
        self.make_order()
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.marketer).search([])

    def test_marketer_previews_an_sms_with_sample_values(self):
        self.sms.with_user(self.marketer).body = (
            "{{ object.customer_first_name }}, order {{ object.name }} waits at "
            "{{ object.delivery_point_name }} until {{ object.delivery_storage_until_text }}; "
            "due {{ object.amount_due_text }}, tracking {{ object.delivery_tracking_ref }}"
        )
        real = self.make_order()
        sample = self.env["sale.order"]._order_flow_sample_message_values()
        # No order is searched while the Marketer previews, not even by sudo.
        with patch.object(
            type(self.env["sale.order"]), "_search", side_effect=AssertionError("order searched")
        ):
            preview = self.sms_preview(self.marketer)
            body = preview.body
        self.assertTrue(preview.order_flow_sample)
        self.assertFalse(preview.resource_ref)
        self.assertTrue(preview.no_record, "the Marketer is offered no real order to pick")
        for name in (
            "customer_first_name",
            "name",
            "delivery_point_name",
            "delivery_storage_until_text",
            "amount_due_text",
            "delivery_tracking_ref",
        ):
            self.assertIn(sample[name], body)
        self.assertNotIn("{{", body)
        self.assertNotIn(real.name, body)
        self.assertIn("Olena, order S00042 waits at Branch No. 12", body)

    def test_sample_values_cover_every_placeholder_in_ukrainian(self):
        sample = (
            self.env["sale.order"].with_context(lang="en_US")._order_flow_sample_message_values()
        )
        self.assertEqual(
            set(sample), set(self.env["sale.order"]._order_flow_message_placeholders())
        )
        self.assertTrue(all(sample.values()), sample)
        self.env["res.lang"]._activate_lang("uk_UA")
        uk = self.env["sale.order"].with_context(lang="uk_UA")._order_flow_sample_message_values()
        self.assertEqual(uk["customer_first_name"], "Олена")
        self.assertEqual(uk["delivery_point_name"], "Відділення № 12")
        self.assertIn(
            "₴", self.env["sale.order"]._order_flow_sample_message_values()["amount_due_text"]
        )

    def test_marketer_previews_a_mail_template(self):
        self.mail.with_user(self.marketer).write(
            {
                "subject": "Order {{ object.name }} for {{ object.customer_first_name }}",
                "body_html": Markup(
                    '<p>Pay <t t-out="object.amount_due_text"/> here: '
                    '<t t-out="object.payment_url"/></p>'
                ),
            }
        )
        preview = (
            self.env["mail.template.preview"]
            .with_user(self.marketer)
            .with_context(default_mail_template_id=self.mail.id)
            .create({"mail_template_id": self.mail.id})
        )
        sample = self.env["sale.order"]._order_flow_sample_message_values()
        self.assertTrue(preview.order_flow_sample)
        self.assertEqual(preview.subject, "Order S00042 for Olena")
        self.assertIn(sample["amount_due_text"], preview.body_html)
        self.assertIn("/order-flow/pay/42", preview.body_html)
        self.assertFalse(preview.error_msg)

    def test_a_template_with_code_is_not_filled_from_the_sample(self):
        """An administrator's template with code: the Marketer sees its text
        as written and why it is not filled; nothing is evaluated."""
        admin = self.users["administrator"]
        self.sms.with_user(admin).body = "Order {{ object.name }} by {{ object.user_id.login }}"
        preview = self.sms_preview(self.marketer)
        self.assertFalse(preview.order_flow_sample)
        self.assertIn("only a real order fills them", preview.order_flow_sample_note)
        self.assertEqual(preview.body, "Order {{ object.name }} by {{ object.user_id.login }}")

    def test_who_reads_orders_may_still_preview_a_real_one(self):
        order = self.make_order()
        order.sudo().delivery_point_name = "Locker 7"
        preview = self.sms_preview(self.users["manager"])
        self.assertTrue(preview.order_flow_sample, "the preview starts on the sample")
        self.assertFalse(preview.no_record)
        preview.resource_ref = f"sale.order,{order.id}"
        self.assertFalse(preview.order_flow_sample)
        self.assertIn(f"Order {order.name} arrived: Locker 7", preview.body)
