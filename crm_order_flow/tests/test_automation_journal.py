from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestAutomationJournal(OrderFlowCommon):
    """Every run of an automation rule on an order leaves an entry: what it
    did (with its message, activity or status), why it did nothing, or its
    error; the system alone writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.notify = cls.env.ref("crm_order_flow.automation_02_new_notify")
        cls.reserve = cls.env.ref("crm_order_flow.automation_01_new_reserve")
        cls.confirmed_activity = cls.env.ref("crm_order_flow.automation_03_confirmed_activity")
        cls.Log = cls.env["sale.order.automation.log"]

    def entries(self, order, rule=None):
        domain = [("order_id", "=", order.id)]
        if rule:
            domain.append(("automation_id", "=", rule.id))
        return self.Log.search(domain, order="id")

    def test_new_order_runs_are_recorded(self):
        order = self.make_order()
        notify = self.entries(order, self.notify)
        self.assertEqual(len(notify), 1)
        self.assertEqual(notify.result, "done")
        self.assertEqual(notify.trigger_kind, "status")
        self.assertEqual(notify.cause, "user")
        self.assertEqual(notify.user_id, self.sales)
        self.assertIn("SMS", notify.detail)
        self.assertTrue(notify.message_id, "linked to the chatter message of the SMS")
        self.assertEqual(notify.customer_message_id.order_id, order)
        reserve = self.entries(order, self.reserve)
        self.assertEqual(reserve.result, "done")
        self.assertEqual(reserve.stage_id.code, "availability_confirmed")
        # The reservation moved the order: the next rule was started by a rule.
        runs = self.entries(order, self.confirmed_activity)
        activity = runs.filtered(lambda entry: entry.result == "done")
        self.assertEqual(activity.cause, "rule")
        self.assertEqual(activity.activity_id.res_id, order.id)
        # Odoo runs the rule again at the end of the creation, for the
        # order's new status: the open activity is not given twice, and the
        # journal says so.
        for entry in runs - activity:
            self.assertEqual(entry.result, "skipped")
            self.assertIn("already has the open activity", entry.reason)

    def test_skipped_run_says_why(self):
        silent = self.customer.copy({"order_notify_channel": "none"})
        order = self.make_order(partner_id=silent.id)
        entry = self.entries(order, self.notify)
        self.assertEqual(entry.result, "skipped")
        self.assertIn("No messages", entry.reason)
        self.assertFalse(entry.message_id)

    def test_payment_trigger(self):
        order = self.walk(self.make_order(carrier=self.courier), "agreed")
        self.pay(order)
        paid = self.entries(order, self.env.ref("crm_order_flow.automation_08_paid_notify"))
        self.assertEqual(paid.trigger_kind, "payment")
        self.assertEqual(paid.result, "done")

    def failing_rule(self, trigger="on_stage_set", **vals):
        return self.env["base.automation"].create(
            dict(
                {
                    "name": "Journal: failing rule",
                    "model_id": self.env.ref("sale.model_sale_order").id,
                    "trigger": trigger,
                    "action_server_ids": [
                        Command.create(
                            {
                                "name": "Write, then fail",
                                "model_id": self.env.ref("sale.model_sale_order").id,
                                "state": "code",
                                "code": "records.write({'client_order_ref': 'PARTIAL'})\n"
                                "raise UserError('The carrier is down')",
                            }
                        )
                    ],
                },
                **vals,
            )
        )

    def test_error_is_recorded_and_its_work_undone(self):
        rule = self.failing_rule(trg_field_ref=self.stage("agreed").id)
        order = self.make_order()
        # As a caller that goes on after a rule's error (assertRaises would
        # roll the whole block back, as a person's refused change is).
        raised = None
        try:
            self.walk(order, "agreed")
        except UserError as error:
            raised = error
        self.assertIn("The carrier is down", str(raised))
        entry = self.entries(order, rule)
        self.assertEqual(entry.result, "error")
        self.assertIn("The carrier is down", entry.reason)
        self.assertFalse(order.client_order_ref, "the failed action's own work is undone")

    def test_timer_error_is_recorded_and_the_scheduler_goes_on(self):
        with freeze_time(datetime(2031, 5, 4, 9, 0)):
            order = self.make_order()
        rule = self.failing_rule(
            trigger="on_time",
            trg_date_id=self.env.ref("crm_order_flow.field_sale_order__stage_date").id,
            trg_date_range=1,
            trg_date_range_type="day",
            filter_domain=repr([("id", "=", order.id)]),
            last_run=datetime(2031, 5, 4, 9, 0),
        )
        # Odoo's scheduler logs the rule's error, as it should
        with (
            freeze_time(datetime(2031, 5, 6, 9, 0)),
            mute_logger("odoo.addons.base_automation.models.base_automation"),
        ):
            self.env["base.automation"]._check()
        entry = self.entries(order, rule)
        self.assertEqual(entry.result, "error")
        self.assertEqual(entry.trigger_kind, "timer")
        self.assertFalse(order.client_order_ref)
        self.assertEqual(rule.last_run, datetime(2031, 5, 6, 9, 0), "the scheduler went on")
        self.assertEqual(rule.order_flow_error_count, 1, "the rule counts its errors")

    def test_refused_move_is_recorded_with_its_message(self):
        order = self.walk(self.make_order(), "agreed")
        rule = self.env["base.automation"].create(
            {
                "name": "Journal: move without carrier",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "trigger": "on_create_or_write",
                "trigger_field_ids": [
                    Command.set(self.env.ref("sale.field_sale_order__client_order_ref").ids)
                ],
                "action_server_ids": [
                    Command.create(
                        {
                            "name": "To assembly",
                            "model_id": self.env.ref("sale.model_sale_order").id,
                            "state": "code",
                            "code": "records._order_flow_auto_move('to_assembly')",
                        }
                    )
                ],
            }
        )
        order.client_order_ref = "REF-1"
        entry = self.entries(order, rule)
        self.assertEqual(entry.result, "refused")
        self.assertIn("cannot move to “Sent to assembly”", entry.reason)
        self.assertEqual(entry.trigger_kind, "change")
        self.assertEqual(rule.order_flow_refused_count, 1)

    def test_only_the_system_writes_the_journal(self):
        order = self.make_order()
        entry = self.entries(order, self.notify)
        for role in ("sales", "manager", "administrator", "logistics"):
            user = self.users[role]
            Log = self.Log.with_user(user)
            with self.assertRaises(AccessError, msg=role):
                Log.create({"order_id": order.id, "result": "done"})
            with self.assertRaises(AccessError, msg=role):
                entry.with_user(user).write({"result": "error"})
            with self.assertRaises(AccessError, msg=role):
                entry.with_user(user).unlink()
        self.assertEqual(entry.result, "done")

    def test_who_reads_the_journal(self):
        mine = self.make_order()
        other = self.make_order(user=self.users["manager"])
        for role in ("manager", "administrator"):
            seen = self.Log.with_user(self.users[role]).search(
                [("order_id", "in", (mine | other).ids)]
            )
            self.assertEqual(seen.order_id, mine | other, role)
        seen = self.Log.with_user(self.sales).search([("order_id", "in", (mine | other).ids)])
        self.assertEqual(seen.order_id, mine, "a salesperson sees the journal of own orders")
        self.assertGreater(mine.with_user(self.sales).automation_log_count, 0)
        for role in ("logistics", "support", "accountant"):
            with self.assertRaises(AccessError, msg=role):
                self.Log.with_user(self.users[role]).search([])
            self.assertEqual(mine.with_user(self.users[role]).automation_log_count, 0)

    def test_old_entries_are_purged(self):
        order = self.make_order()
        entries = self.entries(order)
        self.assertTrue(entries)
        old, recent = entries[0], entries[1:]
        self.env.cr.execute(
            "UPDATE sale_order_automation_log SET date = %s WHERE id = %s",
            [datetime.now() - timedelta(days=31), old.id],
        )
        self.env["ir.config_parameter"].set_param(
            "crm_order_flow.automation_log_retention_days", "30"
        )
        self.Log.invalidate_model()
        self.assertEqual(self.Log._cron_purge(), 1)
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent)
