"""What a store role can and cannot do to Nova Poshta data, whatever the
channel (the ORM as JSON-RPC calls it): fields only the system sets, the
public methods, the API key."""

import logging
from contextlib import closing
from datetime import date

from odoo import Command, fields, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import NovaPoshtaCommon
from .fake_novaposhta import VALID_KEY

ADDON = "odoo.addons.delivery_novaposhta."


def other_value(record, name):
    """A value different from the record's for field ``name``."""
    field = record._fields[name]
    current = record[name]
    if field.type == "many2one":
        other = record.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
        return other.id or False
    if field.type == "selection":
        values = [key for key, _label in field._description_selection(record.env)]
        return next(key for key in values if key != current)
    if field.type == "boolean":
        return not current
    if field.type in ("float", "monetary"):
        return 1000000.0
    if field.type == "integer":
        return (current or 0) + 7
    if field.type == "date":
        return date(2031, 1, 1)
    if field.type == "datetime":
        return fields.Datetime.to_datetime("2031-01-01 10:00:00")
    return "20459999999999"


@tagged("post_install", "-at_install")
class TestSecurity(NovaPoshtaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logistics = cls.users["logistics"]

    def roles_that_can(self, records, operation):
        return {
            role: user
            for role, user in self.users.items()
            if records.with_user(user).has_access(operation)
        }

    def assert_refused(self, records, vals):
        """``vals`` refused (AccessError or the order flow's UserError), the
        records unchanged."""
        before = records.sudo().read(list(vals))
        with self.assertRaises(UserError), self.env.cr.savepoint():  # AccessError too
            records.write(vals)
            records.flush_recordset()
        records.invalidate_recordset()
        self.assertEqual(records.sudo().read(list(vals)), before)

    # --------------------------------------------------- system-only fields
    def test_waybill_fields_refused_for_every_role(self):
        order = self.np_order(np_preset_id=self.preset_cod.id)
        order.with_user(self.logistics).action_np_create_waybill()
        waybill = order.np_waybill_id.sudo()
        roles = self.roles_that_can(waybill, "write")
        self.assertEqual(set(roles), {"administrator", "manager", "logistics"})
        names = waybill._np_system_field_names()
        for must in ("name", "ref", "state", "cost", "cod_amount", "cod_transfer_state"):
            self.assertIn(must, names)
        for role, user in roles.items():
            for name in names:
                with self.subTest(role=role, field=name):
                    self.assert_refused(waybill.with_user(user), {name: other_value(waybill, name)})
        for role, user in self.roles_that_can(waybill, "create").items():
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["novaposhta.waybill"].with_user(user).create(
                    {
                        "order_id": order.id,
                        "carrier_id": self.np_carrier.id,
                        "account_id": self.account.id,
                        "state": "deleted",
                    }
                )

    def test_order_fields_from_np_refused_for_every_role(self):
        order = self.order_to_delivery(paid=100.0, np_preset_id=self.preset_cod.id)
        self.assertEqual(order.delivery_cod_state, "expected")
        roles = self.roles_that_can(order, "write")
        self.assertIn("logistics", roles)
        for role, user in roles.items():
            for name in order._np_system_fields():
                with self.subTest(role=role, field=name):
                    self.assert_refused(order.with_user(user), {name: other_value(order, name)})
        # on create too
        with self.assertRaises(AccessError):
            self.make_order(carrier=self.np_carrier, delivery_cod_state="transferred")
        with self.assertRaises(AccessError):
            self.make_order(carrier=self.np_carrier, delivery_tracking_ref="20450000000777")
        # a form sends the defaults: no change, accepted
        self.assertTrue(self.make_order(carrier=self.np_carrier, delivery_cod_state="none"))

    def test_logistics_cannot_fake_a_paid_order(self):
        """The attack: mark the COD money as transferred and the waybill as
        deleted, to show an unpaid order as paid and to get a second live
        waybill."""
        order = self.np_order(np_preset_id=self.preset_cod.id)
        order.with_user(self.logistics).action_np_create_waybill()
        waybill = order.np_waybill_id.with_user(self.logistics)
        for vals in (
            {"cod_amount": 1000000.0},
            {"cod_transfer_state": "transferred"},
            {"state": "deleted"},
        ):
            with self.subTest(vals=vals):
                self.assert_refused(waybill, vals)
        self.assert_refused(order.with_user(self.logistics), {"delivery_cod_state": "transferred"})
        self.assertEqual(order.order_payment_state, "not_paid")
        self.assertEqual(order.np_waybill_state, "created")
        order.with_user(self.logistics).action_np_create_waybill()
        self.assertEqual(len(self.fake.live_waybills(order.name)), 1)

    def test_other_carriers_keep_their_delivery_fields(self):
        """Staff enter the tracking number of carriers without integration."""
        order = self.make_order(carrier=self.carrier)
        order.with_user(self.logistics).write({"delivery_tracking_ref": "CARRIER-1"})
        self.assertEqual(order.delivery_tracking_ref, "CARRIER-1")

    def test_account_and_directory_system_fields(self):
        admin = self.users["administrator"]
        self.assert_refused(self.account.with_user(admin), {"key_warned_on": fields.Date.today()})
        for record in (self.kyiv, self.kyiv_1):
            for name in ("sync_date", "sync_pass", "ref"):
                with self.subTest(model=record._name, field=name):
                    self.assert_refused(record.with_user(admin), {name: other_value(record, name)})
        with self.assertRaises(AccessError):
            self.env["novaposhta.city"].with_user(admin).create(
                {"name": "X", "ref": "city-x", "sync_pass": 99}
            )
        # what administrators enter stays theirs
        self.account.with_user(admin).write({"sender_phone": "+380670000000"})
        self.kyiv.with_user(admin).write({"area": "Київська обл."})

    # ------------------------------------------------------ clear messages
    def test_transfer_without_order(self):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_out").id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "carrier_id": self.np_carrier.id,
            }
        )
        with self.assertRaisesRegex(UserError, "has no sales order"):
            picking.with_user(self.logistics).action_np_create_waybill()
        with self.assertRaisesRegex(UserError, "has no sales order"):
            self.np_carrier.with_user(self.logistics).send_shipping(picking)

    def test_negative_lines_and_total(self):
        negative = self.np_order()
        negative.order_line = [
            Command.create({"product_id": self.product.id, "product_uom_qty": 2}),
        ]
        # a line as an older version or an import could leave it
        self.env.cr.execute(
            "UPDATE sale_order_line SET product_uom_qty = -2 WHERE id = %s",
            [negative.order_line[-1].id],
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "negative quantity or price"):
            negative.with_user(self.logistics).action_np_create_waybill()
        free = self.np_order()
        free.order_line.price_unit = 0.0
        with self.assertRaisesRegex(UserError, "positive total"):
            free.with_user(self.logistics).action_np_create_waybill()
        self.assertFalse(self.fake.count_calls("InternetDocument.save"))

    def test_concurrent_click_gets_clear_message(self):
        """Another request holds the order (a colleague's click on the same
        waybill): the second click is told so at once; no SQL error is
        logged, nothing waits."""
        order = self.env["sale.order"].search([], order="id", limit=1)
        self.assertTrue(order, "an order committed in the database")
        self.env.cr.execute("SET LOCAL lock_timeout = '3s'")
        self.addCleanup(self.env.cr.execute, "SET LOCAL lock_timeout = 0")
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [order.id])
            with self.assertRaisesRegex(UserError, "already being created"):
                order.with_user(self.env.ref("base.user_admin")).action_np_create_waybill()
            other.rollback()

    # ------------------------------------------------------------ the key
    def test_api_key_never_logged_or_shown(self):
        order = self.np_order()
        order.with_user(self.logistics).action_np_create_waybill()
        http_logger = logging.getLogger("urllib3.connectionpool")
        level = http_logger.level
        http_logger.setLevel(logging.DEBUG)
        self.addCleanup(http_logger.setLevel, level)
        with self.assertLogs(level=logging.DEBUG) as logs:
            action = order.with_user(self.logistics).action_np_print_label()
            self.fake.fail_next("500", "printMarking")
            with self.assertRaises(UserError) as caught:
                order.with_user(self.logistics).action_np_print_label()
            logging.getLogger(ADDON + "tests").debug("end")
        text = "\n".join(logs.output)
        self.assertIn("printMarking", text, "the label request is logged at DEBUG")
        self.assertNotIn(VALID_KEY, text)
        self.assertNotIn(VALID_KEY, action["url"])
        self.assertNotIn(VALID_KEY, str(caught.exception))
        self.assertNotIn(VALID_KEY, " ".join(order.message_ids.mapped("body")))

    def test_api_key_unreadable_by_non_admins(self):
        admin = self.users["administrator"]
        self.account.with_user(admin).write({"api_key": VALID_KEY})
        for role, user in self.users.items():
            if role == "administrator":
                continue
            account = self.account.with_user(user)
            if not account.has_access("read"):
                continue
            Account = self.env["novaposhta.account"].with_user(user)
            with self.subTest(role=role):
                self.assertNotIn("api_key", Account.fields_get())
                with self.assertRaises(AccessError):
                    account.read(["api_key"])
                with self.assertRaises(AccessError):
                    Account.search([("api_key", "=like", "0%")])
                with self.assertRaises(AccessError):
                    Account.read_group([], ["name"], ["api_key"])
                with self.assertRaises(UserError):  # AccessError, or no export right
                    account.export_data(["api_key"])
                with self.assertRaises(AccessError):
                    self.env["delivery.carrier"].with_user(user).search(
                        [("np_account_id.api_key", "=like", "0%")]
                    )
                self.assertNotIn(VALID_KEY, account.api_key_masked)
        # nothing in the chatter, its tracking or attachments
        values = (
            self.env["mail.tracking.value"]
            .sudo()
            .search([("mail_message_id.model", "=", "novaposhta.account")])
        )
        self.assertFalse(
            [v for v in values if VALID_KEY in f"{v.old_value_char}{v.new_value_char}"]
        )
        bodies = self.account.sudo().message_ids.mapped("body")
        self.assertFalse([body for body in bodies if VALID_KEY in (body or "")])
        attachments = (
            self.env["ir.attachment"].sudo().search([("res_model", "=", "novaposhta.account")])
        )
        self.assertFalse([a for a in attachments if VALID_KEY.encode() in (a.raw or b"")])

    # ------------------------------------------------------ public methods
    def test_public_methods_check_their_caller(self):
        """Every public method of the addon (an RPC endpoint for whoever
        reads its model) is listed here with who may use it."""
        public = {}
        for name in self.env.registry:
            model = self.env[name]
            for cls in type(model).mro():
                if not cls.__module__.startswith(ADDON):
                    continue
                for attr, value in vars(cls).items():
                    if attr.startswith("_") or not callable(value):
                        continue
                    try:
                        get_public_method(model, attr)
                    except (AccessError, AttributeError):
                        continue
                    public.setdefault(name, set()).add(attr)
        orm = {"create", "write"}
        self.assertEqual(
            public,
            {
                "novaposhta.waybill": {
                    "action_refresh",
                    "action_print_label",
                    "action_np_recheck",
                    # accounting rights (test_cod_ledger)
                    "action_np_cod_register_payment",
                }
                | orm,
                "novaposhta.account": {
                    "action_fetch_sender",
                    "action_test_connection",
                    "action_sync_directories",
                }
                | orm,
                # administrators only (test_order_screen): the account's key syncs
                "novaposhta.city": {"action_np_sync_directories"} | orm,
                "novaposhta.warehouse": {"action_np_sync_directories"} | orm,
                "novaposhta.waybill.bulk": {"action_create"},
                "sale.order": {
                    "action_np_create_waybill",
                    "action_np_delete_waybill",
                    "action_np_refresh_tracking",
                    "action_np_print_label",
                    "action_np_bulk_waybills",
                }
                | orm,
                "stock.picking": {"action_np_create_waybill"},
                "delivery.carrier": {
                    "novaposhta_rate_shipment",
                    "novaposhta_send_shipping",
                    "novaposhta_get_tracking_link",
                    "novaposhta_cancel_shipment",
                },
            },
        )
        order = self.order_to_delivery()
        waybill = order.np_waybill_id.sudo()
        picking = order.picking_ids[:1]
        # who may act: roles that create waybills (and change the order)
        acting = {"administrator", "manager", "logistics"}
        calls = {
            "waybill recheck": lambda u: waybill.with_user(u).action_np_recheck(),
            "order create": lambda u: order.with_user(u).action_np_create_waybill(),
            "order delete": lambda u: order.with_user(u).action_np_delete_waybill(),
            "picking create": lambda u: picking.with_user(u).action_np_create_waybill(),
            "carrier send": lambda u: self.np_carrier.with_user(u).novaposhta_send_shipping(
                picking.ids
            ),
            "carrier cancel": lambda u: self.np_carrier.with_user(u).novaposhta_cancel_shipment(
                picking.ids
            ),
        }
        for role, user in self.users.items():
            if role in acting:
                continue
            for label, call in calls.items():
                with self.subTest(role=role, call=label), self.assertRaises(AccessError):
                    call(user)
        self.assertEqual(order.np_waybill_state, "created", "nothing was deleted")
        for role, user in self.users.items():
            if role == "administrator" or not self.account.with_user(user).has_access("read"):
                continue
            for method in (
                "action_fetch_sender",
                "action_test_connection",
                "action_sync_directories",
            ):
                with self.subTest(role=role, method=method), self.assertRaises(AccessError):
                    getattr(self.account.with_user(user), method)()
        # reading roles may refresh the status and fetch the label: NP's
        # truth only, nothing they could change
        support = self.users["support"]
        picking.with_user(self.logistics).action_np_create_waybill()  # its tracking number
        waybill.with_user(support).action_refresh()
        order.with_user(support).action_np_refresh_tracking()
        self.assertTrue(self.np_carrier.with_user(support).novaposhta_get_tracking_link(picking.id))
        sales = self.users["sales"]
        self.assertTrue(self.np_carrier.with_user(sales).novaposhta_rate_shipment(order.id))

    def test_sync_directories_button(self):
        self.fake.cities.append({"Ref": "city-dnipro", "Description": "Дніпро"})
        action = self.account.with_user(self.users["administrator"]).action_sync_directories()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.env["novaposhta.city"].search([("ref", "=", "city-dnipro")]))
