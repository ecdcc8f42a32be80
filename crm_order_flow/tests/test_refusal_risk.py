from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestRefusalRisk(OrderFlowCommon):
    """A customer's refused and returned parcels over all contacts with the
    same phone number, the badge, the company's prepayment policy on the way
    to assembly and the administrator's waiver."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users["marketer"] = new_test_user(
            cls.env,
            login="flow_marketer_rr",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        # The same customer under a second contact, the number written another way.
        # The warehouse sends agreed orders to assembly.
        cls.logistics = cls.users["logistics"]
        cls.twin = cls.env["res.partner"].create(
            {"name": "Olha K.", "mobile": "050 111 22 33", "lang": "en_US", "customer_rank": 1}
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Ivan Petrenko", "mobile": "+380671234567", "lang": "en_US"}
        )
        cls.returned = cls.env["sale.order"]
        for partner in (cls.customer, cls.twin):
            order = cls.cod_order(partner)
            cls.walk(cls, order, "to_assembly", "assembling", "assembled", "delivering")
            order.sudo().operator_comment = "Refused at the branch"
            cls.walk(cls, order, "returned")
            cls.returned |= order
        # A cash-on-delivery order the customer collected and paid.
        cls.collected = cls.cod_order(cls.customer)
        cls.walk(cls, cls.collected, "to_assembly", "assembling", "assembled", "delivering")
        cls.pay(cls, cls.collected)
        cls.walk(cls, cls.collected, "done")

    @classmethod
    def cod_order(cls, partner):
        # (the common helpers take the class itself as ``self`` in setUpClass)
        return cls.make_order(
            cls, partner_id=partner.id, carrier=cls.carrier, payment_on_delivery=True
        )

    def new_cod_order(self, partner):
        order = self.cod_order(partner)
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        return order

    # ------------------------------------------------------------- badge
    def test_badge_counts_every_contact_with_the_same_phone(self):
        self.assertEqual([o.stage_id.code for o in self.returned], ["returned", "returned"])
        order = self.new_cod_order(self.customer).with_user(self.sales)
        expected = (
            "Refusal risk: 2 refused or returned, 67 % of cash-on-delivery orders not collected"
        )
        self.assertEqual(order.refusal_risk_count, 2)
        self.assertEqual(order.refusal_risk_text, expected)
        self.assertFalse(order.refusal_risk_blocking, "the policy is off")
        self.assertEqual(self.twin.with_user(self.users["support"]).refusal_risk_text, expected)
        stranger_order = self.new_cod_order(self.stranger)
        self.assertFalse(stranger_order.refusal_risk_text)
        self.assertEqual(stranger_order.refusal_risk_count, 0)
        # Roles that do not see orders see no risk on the contact.
        self.assertFalse(self.twin.with_user(self.users["marketer"]).refusal_risk_text)
        self.company.order_flow_refusal_prepay_threshold = 2
        self.env.invalidate_all()
        self.assertTrue(order.refusal_risk_blocking)
        self.assertTrue(self.twin.refusal_risk_blocking)

    def test_badge_follows_the_form(self):
        """The badge shows as soon as the customer is chosen on a new order,
        or a known number is typed on a new contact."""
        expected = "Refusal risk: 2 refused or returned"
        with Form(self.env["sale.order"].with_user(self.sales)) as form:
            form.partner_id = self.stranger
            self.assertFalse(form.refusal_risk_text)
            form.partner_id = self.twin
            self.assertTrue(form.refusal_risk_text.startswith(expected))
            form.partner_id = self.stranger
        with Form(self.env["res.partner"].with_user(self.users["manager"])) as form:
            form.name = "Olha (third contact)"
            form.mobile = "+38 (050) 111-22-33"
            self.assertTrue(form.refusal_risk_text.startswith(expected))

    def test_badge_costs_the_same_queries_for_one_or_many_orders(self):
        orders = self.returned | self.collected
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        self.assertTrue(orders[:1].refusal_risk_text)
        one = self.cr.sql_log_count - start
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        texts = [order.refusal_risk_text for order in orders]
        many = self.cr.sql_log_count - start
        self.assertTrue(all(texts))
        self.assertLessEqual(many, one, "computed for all the orders at once")
        self.assertLessEqual(one, 12)

    # ------------------------------------------------------------ policy
    def test_policy_requires_a_prepayment_before_assembly(self):
        self.company.order_flow_refusal_prepay_threshold = 2
        order = self.new_cod_order(self.twin)
        with self.assertRaises(UserError) as caught:
            self.move(order, "to_assembly", user=self.logistics)
        message = str(caught.exception)
        self.assertIn("without a prepayment", message)
        self.assertIn("refused or did not collect 2 parcel(s)", message)
        self.assertIn("Waive prepayment", message)
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        # Cash on delivery plus a part paid in advance: the order goes on
        # (the shipped rule sends a paid order to assembly).
        self.pay(order, 100.0)
        self.assertEqual(order.stage_id.code, "to_assembly")
        # Other customers, and everyone once the policy is off.
        stranger_order = self.new_cod_order(self.stranger)
        self.move(stranger_order, "to_assembly", user=self.logistics)
        self.assertEqual(stranger_order.stage_id.code, "to_assembly")
        self.company.order_flow_refusal_prepay_threshold = 3
        order = self.new_cod_order(self.customer)
        self.move(order, "to_assembly", user=self.logistics)
        self.assertEqual(order.stage_id.code, "to_assembly")

    def test_policy_is_a_setting_of_the_status(self):
        self.company.order_flow_refusal_prepay_threshold = 1
        self.assertTrue(self.stage("to_assembly").refusal_prepay_required)
        self.stage("to_assembly").refusal_prepay_required = False
        order = self.new_cod_order(self.customer)
        self.move(order, "to_assembly", user=self.logistics)
        self.assertEqual(order.stage_id.code, "to_assembly")

    # ------------------------------------------------------------ waiver
    def test_administrator_waives_with_a_comment(self):
        self.company.order_flow_refusal_prepay_threshold = 2
        admin = self.users["administrator"]
        order = self.new_cod_order(self.customer)
        action = order.with_user(admin).action_order_flow_waive_prepayment()
        wizard = (
            self.env[action["res_model"]]
            .with_user(admin)
            .with_context(**action["context"])
            .create({"comment": "Regular customer, refusals were our courier's fault"})
        )
        self.assertEqual(wizard.order_id, order)
        wizard.action_apply()
        self.assertTrue(order.refusal_prepay_waived)
        self.assertEqual(order.refusal_prepay_waived_by_id, admin)
        self.assertIn("courier's fault", order.refusal_prepay_waiver_comment)
        note = order.message_ids.filtered(lambda m: "courier's fault" in (m.body or ""))
        self.assertEqual(note.author_id, admin.partner_id)
        self.env.cr.precommit.run()  # the end of the request: tracking is posted
        tracked = order.message_ids.sudo().tracking_value_ids.filtered(
            lambda t: t.field_id.name == "refusal_prepay_waived"
        )
        self.assertTrue(tracked, "the waiver is tracked in the chatter")
        self.move(order, "to_assembly", user=self.logistics)
        self.assertEqual(order.stage_id.code, "to_assembly")

    def test_waiver_needs_a_comment(self):
        self.company.order_flow_refusal_prepay_threshold = 2
        order = self.new_cod_order(self.customer)
        with self.assertRaises(UserError):
            order.with_user(self.users["administrator"])._order_flow_waive_prepayment("  ")
        self.assertFalse(order.refusal_prepay_waived)

    def test_only_administrators_waive(self):
        self.company.order_flow_refusal_prepay_threshold = 2
        order = self.new_cod_order(self.customer)
        for role in ("sales", "manager", "support"):
            user = self.users[role]
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    order.with_user(user).write(
                        {"refusal_prepay_waived": True, "refusal_prepay_waiver_comment": "x"}
                    )
                with self.assertRaises(AccessError):
                    order.with_user(user).action_order_flow_waive_prepayment()
                with self.assertRaises(AccessError):
                    self.env["sale.order.refusal.waiver"].with_user(user).create(
                        {"order_id": order.id, "comment": "x"}
                    )
                with self.assertRaises(AccessError):
                    order.with_user(user)._order_flow_waive_prepayment("x")
        self.assertFalse(order.refusal_prepay_waived)
        self.assertFalse(order.refusal_prepay_waiver_comment)
        with self.assertRaises(UserError):
            self.move(order, "to_assembly", user=self.logistics)
