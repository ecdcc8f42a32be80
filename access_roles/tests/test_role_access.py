"""Every cell of the roles' access matrix (declared in test_access_matrix.py),
acting as a user of the role: what is allowed works, what is refused raises
and changes nothing.

Cells of areas whose models come with later addons (fiscal receipts, carrier
waybills, SMS/Viber message log, purchases) are tested in those addons."""

from odoo import Command
from odoo.tests import tagged

from .common import ROLES, AccessRolesCommon

ROLES_BUT_ADMIN = ROLES[1:]


@tagged("post_install", "-at_install")
class TestSalesOrders(AccessRolesCommon):
    def test_administrator(self):
        order = self.as_role(self.order_draft, "administrator")
        order.client_order_ref = "ADM"
        new = order.create({"partner_id": self.customer.id})
        self.assertAllowed(new.unlink)

    def test_manager(self):
        orders = self.env["sale.order"].with_user(self.users["manager"]).search([])
        self.assertIn(self.order_other, orders, "the manager sees every order")
        order = self.as_role(self.order_other, "manager")
        order.client_order_ref = "MGR"
        self.assertEqual(self.order_other.client_order_ref, "MGR")
        order.create({"partner_id": self.customer.id})
        self.assertRefused(order.unlink, self.order_other, ["name"])

    def test_sales_own_orders_only(self):
        Order = self.env["sale.order"].with_user(self.users["sales"])
        visible = Order.search([])
        self.assertIn(self.order_draft, visible)
        self.assertIn(self.order_unassigned, visible, "unassigned orders count as own")
        self.assertNotIn(self.order_other, visible)
        self.assertRefused(
            lambda: self.as_role(self.order_other, "sales").read(["name"]),
            msg="reading a colleague's order",
        )
        self.assertRefused(
            lambda: self.as_role(self.order_other, "sales").write({"client_order_ref": "X"}),
            self.order_other,
            ["client_order_ref"],
        )
        self.as_role(self.order_draft, "sales").client_order_ref = "OWN"
        self.assertEqual(self.order_draft.client_order_ref, "OWN")
        created = Order.create({"partner_id": self.customer.id})
        self.assertEqual(created.user_id, self.users["sales"])
        self.assertRefused(
            self.as_role(self.order_draft, "sales").unlink, self.order_draft, ["name"]
        )

    def test_multi_company_rules_stay_in_force(self):
        """A role that sees every order still sees only its companies' orders."""
        other_company = self.env["res.company"].create({"name": "Other shop"})
        foreign = (
            self.env["sale.order"]
            .with_company(other_company)
            .create({"partner_id": self.customer.id, "company_id": other_company.id})
        )
        for role in ("manager", "accountant", "support"):
            with self.subTest(role=role):
                Order = self.env["sale.order"].with_user(self.users[role])
                self.assertNotIn(foreign, Order.search([]))
                self.assertRefused(lambda role=role: self.as_role(foreign, role).read(["name"]))

    def test_sales_cancels_own_confirmed_order(self):
        order = self.as_role(self.order_confirmed, "sales")
        if "operator_comment" in order._fields:  # the order flow asks why
            order.operator_comment = "The customer cancelled by phone"
        order._action_cancel()
        self.assertEqual(self.order_confirmed.state, "cancel")
        self.assertEqual(set(self.order_confirmed.picking_ids.mapped("state")), {"cancel"})

    def test_logistics_confirmed_orders_only(self):
        Order = self.env["sale.order"].with_user(self.users["logistics"])
        visible = Order.search([])
        self.assertIn(self.order_confirmed, visible)
        self.assertNotIn(self.order_draft, visible, "quotations are not for the warehouse")
        order = self.as_role(self.order_confirmed, "logistics")
        order.write({"carrier_id": self.carrier.id, "commitment_date": "2026-12-01 10:00:00"})
        self.assertEqual(self.order_confirmed.carrier_id, self.carrier)
        self.assertRefused(
            lambda: order.write({"client_order_ref": "LOG"}),
            self.order_confirmed,
            ["client_order_ref"],
        )
        self.assertRefused(lambda: Order.create({"partner_id": self.customer.id}))

    def test_accountant_reads_all_changes_payment_terms_only(self):
        order = self.as_role(self.order_other, "accountant")
        self.assertEqual(order.partner_id, self.other_customer)
        term = self.env.ref("account.account_payment_term_immediate")
        order.payment_term_id = term
        self.assertEqual(self.order_other.payment_term_id, term)
        self.assertRefused(
            lambda: order.write({"client_order_ref": "ACC"}), self.order_other, ["client_order_ref"]
        )
        self.assertRefused(
            lambda: (
                self.env["sale.order"]
                .with_user(self.users["accountant"])
                .create({"partner_id": self.customer.id})
            )
        )

    def test_marketer_and_purchaser_see_no_orders(self):
        for role in ("marketer", "purchaser"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.order_draft, role).read(["name"])
                )
                self.assertRefused(
                    lambda role=role: self.env["sale.order"].with_user(self.users[role]).search([])
                )

    def test_support_reads_and_adds_notes_only(self):
        order = self.as_role(self.order_other, "support")
        self.assertEqual(order.amount_total, self.order_other.amount_total)
        order.message_post(body="Customer called about the delivery", message_type="comment")
        self.assertIn("Customer called", self.order_other.message_ids[0].body)
        self.assertRefused(
            lambda: order.write({"client_order_ref": "SUP"}), self.order_other, ["client_order_ref"]
        )
        self.assertRefused(
            lambda: (
                self.env["sale.order"]
                .with_user(self.users["support"])
                .create({"partner_id": self.customer.id})
            )
        )


