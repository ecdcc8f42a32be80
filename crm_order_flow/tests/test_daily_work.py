import ast

from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestDailyWork(OrderFlowCommon):
    """Everyday screens and moves of the store staff."""

    def _form_spec(self, record):
        views = record.get_views([(False, "form")])
        fields = views["models"][record._name]["fields"]
        return {
            name: ({"fields": {"display_name": {}}} if record._fields[name].relational else {})
            for name in fields
            if name in record._fields
        }

    def test_1_every_order_role_opens_the_order_form(self):
        """Logistics and the accountant have no access to the message log,
        yet they open the order form; the message button stays hidden."""
        order = self.make_order(carrier=self.self_pickup)
        for role in ("logistics", "accountant"):
            as_role = order.with_user(self.users[role])
            values = as_role.web_read(self._form_spec(as_role))
            self.assertEqual(values[0]["name"], order.name, role)
            self.assertEqual(values[0]["customer_message_count"], 0, role)

    def test_3_automation_rules_action_is_literal(self):
        """The web client evaluates an action's domain and context without
        the server's ``ref()``: they hold only literal values."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_order_flow.base_automation_action_orders"
        )
        for key in ("domain", "context"):
            self.assertNotIn("ref(", action[key] or "", key)
        self.assertEqual(ast.literal_eval(action["domain"]), [("model_name", "=", "sale.order")])
        context = ast.literal_eval(action["context"])
        self.assertEqual(context["default_model_id"], self.env.ref("sale.model_sale_order").id)
        self.assertIs(context["active_test"], False)
