from unittest.mock import patch

from odoo import Command

from odoo.addons.access_roles.tests.local_fakes import LocalFakeTimeouts
from odoo.addons.crm_order_flow.tests.common import OrderFlowCommon

from ..novaposhta import NovaPoshtaClient
from .fake_novaposhta import VALID_KEY, FakeNovaPoshta

# A local port nothing listens on: Nova Poshta “cannot be reached” (refused at once).
CLOSED_URL = "http://127.0.0.1:9/"


class FakeNovaPoshtaTimeouts(LocalFakeTimeouts):
    """Requests to the class's fake NP (``cls.fake``) and to a closed local
    port keep the client's own short timeouts, so that the tests can prove
    what happens when NP answers too late or cannot be reached."""

    @classmethod
    def local_fake_urls(cls):
        fake = getattr(cls, "fake", None)
        return (fake.root_url if fake is not None and fake.server else None, CLOSED_URL)


class NovaPoshtaCommon(FakeNovaPoshtaTimeouts, OrderFlowCommon):
    """The order-flow store plus a Nova Poshta account talking to a local
    fake NP server, its directory synced, and a Nova Poshta delivery
    method with a default preset (and a cash-on-delivery one)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tests' own account and directory only: what a database already has (demo
        # data) is archived.
        for model in ("novaposhta.account", "novaposhta.city", "novaposhta.warehouse"):
            cls.env[model].search([]).write({"active": False})
        # Short timeouts: a fault test waits half a second, never seconds.
        cls.fake = FakeNovaPoshta(slow_seconds=1.0).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.account = cls.env["novaposhta.account"].create(
            {
                "name": "Test NP account",
                "api_key": VALID_KEY,
                "api_url": cls.fake.url,
                "print_url": cls.fake.print_url,
                "timeout": 0.5,
                "sender_phone": "+380671112233",
            }
        )
        cls.env["novaposhta.city"]._cron_sync_directories()
        cls.account.action_fetch_sender()
        cls.kyiv = cls.env["novaposhta.city"].search([("ref", "=", "city-kyiv")])
        cls.lviv = cls.env["novaposhta.city"].search([("ref", "=", "city-lviv")])
        Warehouse = cls.env["novaposhta.warehouse"]
        cls.kyiv_1 = Warehouse.search([("ref", "=", "wh-city-kyiv-1")])
        cls.lviv_2 = Warehouse.search([("ref", "=", "wh-city-lviv-2")])
        cls.postomat = Warehouse.search([("ref", "=", "wh-city-kyiv-postomat")])
        cls.account.write({"sender_city_id": cls.kyiv.id, "sender_warehouse_id": cls.kyiv_1.id})
        cls.np_carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Nova Poshta",
                "delivery_type": "novaposhta",
                "integration_level": "rate",
                "np_account_id": cls.account.id,
                "product_id": cls.env["product.product"]
                .create({"name": "Nova Poshta delivery", "type": "service"})
                .id,
                "np_preset_ids": [
                    Command.create({"name": "Standard", "is_default": True, "weight": 1.0}),
                    Command.create(
                        {"name": "Cash on delivery", "cod": True, "weight": 1.0, "sequence": 20}
                    ),
                ],
            }
        )
        # Uncertain requests are looked up at the next run (no pause).
        cls.env["ir.config_parameter"].sudo().set_param("delivery_novaposhta.retry_seconds", "0")
        cls.preset = cls.np_carrier.np_preset_ids.filtered("is_default")
        cls.preset_cod = cls.np_carrier.np_preset_ids - cls.preset
        # A read tried again after a fault waits a moment first: recorded, not waited.
        cls.retry_pauses = []
        cls.startClassPatcher(
            patch.object(
                NovaPoshtaClient,
                "_pause",
                lambda client, seconds: cls.retry_pauses.append(seconds),
            )
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.retry_pauses.clear()

    def np_order(self, **vals):
        values = {
            "carrier_id": self.np_carrier.id,
            "np_city_id": self.lviv.id,
            "np_warehouse_id": self.lviv_2.id,
        }
        values.update(vals)
        return self.make_order(**values)

    def order_to_delivery(self, paid=None, run_cron=True, **vals):
        """An order paid (fully, or ``paid``) and walked to “Handed to
        delivery”: rule 10 queues the shipment, and the scheduled action
        (run here, as it would after the move is committed) creates the
        waybill at Nova Poshta."""
        order = self.np_order(**vals)
        self.assertEqual(order.stage_code, "availability_confirmed")
        self.pay(order, paid)
        self.assertEqual(order.stage_code, "to_assembly")
        self.walk(order, "assembling", "assembled")
        self.env.flush_all()
        if run_cron:
            self.run_waybill_cron()
        return order

    def run_waybill_cron(self):
        """The scheduled action that sends queued waybills and settles
        uncertain ones, as Odoo runs it (superuser)."""
        stats = self.env["novaposhta.waybill"]._cron_process_waybills()
        self.env.flush_all()
        return stats

    def run_reconcile_cron(self):
        stats = self.env["novaposhta.waybill"]._cron_reconcile_waybills()
        self.env.flush_all()
        return stats

    def sync(self):
        stats = self.env["novaposhta.waybill"]._cron_sync_tracking()
        self.env.flush_all()
        return stats