@tagged("post_install", "-at_install")
class TestOrderPrices(AccessRolesCommon):
    LINE_FIELDS = ["price_unit", "discount", "product_uom_qty"]

    def test_administrator_and_manager_change_prices_at_any_status(self):
        for role in ("administrator", "manager"):
            with self.subTest(role=role):
                line = self.as_role(self.order_confirmed.order_line, role)
                line.price_unit = 900 if role == "manager" else 950
                self.assertEqual(self.order_confirmed.order_line.price_unit, line.price_unit)

    def test_sales_changes_prices_only_before_assembly(self):
        draft_line = self.as_role(self.order_draft.order_line, "sales")
        draft_line.write({"price_unit": 990, "discount": 5})
        self.assertEqual(self.order_draft.order_line.discount, 5)
        confirmed = self.as_role(self.order_confirmed, "sales")
        self.assertRefused(
            lambda: confirmed.order_line.write({"price_unit": 1}),
            self.order_confirmed.order_line,
            self.LINE_FIELDS,
        )
        self.assertRefused(
            lambda: confirmed.write(
                {"order_line": [Command.create({"product_id": self.product.id, "price_unit": 1})]}
            ),
            self.order_confirmed,
            ["order_line", "amount_total"],
        )
        self.assertRefused(confirmed.order_line.unlink, self.order_confirmed, ["order_line"])

    def test_logistics_reads_quantities_only(self):
        line = self.as_role(self.order_confirmed.order_line, "logistics")
        self.assertEqual(line.product_uom_qty, 2)
        self.assertRefused(
            lambda: line.write({"product_uom_qty": 1}),
            self.order_confirmed.order_line,
            self.LINE_FIELDS,
        )

    def test_accountant_and_support_read_prices_only(self):
        for role in ("accountant", "support"):
            with self.subTest(role=role):
                line = self.as_role(self.order_confirmed.order_line, role)
                self.assertEqual(line.price_unit, 1000)
                self.assertRefused(
                    lambda line=line: line.write({"price_unit": 1}),
                    self.order_confirmed.order_line,
                    self.LINE_FIELDS,
                )

    def test_marketer_and_purchaser_see_no_lines(self):
        for role in ("marketer", "purchaser"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.order_confirmed.order_line, role).read(
                        ["price_unit"]
                    )
                )


