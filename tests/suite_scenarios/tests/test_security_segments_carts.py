"""The customer segments (crm_rf_segments) and the abandoned-cart reminders
(website_sale_cart_recovery) attacked over JSON-RPC by the demo user of each
role: their models read, written, created and deleted; every public method
called, with forged context keys; the facts only the system sets written;
the Marketer reaching beyond the campaign rules' condition and timing, the
segments' templates and the contacts' marketing fields."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.access_roles.tests.common import ROLES

from .security_common import FORGED_TEXT as FORGED
from .security_common import SecurityCase

API_GROUP = "website_sale_cart_recovery.group_cart_recovery_api"
# Models of the two addons only the system writes (no role creates or deletes
# their records).
SYSTEM_MODELS = (
    "rf.customer",
    "rf.segment.visit",
    "rf.segment.message",
    "sale.cart.recovery",
)


@tagged("post_install", "-at_install")
class TestSecuritySegmentsCarts(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # A customer with a completed order: a customer record and its visit
        # of a segment, with a campaign message logged.
        cls.rf_partner = env["res.partner"].create(
            {"name": "Oksana Segment", "mobile": "+380501110077", "customer_rank": 1}
        )
        cls.rf_order = cls._make_order(cls.users["sales"], cls.rf_partner)
        cls._confirm(cls.rf_order, "done")
        env["rf.customer"]._rf_recompute()
        cls.rf_customer = env["rf.customer"].search([("partner_id", "=", cls.rf_partner.id)])
        cls.rf_visit = cls.rf_customer.visit_ids[:1]
        cls.rf_message = env["rf.segment.message"].create(
            {"visit_id": cls.rf_visit.id, "state": "skipped", "reason": "set-up"}
        )
        cls.rf_settings = env["rf.settings"]._rf_for_company(cls.company)
        cls.segment = env.ref("crm_rf_segments.segment_new")
        cls.campaign = env.ref("crm_rf_segments.automation_segment_new_entry")
        cls.order_rule = env["base.automation"].search(
            [("model_id.model", "=", "sale.order")], limit=1
        )
        # An abandoned website cart and its reminder chain.
        cls.website = env["website"].search([("company_id", "=", cls.company.id)], limit=1) or env[
            "website"
        ].create({"name": "H-Sec shop", "company_id": cls.company.id})
        cls.cart = env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "website_id": cls.website.id,
                "order_line": [Command.create({"product_id": cls.product.id})],
            }
        )
        cls.recovery = env["sale.cart.recovery"].create(
            env["sale.cart.recovery"]._cart_vals(cls.cart)
        )
        cls.step = env["sale.cart.recovery.step"].search([], limit=1)
        cls.product.default_code = "H-SEC-KETTLE"
        cls.archived_product = env["product.product"].create(
            {"name": "H-Sec archived", "default_code": "H-SEC-GONE", "active": False}
        )
        # The technical user of the other site, and a company it is not in.
        cls.api_user = new_test_user(
            env,
            login="h_sec_cart_api",
            groups=f"base.group_user,{API_GROUP}",
            company_id=cls.company.id,
        )
        cls.other_company = env["res.company"].create({"name": "H-Sec Other Company"})

    # ------------------------------------------------------------ helpers
    def fixtures(self):
        return {
            "rf.segment": self.segment,
            "rf.segment.grid": self.env.ref("crm_rf_segments.grid_r1_f1"),
            "rf.customer": self.rf_customer,
            "rf.segment.visit": self.rf_visit,
            "rf.segment.message": self.rf_message,
            "rf.settings": self.rf_settings,
            "sale.cart.recovery": self.recovery,
            "sale.cart.recovery.step": self.step,
            "sale.cart.recovery.report": self.env["sale.cart.recovery.report"].search([], limit=1),
        }

    def system_fields(self, record):
        return [
            name
            for name in record._access_system_only_fields()
            if record._fields[name].store and not record._fields[name].related
        ]

    def assertWriteRefused(self, role, record, vals, msg=""):
        names = list(vals)
        with self.rolled_back():
            before = self.snapshot(record, names)
            answer = self.call(role, record._name, "write", record.ids, vals)
            after = self.snapshot(record, names)
        self.assertEqual(before, after, f"{msg}{role} changed {names} of {record._name}")
        self.assertRefused(answer, f"{msg}{role} writes {names} of {record._name}")

    def api_cart(self, values, context=None, user=None):
        return self.call(
            user or self.api_user, "sale.cart.recovery", "api_create_cart", values, context=context
        )

    def cart_values(self, **values):
        return dict(
            {
                "phone": "+380671234580",
                "name": "H-Sec API buyer",
                "lines": [{"default_code": "H-SEC-KETTLE", "qty": 2}],
            },
            **values,
        )

    # --------------------------------------------------------- the models
    def test_models_per_role(self):
        """Read as the access rights say; no role creates or deletes what
        the system records; nothing of a system-only record is written."""
        for model_name, record in self.fixtures().items():
            for role in ROLES:
                with self.subTest(model=model_name, role=role):
                    answer = self.call(role, model_name, "search_read", [], ["display_name"])
                    if self.can(role, model_name, "read"):
                        self.assertAccepted(answer)
                    else:
                        self.assertRefused(answer)
                    if (
                        model_name not in SYSTEM_MODELS
                        and model_name != "sale.cart.recovery.report"
                    ):
                        continue
                    with self.rolled_back():
                        before = self.system_state()
                        count = self.env[model_name].sudo().search_count([])
                        self.assertRefused(
                            self.call(role, model_name, "unlink", record.ids), "unlink"
                        )
                        self.assertRefused(self.call(role, model_name, "create", {}), "create")
                        self.assertRefused(self.call(role, model_name, "copy", record.ids), "copy")
                        self.assertEqual(self.env[model_name].sudo().search_count([]), count)
                        self.assertEqual(self.state_diff(before, self.system_state()), [])

    def test_system_only_fields_for_every_role(self):
        """Segments, visits, messages, results and recovered amounts: refused
        to every role, Administrator included, on write and on create."""
        for model_name in (*SYSTEM_MODELS, "rf.settings"):
            record = self.fixtures()[model_name]
            for name in self.system_fields(record):
                value = self.forged(record, name)
                if value is None:
                    continue
                for role in ROLES:
                    with self.subTest(model=model_name, field=name, role=role):
                        self.assertWriteRefused(role, record, {name: value})
                with self.subTest(model=model_name, field=name, create=True), self.rolled_back():
                    count = self.env[model_name].sudo().search_count([])
                    self.assertRefused(
                        self.call("administrator", model_name, "create", {name: value})
                    )
                    self.assertEqual(self.env[model_name].sudo().search_count([]), count)

    def test_segment_figures_through_relations(self):
        """The segment's customers and the customer's visits are no side door
        to the records the system keeps."""
        for role in ("administrator", "marketer"):
            for vals in (
                {"customer_ids": [Command.link(self.rf_customer.id)]},
                {"customer_ids": [Command.unlink(self.rf_customer.id)]},
                {"customer_ids": [Command.create({"key": "forged", "frequency": 99})]},
            ):
                with self.subTest(role=role, vals=vals):
                    self.assertWriteRefused(
                        role, self.env.ref("crm_rf_segments.segment_lost"), vals
                    )
            self.assertWriteRefused(
                role, self.rf_customer, {"visit_ids": [Command.unlink(self.rf_visit.id)]}
            )

    # --------------------------------------------------- public methods
    def test_api_create_cart_is_for_the_api_group_only(self):
        for role in ROLES:
            for context in (
                {},
                {"allowed_company_ids": [self.company.id, self.other_company.id]},
                {"active_test": False, "default_state": "sale"},
            ):
                with self.subTest(role=role, context=context), self.rolled_back():
                    before = self.system_state()
                    self.assertRefused(self.api_cart(self.cart_values(), context, self.users[role]))
                    self.assertEqual(self.state_diff(before, self.system_state()), [])
        # Through the external API too.
        answer = self.execute_kw(
            "sales", "sale.cart.recovery", "api_create_cart", [self.cart_values()]
        )
        self.assertRefused(answer)

    def test_api_create_cart_ignores_the_callers_context(self):
        """What the API user's context says is recorded nowhere: not as
        defaults of the order, its lines, the contact or the reminder chain,
        not by hiding the chatter, not with archived products."""
        forged_context = {
            "default_note": FORGED,
            "default_client_order_ref": FORGED,
            "default_user_id": self.users["administrator"].id,
            "default_discount": 100.0,
            "default_price_unit": 1.0,
            "default_state": "recovered",
            "default_recovered_amount": 9999.0,
            "default_comment": FORGED,
            "default_rf_marketing_opt_out": True,
            "default_order_notify_channel": "none",
            "tracking_disable": True,
            "mail_create_nolog": True,
        }
        with self.rolled_back():
            result = self.assertAccepted(
                self.api_cart(self.cart_values(external_id="h-sec-ctx-1"), forged_context)
            )
            recovery = self.env["sale.cart.recovery"].sudo().browse(result["cart_id"])
            order = recovery.order_id
            partner = order.partner_id
            self.assertEqual(recovery.state, "open")
            self.assertEqual(recovery.recovered_amount, 0.0)
            self.assertNotEqual(order.client_order_ref, FORGED)
            self.assertNotIn(FORGED, str(order.note or ""))
            self.assertNotEqual(order.user_id, self.users["administrator"])
            self.assertEqual(order.order_line.discount, 0.0)
            self.assertNotEqual(order.order_line.price_unit, 1.0)
            self.assertNotIn(FORGED, str(partner.comment or ""))
            self.assertFalse(partner.rf_marketing_opt_out)
            self.assertNotEqual(partner.order_notify_channel, "none")
            self.assertTrue(order.message_ids, "the order's creation is in its chatter")
        with self.rolled_back():
            answer = self.api_cart(
                self.cart_values(lines=[{"default_code": "H-SEC-GONE"}]), {"active_test": False}
            )
            self.assertRefused(answer, "an archived product")
        with self.rolled_back():
            answer = self.api_cart(
                self.cart_values(), {"allowed_company_ids": [self.other_company.id]}
            )
            self.assertRefused(answer, "a company the API user is not in")

    def test_settings_and_segment_actions(self):
        for role in ROLES:
            with self.subTest(role=role), self.rolled_back():
                answer = self.call(role, "rf.settings", "action_open_settings")
                if self.can(role, "rf.settings", "write"):
                    self.assertEqual(self.assertAccepted(answer)["res_id"], self.rf_settings.id)
                else:
                    self.assertRefused(answer)
                answer = self.call(
                    role,
                    "rf.settings",
                    "action_open_settings",
                    context={"allowed_company_ids": [self.other_company.id]},
                )
                self.assertRefused(answer, "another company's settings")
                answer = self.call(role, "rf.segment", "action_view_customers", self.segment.ids)
                if self.can(role, "rf.segment", "read"):
                    self.assertAccepted(answer)
                else:
                    self.assertRefused(answer)
        self.assertFalse(
            self.env["rf.settings"].sudo().search([("company_id", "=", self.other_company.id)])
        )

    def test_visit_chatter_is_read_only(self):
        for role in ROLES:
            with self.subTest(role=role), self.rolled_back():
                count = len(self.rf_visit.sudo().message_ids)
                answer = self.call(
                    role, "rf.segment.visit", "message_post", self.rf_visit.ids, body=FORGED
                )
                self.assertRefused(answer)
                self.rf_visit.invalidate_recordset()
                self.assertEqual(len(self.rf_visit.sudo().message_ids), count)

    # ------------------------------------------------------ the Marketer
    def test_marketer_tunes_campaign_rules_only(self):
        campaign = self.campaign
        # Condition and timing.
        with self.rolled_back():
            self.assertAccepted(
                self.call(
                    "marketer",
                    "base.automation",
                    "write",
                    campaign.ids,
                    {
                        "name": "Welcome",
                        "active": True,
                        "filter_domain": "[('segment_id.code', '=', 'new')]",
                        "trg_date_range": 3,
                    },
                )
            )
        # Never what the rule runs, on which model, on which trigger.
        for vals in (
            {"model_id": self.env.ref("sale.model_sale_order").id},
            {"trigger": "on_write"},
            {"action_server_ids": [Command.clear()]},
            {"filter_pre_domain": "[('id', '!=', 0)]"},
            {"trg_date_range_type": "month", "trigger": "on_time"},
            {"webhook_uuid": FORGED},
            {"name": "x", "model_id": self.env.ref("sale.model_sale_order").id},
        ):
            with self.subTest(vals=vals):
                self.assertWriteRefused("marketer", campaign, vals)
        self.assertRefused(
            self.call("marketer", "base.automation", "action_rotate_webhook_uuid", campaign.ids)
        )
        self.assertRefused(self.call("marketer", "base.automation", "copy", campaign.ids))
        self.assertRefused(self.call("marketer", "base.automation", "unlink", campaign.ids))
        # The order flow's rules are out of sight and out of reach.
        found = self.assertAccepted(
            self.call(
                "marketer",
                "base.automation",
                "search_read",
                [],
                ["name"],
                context={"active_test": False},
            )
        )
        campaigns = (
            self.env["base.automation"]
            .with_context(active_test=False)
            .search([("model_id.model", "=", "rf.segment.visit")])
        )
        self.assertTrue(found)
        self.assertLessEqual({row["id"] for row in found}, set(campaigns.ids))
        for method, args in (
            ("read", [self.order_rule.ids, ["name", "filter_domain"]]),
            ("write", [self.order_rule.ids, {"active": False}]),
            ("write", [self.order_rule.ids, {"filter_domain": "[('id', '=', 0)]"}]),
            ("toggle_active", [self.order_rule.ids]),
        ):
            with self.subTest(method=method, args=args), self.rolled_back():
                before = self.snapshot(self.order_rule, ["active", "filter_domain"])
                self.assertRefused(self.call("marketer", "base.automation", method, *args))
                self.assertEqual(
                    self.snapshot(self.order_rule, ["active", "filter_domain"]), before
                )

    def test_marketer_condition_runs_no_code(self):
        """Odoo evaluates a condition that is not a plain domain as Python
        when the rule runs (as superuser): the Marketer writes plain domains
        only, of fields the Marketer may read."""
        admin_group = self.env.ref("base.group_system")
        marketer = self.users["marketer"]
        for text in (
            # makes the Marketer an administrator when a customer enters "New"
            "[('id', '!=', model.sudo().env['res.users'].browse(%d).write("
            "{'groups_id': [(4, %d)]}) and 0)]" % (marketer.id, admin_group.id),
            "[('id', '!=', user.sudo().id)]",
            "[('date_in', '<', time.strftime('%Y-%m-%d'))]",
            # the orders' amounts, which the Marketer may not see
            "[('partner_id.sale_order_ids.amount_total', '>', 1000)]",
            "not a domain",
        ):
            with self.subTest(text=text), self.rolled_back():
                answer = self.call(
                    "marketer",
                    "base.automation",
                    "write",
                    self.campaign.ids,
                    {"active": True, "filter_domain": text},
                )
                # Whatever was written, a customer entering the segment now
                # gives the Marketer no right.
                partner = self.env["res.partner"].create({"name": "H-Sec Newcomer"})
                self._confirm(self._make_order(self.users["sales"], partner), "done")
                self.env["rf.customer"]._rf_recompute()
                self.assertNotIn(admin_group, marketer.sudo().groups_id)
                self.assertRefused(answer)
        # An administrator still writes expressions.
        with self.rolled_back():
            self.assertAccepted(
                self.call(
                    "administrator",
                    "base.automation",
                    "write",
                    self.campaign.ids,
                    {"filter_domain": "[('date_in', '<', time.strftime('%Y-%m-%d'))]"},
                )
            )

    def test_marketer_segment_templates_of_segments_only(self):
        """A template of orders chosen for a segment would be rendered as
        superuser on the orders with the visits' ids, into the visit's
        messages the Marketer reads: refused."""
        order_sms = self.env["sms.template"].search([("model", "=", "sale.order")], limit=1)
        order_mail = self.env["mail.template"].search([("model", "=", "sale.order")], limit=1)
        partner_sms = self.env["sms.template"].create(
            {
                "name": "H-Sec partner SMS",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body": "{{ object.name }}",
            }
        )
        for role in ("marketer", "administrator"):
            for vals in (
                {"sms_template_id": order_sms.id},
                {"mail_template_id": order_mail.id},
                {"sms_template_id": partner_sms.id},
            ):
                with self.subTest(role=role, vals=vals):
                    self.assertWriteRefused(role, self.segment, vals)
        # A template the Marketer makes for orders, placeholders only.
        with self.rolled_back():
            template_id = self.assertAccepted(
                self.call(
                    "marketer",
                    "sms.template",
                    "create",
                    {
                        "name": "H-Sec order amounts",
                        "model_id": self.env.ref("sale.model_sale_order").id,
                        "body": "{{ object.name }} {{ object.amount_total_text }}",
                    },
                )
            )
            self.assertWriteRefused("marketer", self.segment, {"sms_template_id": template_id})
        # The segment's own templates stay allowed.
        with self.rolled_back():
            own = self.env.ref("crm_rf_segments.sms_template_segment_loyal")
            self.assertAccepted(
                self.call(
                    "marketer", "rf.segment", "write", self.segment.ids, {"sms_template_id": own.id}
                )
            )

    def test_cart_steps_use_order_templates_only(self):
        visit_sms = self.env.ref("crm_rf_segments.sms_template_segment_new")
        for role in ("manager", "administrator"):
            with self.subTest(role=role):
                self.assertWriteRefused(role, self.step, {"sms_template_id": visit_sms.id})
        for role in ("marketer", "sales", "support", "logistics", "accountant", "purchaser"):
            with self.subTest(role=role):
                self.assertWriteRefused(role, self.step, {"delay_hours": 99.0})

    def test_marketer_sees_no_order_financials(self):
        marketer = "marketer"
        for method, args, kwargs in (
            ("read", [self.rf_order.ids, ["amount_total"]], {}),
            ("search_read", [[("id", "=", self.rf_order.id)], ["amount_total"]], {}),
            (
                "read_group",
                [[], ["amount_total:sum"], ["partner_id"]],
                {},
            ),
        ):
            with self.subTest(method=method):
                self.assertRefused(self.call(marketer, "sale.order", method, *args, **kwargs))
        self.assertRefused(
            self.call(
                marketer, "sale.cart.recovery", "read", self.recovery.ids, ["recovered_amount"]
            )
        )
        # The cart's recovery link is no way in either.
        self.assertRefused(
            self.call(marketer, "sale.order", "read", self.cart.ids, ["cart_recovery_url"])
        )
        # Aggregated figures: the results and the segments.
        self.assertAccepted(
            self.call(
                marketer, "sale.cart.recovery.report", "search_read", [], ["recovered_amount"]
            )
        )
        segments = self.assertAccepted(
            self.call(marketer, "rf.segment", "read", self.segment.ids, ["revenue"])
        )
        self.assertTrue(segments)

    def test_marketing_opt_out(self):
        """The customer's opt-out is no Marketer's to undo, nor any role's
        that may not edit the contact's other fields."""
        with self.rolled_back():
            self.rf_partner.rf_marketing_opt_out = True
            self.env.flush_all()
            for role in ("marketer", "support", "logistics", "accountant", "purchaser"):
                with self.subTest(role=role):
                    self.assertWriteRefused(role, self.rf_partner, {"rf_marketing_opt_out": False})

    def test_no_order_moved_in_or_out_of_the_website(self):
        """The order flow's rules leave a website's open cart alone: no role
        turns a quotation into a cart (out of reach of its status' rules and
        time limits, into the reminders) nor a cart into a quotation."""
        for role in ROLES:
            with self.subTest(role=role, order="quotation"):
                self.assertWriteRefused(role, self.order_new, {"website_id": self.website.id})
            with self.subTest(role=role, order="cart"):
                self.assertWriteRefused(role, self.cart, {"website_id": False})
            with self.subTest(role=role, create=True), self.rolled_back():
                answer = self.call(
                    role,
                    "sale.order",
                    "create",
                    {"partner_id": self.customer.id, "website_id": self.website.id},
                )
                self.assertRefused(answer)
        # A duplicate of a website order is a back-office quotation.
        with self.rolled_back():
            result = self.assertAccepted(self.call("manager", "sale.order", "copy", self.cart.ids))
            copy = self.env["sale.order"].browse(result)
            self.assertTrue(copy)
            self.assertFalse(copy.website_id)
