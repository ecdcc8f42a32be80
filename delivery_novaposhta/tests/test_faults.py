"""Waybills exactly once through every fault of the Nova Poshta connection:
what the fake server does to a save or a delete, what Odoo records, and what
the scheduled actions settle without a person."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..novaposhta import NovaPoshtaError
from ..novaposhta import client as np_client
from .common import NovaPoshtaCommon


class LaterRefusal(Exception):
    """A check later in the same request refuses it: all is rolled back."""


# faults where NP did the work although the answer never arrived
PROCESSED = ("timeout_after_save", "lost_answer", "reset_after_save", "malformed")
# faults where nothing happened at NP
NOT_PROCESSED = ("hang", "reset", "429", "500", "502", "503", "empty", "html")


@tagged("post_install", "-at_install")
class TestFaults(NovaPoshtaCommon):
    def live(self, order):
        return self.fake.live_waybills(order.name)

    def saves(self):
        return self.fake.count_calls("InternetDocument.save")

    def assert_one_live_waybill(self, order):
        live = self.live(order)
        self.assertEqual(len(live), 1, f"one live waybill at NP for {order.name}")
        self.assertEqual(order.np_waybill_state, "created")
        self.assertEqual(order.np_waybill_number, live[0]["Number"])
        self.assertEqual(order.delivery_tracking_ref, live[0]["Number"])
        self.assertEqual(
            self.env["novaposhta.waybill"].search_count(
                [("order_id", "=", order.id), ("state", "not in", ("deleted", "extra"))]
            ),
            1,
        )

    # -------------------------------------------------------------- saves
    def test_save_faults_settled_by_the_scheduled_action(self):
        """Each fault of a save made by the order flow: after the scheduled
        action's runs, exactly one live waybill at NP, the order has it, and
        nothing was sent again while NP had it."""
        for kind in PROCESSED + NOT_PROCESSED:
            with self.subTest(kind=kind):
                self.fake.reset()
                order = self.order_to_delivery(run_cron=False)
                self.assertEqual(order.np_waybill_state, "queued")
                self.assertFalse(self.saves(), "nothing is sent inside the status move")
                self.fake.fail_next(kind, "InternetDocument.save")
                self.run_waybill_cron()
                self.assertEqual(order.np_waybill_state, "uncertain", kind)
                self.assertEqual(order.stage_code, "to_delivery")
                self.run_waybill_cron()  # no person: the next run settles it
                self.assert_one_live_waybill(order)
                self.assertEqual(self.saves(), 1 if kind in PROCESSED else 2, kind)
                self.assertFalse(order.np_waybill_id.needs_attention)

    def test_np_refusal_postpones_with_one_activity(self):
        order = self.order_to_delivery(run_cron=False)
        before = order.activity_ids
        self.fake.fail_next("np_error", "InternetDocument.save")
        self.run_waybill_cron()
        self.assertEqual(order.stage_code, "delivery_postponed")
        self.assertFalse(order.np_waybill_id)
        self.assertFalse(self.live(order))
        new = order.activity_ids - before
        self.assertEqual(len(new), 1, new.mapped("summary"))
        self.assertIn("20000100000", new.note)
        self.assertIn("Internal error, try later", new.note)
        notes = " ".join(order.message_ids.mapped("body"))
        self.assertIn("could not register the shipment", notes)

    def test_missing_data_postpones_with_one_activity(self):
        """The order lacks what NP needs: the scheduled action postpones it
        once, outside the move, with a note and one activity (a move made
        inside the move would fire the “postponed” rule once per enclosing
        write: three identical activities)."""
        order = self.np_order(np_warehouse_id=False)
        self.pay(order)
        self.walk(order, "assembling")
        before = order.activity_ids
        self.walk(order, "assembled")
        self.env.flush_all()
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertFalse(order.np_waybill_id, "no waybill on the order")
        self.run_waybill_cron()
        self.assertEqual(order.stage_code, "delivery_postponed")
        self.assertFalse(order.np_waybill_id)
        new = order.activity_ids - before
        self.assertEqual(len(new), 1, new.mapped("summary"))
        self.assertIn("branch or parcel locker", new.note)
        self.assertIn("could not register the shipment", " ".join(order.message_ids.mapped("body")))
        self.assertFalse(self.fake.count_calls("InternetDocument.save"))
        # corrected and handed to delivery again: the waybill is made
        order.np_warehouse_id = self.lviv_2
        self.walk(order, "to_delivery")
        self.env.flush_all()
        self.run_waybill_cron()
        self.assert_one_live_waybill(order)

    def test_late_processing_after_resend_is_reconciled(self):
        """NP processes the first save after the client gave up and after
        the look-up found nothing, so the waybill was sent again: the
        reconciliation finds the extra one and deletes it at NP."""
        order = self.order_to_delivery(run_cron=False)
        self.fake.fail_next("late", "InternetDocument.save")
        self.run_waybill_cron()
        self.assertEqual(order.np_waybill_state, "uncertain")
        self.assertFalse(self.live(order), "NP has not processed it yet")
        self.run_waybill_cron()  # looked up (nothing), sent again
        self.assertEqual(order.np_waybill_state, "created")
        kept = order.np_waybill_number
        self.fake.process_late()  # NP finally processes the first request
        self.assertEqual(len(self.live(order)), 2)
        stats = self.run_reconcile_cron()
        self.assertEqual(stats.get("extra_deleted"), 1, stats)
        self.assertEqual([w["Number"] for w in self.live(order)], [kept])
        self.assertEqual(order.np_waybill_number, kept)
        extra = self.env["novaposhta.waybill"].search(
            [("order_id", "=", order.id), ("name", "!=", kept)]
        )
        self.assertEqual(extra.state, "deleted")
        self.assertEqual(self.saves(), 2)
        # the next run finds nothing to do
        self.assertFalse(self.run_reconcile_cron().get("extra_deleted"))

    def test_late_processing_before_lookup_is_adopted(self):
        order = self.order_to_delivery(run_cron=False)
        self.fake.fail_next("late", "InternetDocument.save")
        self.run_waybill_cron()
        self.fake.process_late()
        self.run_waybill_cron()
        self.assert_one_live_waybill(order)
        self.assertEqual(self.saves(), 1)

    def test_extra_waybill_accepted_by_np_needs_a_person(self):
        order = self.order_to_delivery(run_cron=False)
        self.fake.fail_next("late", "InternetDocument.save")
        self.run_waybill_cron()
        self.run_waybill_cron()
        extra = self.fake.process_late()[0]["data"][0]
        self.fake.set_status(extra["IntDocNumber"], "4")  # already handed over
        self.run_reconcile_cron()
        record = self.env["novaposhta.waybill"].search([("ref", "=", extra["Ref"])])
        self.assertEqual(record.state, "extra")
        self.assertTrue(record.needs_attention)
        self.assertEqual(order.np_waybill_state, "created", "the order keeps its waybill")
        # “Waybills to check” shows it
        action = self.env.ref("delivery_novaposhta.novaposhta_waybill_action_attention")
        shown = self.env["novaposhta.waybill"].search(
            safe_eval(action.domain) + [("needs_attention", "=", True)]
        )
        self.assertEqual(shown, record)

    def test_orphan_of_a_rolled_back_click_is_adopted(self):
        """NP made the waybill, then the request's transaction was rolled
        back: Odoo knows nothing. The reconciliation adopts it for the
        order; the next click creates nothing."""
        order = self.np_order()
        Waybill = type(self.env["novaposhta.waybill"])
        with (
            patch.object(Waybill, "_np_write_order_facts", side_effect=RuntimeError("crash")),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertFalse(self.env["novaposhta.waybill"].search([("order_id", "=", order.id)]))
        self.assertEqual(len(self.live(order)), 1)
        self.assertEqual(self.run_reconcile_cron().get("adopted"), 1)
        self.assert_one_live_waybill(order)
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(self.saves(), 1)

    def test_crash_after_np_answered_in_the_scheduled_action(self):
        order = self.order_to_delivery(run_cron=False)
        Waybill = type(self.env["novaposhta.waybill"])
        with (
            patch.object(Waybill, "_np_write_order_facts", side_effect=RuntimeError("crash")),
            self.assertLogs("odoo.addons.delivery_novaposhta.models.novaposhta_waybill", "WARNING"),
        ):
            self.run_waybill_cron()
        waybill = order.np_waybill_id
        self.assertEqual(waybill.state, "sending", "saved before the request went")
        self.assertEqual(len(self.live(order)), 1)
        self.run_waybill_cron()
        self.assertEqual(waybill.state, "sending", "still in flight: left alone")
        # time passes: the request can no longer be under way
        waybill.sudo().write({"send_date": "2000-01-01 00:00:00", "next_try": False})
        self.run_waybill_cron()
        self.assert_one_live_waybill(order)
        self.assertEqual(self.saves(), 1)

    def test_rolled_back_status_move_sends_nothing(self):
        """A later refusal in the same transaction rolls the move to “Handed
        to delivery” back: NP has no waybill; the next move creates one."""
        order = self.np_order()
        self.pay(order)
        self.walk(order, "assembling")
        with self.assertRaises(LaterRefusal), self.env.cr.savepoint():
            self.walk(order, "assembled")  # rule 9 moves on to “Handed to delivery”
            self.env.flush_all()
            self.assertEqual(order.stage_code, "to_delivery")
            raise LaterRefusal()
        self.env.invalidate_all()
        self.run_waybill_cron()
        self.assertFalse(self.fake.waybills, "nothing at NP")
        self.assertEqual(order.stage_code, "assembling")
        self.walk(order, "assembled")
        self.env.flush_all()
        self.run_waybill_cron()
        self.assert_one_live_waybill(order)

    def test_button_fault_messages_are_distinct(self):
        """A person's click through each fault: a message saying what
        happened (in the user's language), never the same words for all."""
        logistics = self.users["logistics"]
        seen = {}
        for kind in ("hang", "reset", "429", "500", "malformed", "empty", "html"):
            with self.subTest(kind=kind):
                order = self.np_order()
                self.fake.fail_next(kind, "InternetDocument.save")
                action = order.with_user(logistics).action_np_create_waybill()
                self.assertEqual(order.np_waybill_state, "uncertain")
                seen[kind] = action["params"]["message"]
        self.assertIn("did not answer in time", seen["hang"])
        self.assertIn("connection to Nova Poshta was cut", seen["reset"])
        self.assertIn("HTTP 429", seen["429"])
        self.assertIn("HTTP 500", seen["500"])
        self.assertIn("cannot be read", seen["malformed"])
        self.assertIn("empty answer", seen["empty"])
        self.assertIn("web page instead of data", seen["html"])
        others = [text for kind, text in seen.items() if kind != "hang"]
        self.assertFalse([text for text in others if "did not answer in time" in text])
        self.assertEqual(len(set(seen.values())), len(seen))
        # … in the user's language
        account = self.account.with_context(lang="uk_UA")
        for kind in (np_client.KIND_TIMEOUT, np_client.KIND_CONNECTION, np_client.KIND_HTML):
            error = NovaPoshtaError(["x"], kind=kind, status=200)
            self.assertNotEqual(
                account._np_problem_text(error), self.account._np_problem_text(error), kind
            )

    # ------------------------------------------------------------ deletes
    def test_delete_faults_settled(self):
        """Each fault of a delete: the deletion is confirmed with NP (by its
        tracking) and, when NP did not do it, sent again by the scheduled
        action; the order may then get a new waybill."""
        logistics = self.users["logistics"]
        for kind in PROCESSED + NOT_PROCESSED + ("late",):
            with self.subTest(kind=kind):
                order = self.np_order()
                order.with_user(logistics).action_np_create_waybill()
                number = order.np_waybill_number
                self.fake.fail_next(kind, "InternetDocument.delete")
                action = order.with_user(logistics).action_np_delete_waybill()
                waybill = self.env["novaposhta.waybill"].search([("name", "=", number)])
                self.assertEqual(waybill.state, "deleting", kind)
                self.assertIn("not confirmed", action["params"]["message"])
                self.run_waybill_cron()
                self.assertEqual(waybill.state, "deleted", kind)
                self.assertEqual(self.fake.waybills[number]["StatusCode"], "2")
                self.assertFalse(order.np_waybill_id)
                self.assertFalse(order.delivery_tracking_ref)
                order.with_user(logistics).action_np_create_waybill()
                self.assertEqual(len(self.live(order)), 1)
                self.fake.process_late()

    def test_lost_delete_answer_then_second_click(self):
        """The delete's answer is lost; the second click is refused by NP
        (already deleted): NP's tracking settles it, the order may get a new
        waybill."""
        logistics = self.users["logistics"]
        order = self.np_order()
        order.with_user(logistics).action_np_create_waybill()
        number = order.np_waybill_number
        self.fake.fail_next("lost_answer", "InternetDocument.delete")
        order.with_user(logistics).action_np_delete_waybill()
        self.assertEqual(self.fake.waybills[number]["StatusCode"], "2")
        order.with_user(logistics).action_np_delete_waybill()
        self.assertFalse(order.np_waybill_id)
        order.with_user(logistics).action_np_create_waybill()
        self.assertNotEqual(order.np_waybill_number, number)
        self.assertEqual(len(self.live(order)), 1)

    def test_np_refuses_delete_of_accepted_parcel(self):
        logistics = self.users["logistics"]
        order = self.np_order()
        order.with_user(logistics).action_np_create_waybill()
        self.fake.fail_next("np_error", "InternetDocument.delete")
        with self.assertRaisesRegex(UserError, "Internal error"):
            order.with_user(logistics).action_np_delete_waybill()
        self.assertEqual(order.np_waybill_state, "created")

    def test_tracking_reports_deleted_waybill(self):
        """Deleted at NP (by hand in the cabinet): the tracking sync marks it
        deleted and the order may get a new waybill."""
        order = self.order_to_delivery()
        number = order.np_waybill_number
        self.fake.set_status(number, "2")
        self.sync()
        self.assertFalse(order.np_waybill_id)
        self.assertFalse(order.delivery_tracking_ref)
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "created")
        self.assertNotEqual(order.np_waybill_number, number)

    # --------------------------------------------------------- the look-up
    def test_lookup_on_content_without_barcode(self):
        """NP's real list carries no client barcode: the uncertain save is
        found by the waybill's content, and a waybill of another order with
        other content is not taken for it."""
        self.assertFalse(self.fake.list_barcodes)
        order = self.np_order()
        self.fake.fail_next("timeout_after_save", "InternetDocument.save")
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "uncertain")
        made = self.live(order)[0]
        # made in the NP cabinet for another customer: same parcel, other phone
        self.fake.add_waybill(phone="380671234567", barcode="", Content=made["Content"])
        self.run_waybill_cron()
        self.assert_one_live_waybill(order)
        self.assertEqual(order.np_waybill_number, made["Number"])
        self.assertEqual(self.saves(), 1)

    def test_ambiguous_lookup_asks_a_person_and_sends_nothing(self):
        order = self.np_order()
        self.fake.fail_next("timeout_after_save", "InternetDocument.save")
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        # a twin at NP: same content, no barcode in the list
        twin = dict(self.fake.live_waybills(order.name)[0])
        self.fake.add_waybill(
            phone=twin["Phone"], barcode="", Content=twin["Content"], Redelivery="0"
        )
        self.run_waybill_cron()
        waybill = order.np_waybill_id
        self.assertEqual(waybill.state, "uncertain")
        self.assertTrue(waybill.needs_attention)
        self.assertEqual(self.saves(), 1, "never sent again while ambiguous")
        self.assertIn("Check the Nova Poshta waybill", order.activity_ids.mapped("summary"))
        # a person deletes the twin in the NP cabinet and checks again
        self.fake.set_status(self.fake.live_waybills("")[0]["Number"], "2")
        action = waybill.with_user(self.users["logistics"]).action_np_recheck()
        self.assertEqual(action["params"]["type"], "success")
        self.assert_one_live_waybill(order)

    def test_attempts_exhausted_need_a_person(self):
        order = self.order_to_delivery(run_cron=False)
        self.fake.fail_next("503", "InternetDocument.save", times=8)
        for _run in range(10):
            self.run_waybill_cron()
        waybill = order.np_waybill_id
        self.assertTrue(waybill.needs_attention)
        self.assertIn("HTTP 503", waybill.error_message)
        action = self.env.ref("delivery_novaposhta.novaposhta_waybill_action_attention")
        self.assertEqual(action.res_model, "novaposhta.waybill")
        self.fake.failures.clear()
        waybill.with_user(self.users["logistics"]).action_np_recheck()
        self.assert_one_live_waybill(order)
        with self.assertRaises(UserError):
            waybill.with_user(self.users["support"]).action_np_recheck()