@tagged("post_install", "-at_install")
class TestCustomers(AccessRolesCommon):
    def test_administrator(self):
        Partner = self.env["res.partner"].with_user(self.users["administrator"])
        partner = Partner.create({"name": "New customer"})
        partner.phone = "+380990000000"
        self.assertAllowed(partner.unlink)

    def test_manager_and_sales_no_delete(self):
        for role in ("manager", "sales"):
            with self.subTest(role=role):
                Partner = self.env["res.partner"].with_user(self.users[role])
                partner = Partner.create({"name": f"Created by {role}", "customer_rank": 1})
                partner.email = f"{role}@customer.example"
                self.assertRefused(partner.unlink, partner, ["name"])

    def test_logistics_and_accountant_read_only(self):
        for role in ("logistics", "accountant"):
            with self.subTest(role=role):
                customer = self.as_role(self.customer, role)
                self.assertEqual(customer.phone, "+380501112233")
                self.assertTrue(customer.read(["name", "phone", "street", "city"]))
                self.assertRefused(
                    lambda customer=customer: customer.write({"phone": "0"}),
                    self.customer,
                    ["phone"],
                )
                self.assertRefused(
                    lambda role=role: (
                        self.env["res.partner"].with_user(self.users[role]).create({"name": "X"})
                    )
                )

    def test_marketer_segments_only(self):
        customer = self.as_role(self.customer, "marketer")
        customer.category_id = [Command.link(self.segment.id)]
        self.assertIn(self.segment, self.customer.category_id)
        self.env["res.partner.category"].with_user(self.users["marketer"]).create(
            {"name": "Newsletter"}
        )
        self.assertRefused(
            lambda: customer.write({"phone": "+380000000000"}), self.customer, ["phone", "name"]
        )

    def test_support_phone_and_notes_only(self):
        customer = self.as_role(self.customer, "support")
        customer.write({"phone": "+380509998877", "comment": "<p>Prefers calls after 18:00</p>"})
        self.assertEqual(self.customer.phone, "+380509998877")
        self.assertRefused(lambda: customer.write({"name": "Renamed"}), self.customer, ["name"])
        self.assertRefused(
            lambda: self.env["res.partner"].with_user(self.users["support"]).create({"name": "X"})
        )

    def test_purchaser_sees_vendors_not_customers(self):
        Partner = self.env["res.partner"].with_user(self.users["purchaser"])
        visible = Partner.search([("id", "in", (self.customer | self.vendor).ids)])
        self.assertEqual(visible, self.vendor)
        self.assertRefused(lambda: self.as_role(self.customer, "purchaser").read(["name"]))


@tagged("post_install", "-at_install")
class TestProducts(AccessRolesCommon):
    def test_administrator(self):
        Product = self.env["product.template"].with_user(self.users["administrator"])
        product = Product.create({"name": "Toaster"})
        product.list_price = 10
        self.assertAllowed(product.unlink)

    def test_manager_read_write_no_create(self):
        product = self.as_role(self.product.product_tmpl_id, "manager")
        product.list_price = 1200
        self.assertEqual(self.product.list_price, 1200)
        self.assertRefused(
            lambda: (
                self.env["product.template"].with_user(self.users["manager"]).create({"name": "X"})
            )
        )

    def test_read_only_roles(self):
        for role in ("sales", "logistics", "accountant", "marketer", "support"):
            with self.subTest(role=role):
                product = self.as_role(self.product.product_tmpl_id, role)
                self.assertEqual(product.name, "Kettle")
                self.assertRefused(
                    lambda product=product: product.write({"list_price": 1}),
                    self.product.product_tmpl_id,
                    ["list_price"],
                )


@tagged("post_install", "-at_install")
class TestCost(AccessRolesCommon):
    def test_cost_visible_to_the_roles_that_may_see_it(self):
        for role in ("administrator", "manager", "accountant", "purchaser"):
            with self.subTest(role=role):
                product = self.as_role(self.product, role)
                self.assertEqual(product.read(["standard_price"])[0]["standard_price"], 600)

    def test_cost_hidden_from_other_roles(self):
        for role in ("sales", "logistics", "marketer", "support"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.product, role).read(["standard_price"])
                )
                fields = self.env["product.template"].with_user(self.users[role]).fields_get()
                self.assertNotIn("standard_price", fields)


@tagged("post_install", "-at_install")
class TestStock(AccessRolesCommon):
    def _new_picking_vals(self):
        picking_type = self.env.ref("stock.picking_type_out")
        return {
            "picking_type_id": picking_type.id,
            "location_id": picking_type.default_location_src_id.id,
            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
        }

    def test_administrator(self):
        Picking = self.env["stock.picking"].with_user(self.users["administrator"])
        picking = Picking.create(self._new_picking_vals())
        picking.origin = "ADM"
        self.assertAllowed(picking.unlink)

    def test_logistics_create_write_no_delete(self):
        Picking = self.env["stock.picking"].with_user(self.users["logistics"])
        picking = Picking.create(self._new_picking_vals())
        picking.origin = "LOG"
        self.assertRefused(picking.unlink, picking, ["origin"])
        self.as_role(self.picking, "logistics").origin = "Packed"
        self.assertEqual(self.picking.origin, "Packed")

    def test_read_only_roles(self):
        for role in ("manager", "sales", "accountant", "support"):
            with self.subTest(role=role):
                picking = self.as_role(self.picking, role)
                self.assertEqual(picking.sale_id, self.order_confirmed)
                self.assertRefused(
                    lambda picking=picking: picking.write(
                        {"origin": f"by {picking.env.user.login}"}
                    ),
                    self.picking,
                    ["origin"],
                )
                self.assertRefused(
                    lambda role=role: (
                        self.env["stock.picking"]
                        .with_user(self.users[role])
                        .create(self._new_picking_vals())
                    )
                )

    def test_marketer_sees_no_transfers(self):
        self.assertRefused(lambda: self.as_role(self.picking, "marketer").read(["name"]))


