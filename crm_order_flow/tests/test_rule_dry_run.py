from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import OrderFlowCommon

# Kyiv is UTC+3 in summer: 09:00 UTC is noon there, 20:00 UTC is 23:00.
NOON = datetime(2031, 6, 10, 9, 0, 0)
NIGHT = datetime(2031, 6, 10, 20, 0, 0)


@tagged("post_install", "-at_install")
class TestRuleDryRun(OrderFlowCommon):
    """“Try on past orders” tells, order by order, what the real rule does:
    the dry-run and the real run share their decisions, and the dry-run
    sends, writes and schedules nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "order_flow_window_start": 9.0,
                "order_flow_window_end": 21.0,
                "order_flow_window_tz": "Europe/Kyiv",
            }
        )
        cls.admin = cls.users["administrator"]
        cls.sms_template = cls.env.ref("crm_order_flow.sms_template_ready_for_pickup")
        cls.mail_template = cls.env.ref("crm_order_flow.mail_template_ready_for_pickup")
        cls.silent = cls.env["res.partner"].create(
            {
                "name": "Taras Silent",
                "mobile": "+380501112244",
                "order_notify_channel": "none",
                "lang": "en_US",
            }
        )

    # ------------------------------------------------------------ helpers
    def draft_rule(self, name, actions, **vals):
        """A new rule of orders, archived (a draft being tried)."""
        model = self.env.ref("sale.model_sale_order")
        rule = self.env["base.automation"].create(
            dict(
                {"name": name, "model_id": model.id, "active": False},
                **vals,
                action_server_ids=[
                    Command.create(dict(action, model_id=model.id, name=f"{name} {index}"))
                    for index, action in enumerate(actions)
                ],
            )
        )
        return rule

    def dry_run(self, rule, date_from, date_to):
        wizard = (
            self.env["base.automation.dry.run"]
            .with_user(self.admin)
            .create({"automation_id": rule.id, "date_from": date_from, "date_to": date_to})
        )
        wizard.action_try()
        return {line.order_id: line for line in wizard.line_ids}

    def journal(self, rule, orders):
        entries = self.env["sale.order.automation.log"].search(
            [("automation_id", "=", rule.id), ("order_id", "in", orders.ids)]
        )
        return {entry.order_id: entry for entry in entries}

    def assert_same_outcome(self, lines, entries, orders):
        for order in orders:
            line, entry = lines[order], entries.get(order)
            self.assertTrue(entry, f"the real rule ran on {order.name}")
            self.assertEqual(line.result, entry.result, order.name)
            self.assertEqual(line.reason or False, entry.reason or False, order.name)
            self.assertEqual(line.detail or False, entry.detail or False, order.name)
            self.assertEqual(line.stage_id, entry.stage_id, order.name)

    def counts(self):
        return {
            model: self.env[model].sudo().search_count([])
            for model in (
                "sms.sms",
                "mail.message",
                "mail.mail",
                "mail.activity",
                "sale.order.stage.history",
                "sale.order.customer.message",
                "sale.order.automation.log",
            )
        }

    # -------------------------------------------------------------- tests
    def test_message_rule_same_answer_as_the_real_rule(self):
        confirmed = self.stage("availability_confirmed")
        rule = self.draft_rule(
            "Try: confirmed message",
            [
                {"state": "sms", "sms_template_id": self.sms_template.id, "sms_method": "comment"},
                {
                    "state": "mail_post",
                    "template_id": self.mail_template.id,
                    "mail_post_method": "comment",
                },
            ],
            trigger="on_stage_set",
            trg_field_ref=confirmed.id,
        )
        with freeze_time(NOON):
            day = self.make_order()
            told = self.make_order()
            # already sent in this status visit
            told._order_flow_send_customer_message(self.sms_template)
            silent = self.make_order(partner_id=self.silent.id)
        with freeze_time(NIGHT):
            night = self.make_order()
        orders = day | told | silent | night
        self.assertEqual(set(orders.mapped("stage_id.code")), {"availability_confirmed"})

        with freeze_time(NIGHT + timedelta(hours=2)):
            before = self.counts()
            lines = self.dry_run(rule, NOON - timedelta(days=7), NIGHT + timedelta(hours=1))
            self.assertEqual(self.counts(), before, "the dry-run sent and wrote nothing")
        self.assertEqual(lines[day].result, "done")
        self.assertIn(day.name, lines[day].text, "the rendered SMS is shown")
        self.assertIn("SMS", lines[day].detail)
        self.assertEqual(lines[night].result, "done")
        self.assertIn(
            "outside the sending window: goes out at 11.06.2031 09:00", lines[night].detail
        )
        self.assertEqual(lines[told].result, "skipped")
        self.assertEqual(lines[told].reason, "Already sent in this status visit.")
        self.assertEqual(lines[silent].result, "skipped")
        self.assertIn("No messages", lines[silent].reason)

        # The real rule on the same orders, each when it entered the status.
        rule.active = True
        for order in orders:
            with freeze_time(order.stage_date):
                rule.with_context(__action_done={})._process(order)
        entries = self.journal(rule, orders)
        self.assert_same_outcome(lines, entries, orders)
        self.assertTrue(entries[day].customer_message_id.message_id, "the SMS is linked")
        self.assertTrue(entries[night].customer_message_id.scheduled_date)
        self.assertEqual(entries[day].trigger_kind, "status")

    def test_status_rule_same_answer_as_the_real_rule(self):
        rule = self.draft_rule(
            "Try: agreed to assembly",
            [{"state": "code", "code": "records._order_flow_auto_move('to_assembly')"}],
            trigger="on_stage_set",
            trg_field_ref=self.stage("agreed").id,
        )
        ready = self.make_order(carrier=self.courier, payment_on_delivery=True)
        no_carrier = self.make_order(payment_on_delivery=True)
        orders = ready | no_carrier
        self.walk(orders, "agreed")
        now = datetime.now()
        before = self.counts()
        lines = self.dry_run(rule, now - timedelta(days=7), now + timedelta(minutes=5))
        self.assertEqual(self.counts(), before)
        self.assertEqual(set(orders.mapped("stage_id.code")), {"agreed"})
        self.assertEqual(lines[ready].result, "done")
        self.assertEqual(lines[ready].stage_id, self.stage("to_assembly"))
        self.assertEqual(lines[no_carrier].result, "refused")
        self.assertIn("without a delivery method", lines[no_carrier].reason)

        rule.active = True
        for order in orders:
            rule.with_context(__action_done={})._process(order)
        self.assertEqual(ready.stage_id.code, "to_assembly")
        self.assertEqual(no_carrier.stage_id.code, "agreed")
        self.assert_same_outcome(lines, self.journal(rule, orders), orders)

    def test_status_update_rule_same_answer_as_the_real_rule(self):
        # Odoo's "Update the record" of the status (as the shipped rule
        # "Assembled: hand over to delivery"): a refused move raises.
        rule = self.draft_rule(
            "Try: agreed to assembly (update)",
            [
                {
                    "state": "object_write",
                    "update_path": "stage_id",
                    "evaluation_type": "value",
                    "value": str(self.stage("to_assembly").id),
                }
            ],
            trigger="on_stage_set",
            trg_field_ref=self.stage("agreed").id,
        )
        ready = self.make_order(carrier=self.courier, payment_on_delivery=True)
        unpaid = self.make_order(carrier=self.courier)
        orders = ready | unpaid
        self.walk(orders, "agreed")
        now = datetime.now()
        lines = self.dry_run(rule, now - timedelta(days=1), now + timedelta(minutes=5))
        self.assertEqual(lines[ready].result, "done")
        self.assertEqual(lines[unpaid].result, "refused")
        self.assertIn("before it is paid", lines[unpaid].reason)
        rule.active = True
        for order in orders:
            try:
                rule.with_context(__action_done={})._process(order)
            except UserError as error:
                self.assertEqual(order, unpaid, str(error))
        self.assertEqual(ready.stage_id.code, "to_assembly")
        self.assert_same_outcome(lines, self.journal(rule, orders), orders)

    def test_timed_rule_same_answer_as_the_real_rule(self):
        summary = "Call about the waiting order"
        call = self.env.ref("mail.mail_activity_data_call")
        confirmed = self.stage("availability_confirmed")
        rule = self.draft_rule(
            "Try: confirmed for a day",
            [
                {
                    "state": "next_activity",
                    "activity_type_id": call.id,
                    "activity_summary": summary,
                    "activity_user_type": "generic",
                    "activity_user_field_name": "user_id",
                }
            ],
            trigger="on_time",
            trg_date_id=self.env.ref("crm_order_flow.field_sale_order__stage_date").id,
            trg_date_range=1,
            trg_date_range_type="day",
            filter_domain=repr([("stage_id", "=", confirmed.id)]),
        )
        with freeze_time(NOON):
            due = self.make_order()
            called = self.make_order()
            called.sudo().activity_schedule(
                "mail.mail_activity_data_call", summary=summary, user_id=self.sales.id
            )
            other_status = self.make_order(product=self.product_missing)
        with freeze_time(NOON + timedelta(days=3)):
            late = self.make_order()  # due after the period
        period = (NOON + timedelta(hours=12), NOON + timedelta(days=2))
        with freeze_time(period[1]):
            before = self.counts()
            lines = self.dry_run(rule, *period)
            self.assertEqual(self.counts(), before)
        self.assertNotIn(late, lines)
        self.assertEqual(lines[due].result, "done")
        self.assertEqual(lines[due].date, NOON + timedelta(days=1), "when the timer fires")
        self.assertIn(summary, lines[due].detail)
        self.assertEqual(lines[called].result, "skipped")
        self.assertIn("already has the open activity", lines[called].reason)
        self.assertEqual(lines[other_status].result, "skipped")
        self.assertIn("condition is false", lines[other_status].reason)

        # The real scheduler, for this rule alone, over the same period.
        timed = self.env["base.automation"].search(
            [("trigger", "in", ("on_time", "on_time_created", "on_time_updated"))]
        )
        timed.active = False
        rule.write({"active": True, "last_run": period[0]})
        with freeze_time(period[1]):
            self.env["base.automation"]._check()
        entries = self.journal(rule, due | called | other_status | late)
        self.assert_same_outcome(lines, entries, due | called)
        self.assertNotIn(other_status, entries, "the real rule skips it by its condition")
        self.assertNotIn(late, entries)
        self.assertEqual(entries[due].trigger_kind, "timer")
        self.assertTrue(entries[due].activity_id, "the activity is linked")

    def test_code_is_never_run_and_nothing_is_written(self):
        rule = self.draft_rule(
            "Try: code",
            [{"state": "code", "code": "records.write({'note': 'ran'})"}],
            trigger="on_create_or_write",
        )
        order = self.make_order()
        now = datetime.now()
        before = self.counts()
        lines = self.dry_run(rule, now - timedelta(days=1), now + timedelta(minutes=5))
        self.assertEqual(self.counts(), before)
        self.assertEqual(lines[order].result, "code")
        self.assertIn("not tried", lines[order].detail)
        self.assertFalse(order.note and "ran" in str(order.note))

    def test_only_administrators_try_rules(self):
        rule = self.env.ref("crm_order_flow.automation_02_new_notify")
        for role in ("manager", "sales"):
            user = self.users[role]
            with self.assertRaises(AccessError):
                rule.with_user(user).action_order_flow_dry_run()
            with self.assertRaises(AccessError):
                self.env["base.automation.dry.run"].with_user(user).create(
                    {"automation_id": rule.id}
                )
            with self.assertRaises(AccessError):
                self.env["base.automation.dry.run"].with_user(user)._order_flow_dry_run(
                    rule, datetime.now() - timedelta(days=1), datetime.now()
                )
        action = rule.with_user(self.admin).action_order_flow_dry_run()
        self.assertEqual(action["res_model"], "base.automation.dry.run")
