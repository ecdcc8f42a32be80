from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.crm_order_flow.tools import acting_as


@tagged("post_install", "-at_install")
class TestRfSegments(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US", tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
            }
        )
        cls.settings = cls.env["rf.settings"]._rf_for_company(cls.company)
        cls.settings.write(
            {
                "recency_1": 30,
                "recency_2": 90,
                "recency_3": 180,
                "frequency_1": 1,
                "frequency_2": 3,
                "campaign_days": 30,
            }
        )
        cls.marketer = new_test_user(
            cls.env,
            login="rf_marketer",
            name="RF Marketer",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Kettle", "type": "consu", "list_price": 1000.0, "taxes_id": [Command.clear()]}
        )
        cls.done = cls.env["sale.order.stage"]._get_by_code("done")
        cls.returned = cls.env["sale.order.stage"]._get_by_code("returned")
        cls.delivering = cls.env["sale.order.stage"]._get_by_code("delivering")
        cls.Customer = cls.env["rf.customer"]
        cls.seg = {
            code: cls.env.ref(f"crm_rf_segments.segment_{code}")
            for code in ("new", "promising", "loyal", "wandering", "dormant", "at_risk", "lost")
        }

    def partner(self, name, phone, **vals):
        return self.env["res.partner"].create(dict({"name": name, "mobile": phone}, **vals))

    def order(self, partner, days_ago=0, stage=None, price=1000.0):
        when = datetime.combine(fields.Date.today() - timedelta(days=days_ago), time(12))
        with acting_as("rule"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "stage_id": (stage or self.done).id,
                    "operator_comment": "test",
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": price})
                    ],
                }
            )
        # sudo: the test sets the order's date in the past.
        order.sudo().write({"date_order": when})
        return order

    def customer_of(self, partner):
        return self.Customer.search([("key", "=", partner._rf_customer_key())])

    def test_segment_at_the_thresholds_edges(self):
        cases = [
            (30, 1, "new"),
            (31, 1, "wandering"),
            (90, 1, "wandering"),
            (91, 1, "dormant"),
            (180, 1, "dormant"),
            (181, 1, "lost"),
            (5, 2, "promising"),
            (5, 3, "promising"),
            (5, 4, "loyal"),
            (90, 4, "loyal"),
            (91, 2, "at_risk"),
            (181, 4, "lost"),
        ]
        partners = []
        for index, (days, count, __) in enumerate(cases):
            partner = self.partner(f"Edge {index}", f"+38050100{index:04d}")
            for __ in range(count):
                self.order(partner, days_ago=days)
            partners.append(partner)
        self.Customer._rf_recompute()
        for partner, (days, count, code) in zip(partners, cases, strict=True):
            with self.subTest(days=days, orders=count):
                customer = self.customer_of(partner)
                self.assertEqual(customer.recency_days, days)
                self.assertEqual(customer.frequency, count)
                self.assertEqual(customer.segment_id, self.seg[code])
                self.assertEqual(partner.rf_segment_id, self.seg[code])

    def test_merge_by_phone(self):
        local = self.partner("Olha", "067 111 22 33")
        international = self.partner("Olha K.", "+380671112233")
        self.order(local, days_ago=50, price=300.0)
        self.order(international, days_ago=10, price=700.0)
        self.Customer._rf_recompute()
        customer = self.customer_of(local)
        self.assertEqual(customer, self.customer_of(international))
        self.assertEqual(customer.frequency, 2)
        self.assertEqual(customer.revenue, 1000.0)
        self.assertEqual(customer.recency_days, 10)
        self.assertEqual(customer.partner_id, international, "the contact of the last order")
        self.assertEqual(customer.segment_id, self.seg["promising"])

    def test_nightly_batch_result(self):
        buyers = [self.partner(f"Buyer {i}", f"+38063200{i:04d}") for i in range(6)]
        for buyer in buyers[:3]:
            self.order(buyer, days_ago=3)
        for __ in range(4):
            self.order(buyers[3], days_ago=20)
        self.order(buyers[4], days_ago=400)
        self.order(buyers[5], days_ago=5, stage=self.returned)
        self.Customer._cron_rf_recompute()
        new = self.Customer.search([("segment_id", "=", self.seg["new"].id)])
        self.assertEqual(
            new.partner_id & self.env["res.partner"].union(*buyers),
            buyers[0] | buyers[1] | buyers[2],
        )
        self.assertEqual(self.customer_of(buyers[3]).segment_id, self.seg["loyal"])
        self.assertEqual(self.customer_of(buyers[3]).revenue, 4000.0)
        self.assertEqual(self.customer_of(buyers[4]).segment_id, self.seg["lost"])
        self.assertFalse(self.customer_of(buyers[5]), "a returned order makes no customer")
        self.assertGreaterEqual(self.seg["new"].customer_count, 3)

    def test_move_history(self):
        partner = self.partner("Mover", "+380931234567")
        self.order(partner, days_ago=2)
        self.Customer._rf_recompute()
        customer = self.customer_of(partner)
        first = customer.visit_ids
        self.assertEqual(first.segment_id, self.seg["new"])
        self.assertFalse(first.previous_segment_id)
        self.Customer._rf_recompute()
        self.assertEqual(customer.visit_ids, first, "no move without a change")
        with freeze_time(fields.Datetime.now() + timedelta(days=40)):
            self.Customer._rf_recompute()
        self.assertEqual(customer.segment_id, self.seg["wandering"])
        second = customer.visit_ids - first
        self.assertEqual(second.previous_segment_id, self.seg["new"])
        self.assertEqual(second.segment_id, self.seg["wandering"])
        self.assertTrue(first.date_out)
        self.assertFalse(first.is_current)
        self.assertFalse(second.date_out)
        self.assertTrue(second.is_current)

    def test_completed_order_updates_the_segment_at_once(self):
        partner = self.partner("Instant", "+380991112200")
        order = self.order(partner, stage=self.delivering, price=0.0)
        self.assertFalse(self.customer_of(partner))
        order._order_flow_write_stage(self.done, cause="rule")
        self.assertEqual(self.customer_of(partner).segment_id, self.seg["new"])
        self.assertEqual(partner.rf_segment_id, self.seg["new"])
        self.assertEqual(order.rf_segment_id, self.seg["new"])

    def sms_of(self, partner):
        return self.env["sms.sms"].search(
            [("partner_id", "=", partner.id), ("mail_message_id.model", "=", "rf.segment.visit")]
        )

    def test_entry_rule_sends_once(self):
        rule = self.env.ref("crm_rf_segments.automation_segment_new_entry")
        rule.active = True
        partner = self.partner("Entry", "+380501234500")
        self.order(partner, days_ago=1)
        self.Customer._rf_recompute()
        self.assertEqual(len(self.sms_of(partner)), 1)
        self.assertIn("Entry", self.sms_of(partner).body)
        log = self.env["rf.segment.message"].search([("partner_id", "=", partner.id)])
        self.assertEqual((log.state, log.automation_id), ("sent", rule))
        # Recomputed again (night after night): the customer stays, nothing more is sent.
        self.Customer._rf_recompute()
        self.order(partner, days_ago=0, price=0.0)
        self.Customer._rf_recompute()
        self.assertEqual(self.customer_of(partner).segment_id, self.seg["promising"])
        self.assertEqual(len(self.sms_of(partner)), 1, "the Promising rule is inactive")
        # The campaign's result: the orders placed after the message, in the window.
        later = self.order(partner, price=500.0)
        later.sudo().write({"date_order": fields.Datetime.now() + timedelta(hours=1)})
        self.env["rf.segment.message"]._rf_refresh_results()
        self.assertEqual((log.sent_count, log.orders_after, log.revenue_after), (1, 1, 500.0))

    def test_stay_rule_after_n_days(self):
        self.env["base.automation"].create(
            {
                "name": "New for a week",
                "model_id": self.env.ref("crm_rf_segments.model_rf_segment_visit").id,
                "trigger": "on_time",
                "trg_date_id": self.env.ref("crm_rf_segments.field_rf_segment_visit__date_in").id,
                "trg_date_range": 7,
                "trg_date_range_type": "day",
                "filter_domain": "[('segment_id.code', '=', 'new'), ('is_current', '=', True)]",
                "action_server_ids": [
                    Command.create(
                        {
                            "name": "Send",
                            "model_id": self.env.ref("crm_rf_segments.model_rf_segment_visit").id,
                            "state": "code",
                            "code": "records._rf_send_segment_message()",
                        }
                    )
                ],
            }
        )
        partner = self.partner("Stayer", "+380501234511")
        self.order(partner, days_ago=0)
        self.Customer._rf_recompute()
        self.env["base.automation"]._check(False)
        self.assertFalse(self.sms_of(partner), "not yet a week")
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            self.env["base.automation"]._check(False)
            self.env["base.automation"]._check(False)
        self.assertEqual(len(self.sms_of(partner)), 1)

    def test_opt_out_and_channel_none(self):
        self.env.ref("crm_rf_segments.automation_segment_new_entry").active = True
        opted = self.partner("Opted", "+380501234522", rf_marketing_opt_out=True)
        silent = self.partner("Silent", "+380501234533", order_notify_channel="none")
        blacklisted = self.partner("Black", "+380501234544")
        self.env["phone.blacklist"].sudo().add(blacklisted.phone_sanitized)
        for partner in opted | silent | blacklisted:
            self.order(partner, days_ago=1)
        self.Customer._rf_recompute()
        Log = self.env["rf.segment.message"]
        for partner, reason in (
            (opted, "opted out"),
            (silent, "No messages"),
            (blacklisted, "blacklisted"),
        ):
            with self.subTest(partner=partner.name):
                self.assertFalse(self.sms_of(partner))
                log = Log.search([("partner_id", "=", partner.id)])
                self.assertEqual(log.state, "skipped")
                self.assertIn(reason, log.reason)

    def test_marketer_rights(self):
        partner = self.partner("Private", "+380501234555")
        order = self.order(partner, days_ago=1)
        self.Customer._rf_recompute()
        env = self.env(user=self.marketer)
        # The grid and the segments' templates.
        cell = env.ref("crm_rf_segments.grid_r1_f1")
        cell.segment_id = self.seg["promising"].id
        self.assertEqual(cell.segment_id, self.seg["promising"])
        template = env.ref("crm_rf_segments.sms_template_segment_new")
        template.body = "Hello {{ object.customer_first_name }}"
        env.ref("crm_rf_segments.automation_segment_new_entry").active = True
        # Figures the system sets, and other rules.
        customer = env["rf.customer"].search([("partner_id", "=", partner.id)])
        self.assertEqual(customer.segment_id, self.seg["new"])
        for vals in (
            {"segment_id": self.seg["loyal"].id},
            {"recency_days": 1},
            {"frequency": 9},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                customer.write(vals)
        with self.assertRaises(AccessError):
            customer.visit_ids[:1].write({"segment_id": self.seg["lost"].id})
        with self.assertRaises(AccessError):
            env["rf.segment.message"].create(
                {"visit_id": customer.visit_ids[:1].id, "state": "sent"}
            )
        order_rule = self.env.ref("crm_order_flow.automation_02_new_notify")
        with self.assertRaises(AccessError):
            order_rule.with_user(self.marketer).write({"active": False})
        # On a campaign rule: when and for whom, never what it runs or watches.
        campaign = env.ref("crm_rf_segments.automation_segment_new_entry")
        campaign.write({"name": "Welcome", "filter_domain": "[('segment_id.code', '=', 'new')]"})
        self.assertEqual(campaign.name, "Welcome")
        for vals in (
            {"model_id": self.env.ref("sale.model_sale_order").id},
            {"trigger": "on_write"},
            {"action_server_ids": [(5, 0, 0)]},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                campaign.write(vals)
        self.assertEqual(campaign.sudo().model_id.model, "rf.segment.visit")
        self.assertTrue(campaign.sudo().action_server_ids)
        # No order financials.
        with self.assertRaises(AccessError):
            order.with_user(self.marketer).read(["amount_total"])
        self.assertEqual(customer.revenue, 1000.0, "aggregated revenue only")
        # What the Marketer reads through the ORM: contacts, segments, customers.
        self.assertEqual(env["res.partner"].browse(partner.id).read(["name"])[0]["name"], "Private")
        segment = env["rf.segment"].browse(self.seg["new"].id)
        self.assertEqual(segment.read(["code", "customer_count"])[0]["customer_count"], 1)
        self.assertIn(customer, env["rf.customer"].search([("segment_id", "=", segment.id)]))
        self.assertEqual(customer.read(["frequency"])[0]["frequency"], 1)
        # Names and templates, not the technical code the rules test.
        segment.name = "Newcomers"
        with self.assertRaises(AccessError):
            segment.write({"code": "newcomers"})
        self.assertEqual(self.seg["new"].code, "new")
        self.seg["new"].write({"code": "newcomers"})  # administrator
        self.assertEqual(self.seg["new"].code, "newcomers")

    def test_marketer_edits_the_settings(self):
        partner = self.partner("Olena", "+380501234566")
        self.order(partner, days_ago=40)
        env = self.env(user=self.marketer)
        action = env["rf.settings"].action_open_settings()
        settings = env["rf.settings"].browse(action["res_id"])
        self.assertEqual(settings, self.settings)
        settings.write({"recency_1": 45, "campaign_days": 14})
        self.Customer._rf_recompute()
        customer = self.customer_of(partner)
        self.assertEqual(customer.segment_id, self.seg["new"], "40 days: still recent")
        for vals in (
            {"recency_2": 45},
            {"recency_3": 20},
            {"frequency_1": 0},
            {"campaign_days": 0},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError), self.cr.savepoint():
                settings.write(vals)
        self.assertEqual((settings.recency_1, settings.campaign_days), (45, 14))
        with self.assertRaises(AccessError):
            settings.write({"company_id": self.company.id})
        with self.assertRaises(AccessError):
            env["res.company"].browse(self.company.id).write({"name": "Renamed"})