@tagged("post_install", "-at_install")
class TestInvoices(AccessRolesCommon):
    def test_administrator_and_accountant(self):
        for role in ("administrator", "accountant"):
            with self.subTest(role=role):
                Move = self.env["account.move"].with_user(self.users[role])
                invoice = Move.create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.customer.id,
                        "invoice_line_ids": [
                            Command.create({"product_id": self.product.id, "price_unit": 10})
                        ],
                    }
                )
                invoice.action_post()
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(
                    self.as_role(self.invoice_other, role).amount_total,
                    self.invoice_other.amount_total,
                )

    def test_manager_reads_all(self):
        invoice = self.as_role(self.invoice_other, "manager")
        self.assertEqual(invoice.partner_id, self.other_customer)
        self.assertRefused(lambda: invoice.write({"ref": "MGR"}), self.invoice_other, ["ref"])

    def test_sales_reads_own_orders_invoices(self):
        self.assertEqual(self.as_role(self.invoice_own, "sales").partner_id, self.customer)
        self.assertRefused(lambda: self.as_role(self.invoice_other, "sales").read(["name"]))
        self.assertRefused(
            lambda: self.as_role(self.invoice_own, "sales").write({"ref": "S"}),
            self.invoice_own,
            ["ref"],
        )

    def test_sales_reads_no_invoice_of_others_without_salesperson(self):
        """“Own orders' invoices”: an invoice that has no salesperson is not
        the Sales Manager's unless it comes from one of his (or an unassigned)
        order."""
        manual = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.other_customer.id,
                "invoice_user_id": False,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product.id, "price_unit": 10})
                ],
            }
        )
        manual.action_post()
        self.assertFalse(manual.invoice_user_id)
        Move = self.env["account.move"].with_user(self.users["sales"])
        self.assertNotIn(manual, Move.search([("move_type", "=", "out_invoice")]))
        self.assertRefused(lambda: self.as_role(manual, "sales").read(["name"]))
        self.assertRefused(lambda: self.as_role(manual.line_ids, "sales").read(["name"]))
        # the invoice of an unassigned order is his to read
        self.order_unassigned.action_confirm()
        unassigned_invoice = self._make_invoice(self.order_unassigned)
        self.assertFalse(unassigned_invoice.invoice_user_id)
        self.assertEqual(self.as_role(unassigned_invoice, "sales").partner_id, self.customer)
        self.assertIn(unassigned_invoice, Move.search([("move_type", "=", "out_invoice")]))
        self.assertIn(self.invoice_own, Move.search([("move_type", "=", "out_invoice")]))

    def test_no_invoices_for_other_roles(self):
        for role in ("logistics", "marketer", "support", "purchaser"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.invoice_own, role).read(["name"])
                )


