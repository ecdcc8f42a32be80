"""Facts only the order flow sets (time in status, payment, carrier facts,
the status history, the customer message log, the trigger map, the result of
a status change) are refused to every role, and a refused change leaves the
record as it was."""

from datetime import date, datetime

from markupsafe import Markup

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ROLE_NAMES, OrderFlowCommon


def changed_value(record, name):
    """A value of field ``name`` different from the record's."""
    field = record._fields[name]
    current = record[name]
    if field.type == "selection":
        options = [key for key, _label in field._description_selection(record.env)]
        return next(key for key in options if key != current)
    if field.type == "boolean":
        return not current
    if field.type in ("float", "monetary", "integer"):
        return (current or 0) + 7
    if field.type == "datetime":
        return datetime(2031, 1, 1, 12, 0, 0)
    if field.type == "date":
        return date(2031, 1, 1)
    if field.type == "many2one":
        other = record.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
        return other.id
    if field.type == "html":
        return Markup("<p>changed</p>")
    return f"changed {current or ''}"


@tagged("post_install", "-at_install")
class TestSystemOnlyFields(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users["marketer"] = new_test_user(
            cls.env,
            login="flow_marketer_so",
            groups="base.group_user,access_roles.group_role_marketer",
        )

    def assertUnchanged(self, record, names, before):
        record.invalidate_recordset()
        self.assertEqual(record.sudo().read(names)[0], before, "refused change altered it")

    def test_order_facts_refused_to_every_role_that_writes_orders(self):
        order = self.make_order(carrier=self.carrier)
        self.pay(order, amount=100.0)
        names = order._access_system_only_fields()
        for expected in (
            "paid_amount",
            "order_payment_state",
            "stage_deadline",
            "stage_date",
            "delivery_cod_state",
            "delivery_return_in_transit",
        ):
            self.assertIn(expected, names)
        before = order.sudo().read(list(names))[0]
        for role in ROLE_NAMES:
            user = self.users[role]
            self.assertTrue(order.with_user(user).has_access("write"), role)
            for name in names:
                with self.subTest(role=role, field=name):
                    with self.assertRaises(AccessError):
                        order.with_user(user).write({name: changed_value(order, name)})
                    self.assertUnchanged(order, list(names), before)

    def test_odoo_state_changes_through_its_actions_only(self):
        """Odoo's state and lock follow the business status and Odoo's own
        actions: written directly, they are refused to every role."""
        order = self.make_order()
        self.assertEqual(order.state, "sale")
        for role in ROLE_NAMES:
            for vals in ({"state": "cancel"}, {"state": "draft"}, {"locked": True}):
                with self.subTest(role=role, vals=vals), self.assertRaises(AccessError):
                    order.with_user(self.users[role]).write(vals)
        self.assertEqual((order.state, order.locked), ("sale", False))
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.sales).create(
                {"partner_id": self.customer.id, "state": "sale"}
            )
        # Odoo's actions still work for the person who may use them
        quotation = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create({"partner_id": self.customer.id, "user_id": self.sales.id})
        )
        quotation.action_quotation_sent()
        self.assertEqual(quotation.state, "sent")
        order.with_user(self.users["manager"]).action_lock()
        self.assertTrue(order.locked)
        order.with_user(self.users["manager"]).action_unlock()
        self.assertFalse(order.locked)

    def test_order_facts_refused_on_create(self):
        Order = self.env["sale.order"].with_user(self.sales)
        for name, value in (
            ("paid_amount", 1000.0),
            ("order_payment_state", "paid"),
            ("delivery_cod_state", "transferred"),
            ("stage_date", datetime(2020, 1, 1)),
        ):
            with self.subTest(field=name), self.assertRaises(AccessError):
                Order.create({"partner_id": self.customer.id, name: value})

    def test_defaults_sent_by_the_client_do_not_set_facts(self):
        Order = self.env["sale.order"].with_user(self.sales)
        order = Order.with_context(
            default_delivery_cod_state="transferred", default_delivery_return_in_transit=True
        ).create({"partner_id": self.customer.id})
        self.assertEqual(order.delivery_cod_state, "none")
        self.assertFalse(order.delivery_return_in_transit)
        # a default the user saves for himself (ir.default) neither
        self.env["ir.default"].with_user(self.sales).set(
            "sale.order", "delivery_cod_state", "transferred", user_id=True
        )
        order = Order.create({"partner_id": self.customer.id})
        self.assertEqual(order.delivery_cod_state, "none")

    def test_the_time_in_status_is_kept_by_the_flow(self):
        """A person's move sets the time in status; the person cannot."""
        order = self.make_order()
        self.move(order, "agreed", user=self.sales)
        self.assertEqual(order.stage_date, order.stage_history_ids.sorted("id")[-1].date_in)
        before = order.stage_date
        with self.assertRaises(AccessError):
            order.with_user(self.sales).write(
                {"stage_id": self.stage("cancelled").id, "stage_date": datetime(2020, 1, 1)}
            )
        self.assertEqual(order.stage_date, before)
        self.assertEqual(order.stage_id.code, "agreed")

    def test_history_and_message_log_are_written_by_the_system_only(self):
        order = self.make_order()
        visit = order.stage_history_ids[:1]
        log = order.customer_message_ids[:1]
        self.assertTrue(visit and log)
        for role in ("administrator", "manager", "sales", "support"):
            user = self.users[role]
            for record, vals in (
                (visit, {"cause": "rule", "date_in": datetime(2020, 1, 1)}),
                (log, {"template_name": "Never sent", "scheduled_date": False}),
            ):
                with self.subTest(role=role, model=record._name):
                    before = record.sudo().read(list(vals))[0]
                    self.assertTrue(record.with_user(user).read(["id"]), "readable")
                    with self.assertRaises(AccessError):
                        record.with_user(user).write(vals)
                    with self.assertRaises(AccessError):
                        record.with_user(user).unlink()
                    with self.assertRaises(AccessError):
                        record.with_user(user).copy()
                    self.assertUnchanged(record, list(vals), before)
            with self.assertRaises(AccessError):
                self.env["sale.order.stage.history"].with_user(user).create(
                    {"order_id": order.id, "stage_id": self.stage("done").id, "cause": "rule"}
                )

    def test_trigger_map_rows_are_computed_not_typed(self):
        Map = self.env["sale.order.trigger.map"]
        for role in ("administrator", "manager"):
            user = self.users[role]
            action = Map.with_user(user).action_open_map()
            rows = Map.with_user(user).search(action["domain"])
            self.assertTrue(rows, role)
            with self.assertRaises(AccessError):
                rows[:1].with_user(user).write({"templates": "SMS: fake"})
            with self.assertRaises(AccessError):
                Map.with_user(user).create({"trigger": "fake"})
        for role in ("sales", "logistics", "accountant", "support"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                Map.with_user(self.users[role]).action_open_map()
        # each user's rows are his own
        admin_rows = Map.with_user(self.users["administrator"]).search(
            [("create_uid", "=", self.users["administrator"].id)]
        )
        self.assertTrue(admin_rows)
        manager = Map.with_user(self.users["manager"])
        self.assertFalse(manager.search([("id", "in", admin_rows.ids)]))
        with self.assertRaises(AccessError):
            admin_rows[:1].with_user(self.users["manager"]).read(["templates"])

    def test_copy_of_an_order_by_its_salesperson(self):
        """Duplicating an own order works for a Sales Manager: none of the
        order flow's own facts is copied, the copy starts anew."""
        order = self.make_order(carrier=self.self_pickup, operator_comment="Call after 18:00")
        self.pay(order)
        self.assertEqual(order.order_payment_state, "paid")
        copy = order.with_user(self.sales).copy()
        self.assertEqual(copy.user_id, self.sales)
        self.assertEqual(copy.order_payment_state, "not_paid")
        self.assertEqual(copy.paid_amount, 0.0)
        self.assertEqual(copy.delivery_cod_state, "none")
        self.assertEqual(copy.order_line.product_id, self.product)
        first_visit = copy.stage_history_ids.sorted("id")[0]
        self.assertEqual(first_visit.stage_id.group_code, "new")
        self.assertNotIn(copy.stage_id.group_code, ("assembly", "delivery", "done", "cancel"))


@tagged("post_install", "-at_install")
class TestAuditTrail(OrderFlowCommon):
    def test_context_keys_do_not_hide_a_persons_change(self):
        order = self.make_order()
        for key in ("tracking_disable", "mail_notrack"):
            with self.subTest(key=key):
                comment = f"Changed with {key}"
                order.with_user(self.sales).with_context(**{key: True}).write(
                    {"operator_comment": comment}
                )
                self.env.flush_all()
                self.env.cr.precommit.run()
                tracked = order.message_ids.tracking_value_ids.filtered(
                    lambda value: value.field_id.name == "operator_comment"
                )
                self.assertIn(comment, tracked.mapped("new_value_text"))

    def test_creation_note_cannot_be_skipped(self):
        order = (
            self.env["sale.order"]
            .with_user(self.sales)
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create({"partner_id": self.customer.id})
        )
        self.env.cr.precommit.run()
        self.assertTrue(
            any("created" in body for body in order.message_ids.mapped("body")),
            "the creation is in the chatter",
        )


@tagged("post_install", "-at_install")
class TestStageChangeWizard(OrderFlowCommon):
    def test_result_is_sanitized_and_system_only(self):
        order = self.make_order()
        Wizard = self.env["sale.order.stage.change"].with_user(self.sales)
        wizard = Wizard.create({"order_ids": order.ids, "stage_id": self.stage("agreed").id})
        attack = '<img src="x" onerror="alert(document.cookie)"/><p>ok</p>'
        with self.assertRaises(AccessError):
            wizard.write({"result": attack})
        with self.assertRaises(AccessError):
            Wizard.create(
                {"order_ids": order.ids, "stage_id": self.stage("agreed").id, "result": attack}
            )
        # even written by the system, the HTML is cleaned
        wizard.sudo().result = attack
        self.assertNotIn("onerror", wizard.result)
        wizard.sudo().result = False
        wizard.action_apply()
        self.assertEqual(order.stage_id.code, "agreed")
        self.assertEqual((wizard.state, wizard.moved_count), ("done", 1))
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_wizard_is_its_creators_own(self):
        order = self.make_order()
        wizard = (
            self.env["sale.order.stage.change"]
            .with_user(self.sales)
            .create({"order_ids": order.ids, "stage_id": self.stage("agreed").id})
        )
        for role in ("manager", "logistics", "support", "administrator"):
            other = wizard.with_user(self.users[role])
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    other.read(["order_ids", "stage_id"])
                with self.assertRaises(AccessError):
                    other.write({"stage_id": self.stage("cancelled").id})
                with self.assertRaises(AccessError):
                    other.action_apply()
                self.assertFalse(
                    other.search([("id", "=", wizard.id)]), "not found by another user"
                )
        self.assertEqual(wizard.stage_id.code, "agreed")
        self.assertEqual(order.stage_id.code, "availability_confirmed")

    def test_orders_of_others_are_not_moved_through_the_wizard(self):
        """Orders the user may not read are not his to list in the wizard:
        nothing about them is moved or reported."""
        colleague = new_test_user(
            self.env, login="flow_sales_2", groups="base.group_user,access_roles.group_role_sales"
        )
        foreign = self.make_order(user=colleague)
        wizard = (
            self.env["sale.order.stage.change"]
            .with_user(self.sales)
            .create({"order_ids": foreign.ids, "stage_id": self.stage("cancelled").id})
        )
        # as in a new request: Odoo reads the wizard's orders with the user's rules
        wizard.invalidate_recordset()
        wizard.action_apply()
        self.assertEqual((wizard.moved_count, wizard.refused_count), (0, 0))
        self.assertNotIn(foreign.name, wizard.result)
        self.assertEqual(foreign.stage_id.code, "availability_confirmed")
