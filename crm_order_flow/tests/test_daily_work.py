import ast

from odoo.exceptions import UserError
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

    def test_2_cash_on_delivery_goes_to_assembly_unpaid(self):
        """Payment secured: an order paid on delivery goes to assembly
        unpaid; an unpaid order without cash on delivery is still refused."""
        manager = self.users["manager"]
        unpaid = self.make_order(carrier=self.self_pickup)
        before = unpaid.stage_id
        with self.assertRaisesRegex(UserError, "cash on delivery is agreed"):
            self.move(unpaid, "to_assembly", user=manager)
        self.assertEqual(unpaid.stage_id, before)

        cod = self.make_order(carrier=self.carrier, payment_on_delivery=True)
        self.move(cod, "to_assembly", user=manager)
        self.assertEqual(cod.stage_id, self.stage("to_assembly"))
        self.assertEqual(cod.order_payment_state, "not_paid")

        agreed_now = self.make_order(carrier=self.carrier)
        self.move(agreed_now, "to_assembly", user=manager, payment_on_delivery=True)
        self.assertEqual(agreed_now.stage_id, self.stage("to_assembly"))