@tagged("post_install", "-at_install")
class TestTemplatesAutomationStatuses(AccessRolesCommon):
    def test_administrator_edits_automation_and_status_rights(self):
        right = self.env.ref("access_roles.status_right_support_ready_to_wait")
        self.as_role(right, "administrator").delivery_kind = "courier"
        self.assertEqual(right.delivery_kind, "courier")
        Automation = self.env["base.automation"].with_user(self.users["administrator"])
        rule = Automation.create(
            {
                "name": "Test rule",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "trigger": "on_create",
            }
        )
        self.assertAllowed(rule.unlink)

    def test_manager_reads_only(self):
        right = self.as_role(
            self.env.ref("access_roles.status_right_support_ready_to_wait"), "manager"
        )
        self.assertEqual(right.status_code, "ready_to_wait")
        self.assertRefused(lambda: right.write({"status_code": "done"}), right, ["status_code"])
        Automation = self.env["base.automation"].with_user(self.users["manager"])
        Automation.search([])
        self.assertRefused(
            lambda: Automation.create(
                {
                    "name": "X",
                    "model_id": self.env.ref("sale.model_sale_order").id,
                    "trigger": "on_create",
                }
            )
        )

    def test_marketer_edits_message_templates_only(self):
        model = self.env.ref("sale.model_sale_order")
        sms = (
            self.env["sms.template"]
            .with_user(self.users["marketer"])
            .create({"name": "Promo", "model_id": model.id, "body": "Hello"})
        )
        sms.body = "Hello again"
        mail = self.env["mail.template"].create({"name": "Order mail", "model_id": model.id})
        self.as_role(mail, "marketer").subject = "Your order"
        self.assertEqual(mail.subject, "Your order")
        # the order's automation rules are not his (an addon may give him its
        # own rules, as the customer segments do for their campaigns)
        order_rule = self.env["base.automation"].create(
            {"name": "Order rule", "model_id": model.id, "trigger": "on_create_or_write"}
        )
        marketer_rule = order_rule.with_user(self.users["marketer"])
        self.assertRefused(lambda: marketer_rule.read(["name"]))
        self.assertRefused(lambda: marketer_rule.write({"active": False}), order_rule, ["active"])
        right = self.env.ref("access_roles.status_right_support_ready_to_wait")
        self.assertRefused(
            lambda: self.as_role(right, "marketer").write({"status_code": "x"}),
            right,
            ["status_code"],
        )

    def test_marketer_writes_template_texts_not_their_addresses(self):
        """The Marketer writes texts; where a message goes (recipients, copies,
        sender) is not his to change."""
        model = self.env.ref("sale.model_sale_order")
        mail = self.env["mail.template"].create(
            {"name": "Order mail", "model_id": model.id, "subject": "Hi"}
        )
        marketer_mail = self.as_role(mail, "marketer")
        marketer_mail.write({"subject": "Your order", "body_html": "<p>Thank you!</p>"})
        self.assertEqual(mail.subject, "Your order")
        for vals in (
            {"email_cc": "collector@example.com"},
            {"email_to": "collector@example.com"},
            {"email_from": "boss@example.com"},
            {"partner_to": str(self.customer.id)},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    lambda vals=vals: marketer_mail.write(vals),
                    mail,
                    ["email_cc", "email_to", "email_from", "partner_to"],
                )
        sms = self.env["sms.template"].create({"name": "Promo", "model_id": model.id, "body": "Hi"})
        self.as_role(sms, "marketer").body = "Hello"
        self.assertEqual(sms.body, "Hello")
        self.assertRefused(
            lambda: self.as_role(sms, "marketer").write(
                {"model_id": self.env.ref("base.model_res_partner").id}
            ),
            sms,
            ["model_id"],
        )

    def test_other_roles_have_no_automation_rules(self):
        for role in ("sales", "logistics", "accountant", "support", "purchaser"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: (
                        self.env["base.automation"].with_user(self.users[role]).search([])
                    )
                )
                self.assertRefused(
                    lambda role=role: (
                        self.env["sms.template"]
                        .with_user(self.users[role])
                        .create(
                            {
                                "name": "X",
                                "model_id": self.env.ref("sale.model_sale_order").id,
                                "body": "x",
                            }
                        )
                    )
                )


@tagged("post_install", "-at_install")
class TestSettingsUsersCredentials(AccessRolesCommon):
    def test_administrator_manages_settings_and_users(self):
        admin = self.users["administrator"]
        settings = self.env["res.config.settings"].with_user(admin).create({})
        settings.execute()
        self.as_role(self.users["support"], "administrator").name = "Renamed support"
        self.assertEqual(self.users["support"].name, "Renamed support")

    def test_nobody_else(self):
        for role in ROLES_BUT_ADMIN:
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: (
                        self.env["res.config.settings"].with_user(self.users[role]).create({})
                    )
                )
                self.assertRefused(
                    lambda role=role: self.as_role(self.users["support"], role).write(
                        {"login": "x"}
                    ),
                    self.users["support"],
                    ["login"],
                )
                self.assertRefused(
                    lambda role=role: self.as_role(self.users["support"], role).write(
                        {"groups_id": [Command.link(self.env.ref("base.group_system").id)]}
                    ),
                    self.users["support"],
                    ["groups_id"],
                )
