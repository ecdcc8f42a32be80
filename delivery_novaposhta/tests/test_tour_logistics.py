from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import FakeNovaPoshtaTimeouts
from .fake_novaposhta import VALID_KEY, FakeNovaPoshta


@tagged("post_install", "-at_install")
class TestLogisticsTour(FakeNovaPoshtaTimeouts, HttpCase):
    """The demo Logistics user, in Ukrainian, in the browser: an order sent
    to assembly is found, assembled, handed to delivery, its Nova Poshta
    waybill created at the (fake) NP, its label opened, the waybill list
    opened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeNovaPoshta().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.logistics = cls.env.ref("access_roles.user_demo_logistics")
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.logistics.lang = "uk_UA"
        company = cls.logistics.company_id
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        cls.account = env["novaposhta.account"].create(
            {
                "name": "НП для туру",
                "company_id": company.id,
                "api_key": VALID_KEY,
                "api_url": cls.fake.url,
                "print_url": cls.fake.print_url,
                "timeout": 5.0,
                "sender_phone": "+380671112233",
            }
        )
        env["novaposhta.city"]._cron_sync_directories(account=cls.account)
        cls.account.action_fetch_sender()
        kyiv = env["novaposhta.city"].search([("ref", "=", "city-kyiv")])
        branch = env["novaposhta.warehouse"].search([("ref", "=", "wh-city-kyiv-1")])
        cls.account.write({"sender_city_id": kyiv.id, "sender_warehouse_id": branch.id})
        carrier = env["delivery.carrier"].create(
            {
                "name": "Нова пошта (тур)",
                "delivery_type": "novaposhta",
                "integration_level": "rate",
                "order_flow_delivery_kind": "carrier",
                "company_id": company.id,
                "np_account_id": cls.account.id,
                "product_id": env["product.product"]
                .create({"name": "Доставка (тур)", "type": "service"})
                .id,
                "np_preset_ids": [Command.create({"name": "Стандарт", "is_default": True})],
            }
        )
        product = env["product.product"].create(
            {
                "name": "Чайник (тур)",
                "type": "consu",
                "is_storable": True,
                "list_price": 1200.0,
                "weight": 1.2,
                "company_id": company.id,
            }
        )
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5)
        customer = env["res.partner"].create(
            {"name": "Коваленко Ольга", "mobile": "+380501112233", "company_id": company.id}
        )
        cls.order = env["sale.order"].create(
            {
                "name": "NP-TOUR-1",
                "company_id": company.id,
                "partner_id": customer.id,
                "user_id": cls.env.ref("access_roles.user_demo_sales").id,
                "warehouse_id": warehouse.id,
                "carrier_id": carrier.id,
                "payment_on_delivery": True,
                "np_city_id": kyiv.id,
                "np_warehouse_id": branch.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        Stage = env["sale.order.stage"]
        for code in ("agreed", "to_assembly"):
            if cls.order.stage_code != code:
                cls.order._order_flow_write_stage(Stage._get_by_code(code), cause="rule")
        assert cls.order.stage_code == "to_assembly", cls.order.stage_code

    def test_logistics_day_with_nova_poshta(self):
        self.start_tour(
            "/odoo/action-crm_order_flow.sale_order_action_pipeline",
            "novaposhta_logistics",
            login="logistics",
        )
        order = self.order
        order.invalidate_recordset()
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(self.fake.count_calls("InternetDocument.save"), 1)
        (waybill,) = self.fake.live_waybills(order.name)
        self.assertEqual(order.np_waybill_number, waybill["Number"])
        self.assertEqual(order.delivery_tracking_ref, waybill["Number"])
        label = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertIn(f"NP-{waybill['Number']}.pdf", label.mapped("name"))

    def test_logistics_nova_poshta_screens_open(self):
        """Each Nova Poshta menu of the Logistics user opens, in Ukrainian,
        without an error dialog (the tour fails on any)."""
        self.start_tour(
            "/odoo/action-crm_order_flow.sale_order_action_pipeline",
            "novaposhta_logistics_menus",
            login="logistics",
        )
