from odoo import Command
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

ROLE_NAMES = ("administrator", "manager", "sales", "logistics", "accountant", "support")


class OrderFlowCommon(TransactionCase):
    """A small store: one user per role that works on orders, a customer
    who can get SMS and email, a product in stock and one out of stock, and
    the three kinds of delivery (self-pickup, courier, carrier)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"flow_{role}",
                name=f"Flow {role}",
                email=f"flow_{role}@example.com",
                groups=f"base.group_user,access_roles.group_role_{role}",
            )
            for role in ROLE_NAMES
        }
        cls.sales = cls.users["sales"]
        cls.company = cls.env.company
        cls.company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
                "order_flow_warehouse_user_id": cls.users["logistics"].id,
                "order_flow_promo_line": False,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Olha Kovalenko",
                "mobile": "+380501112233",
                "email": "olha@example.com",
                "customer_rank": 1,
                "lang": "en_US",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Kettle", "type": "consu", "is_storable": True, "list_price": 1000.0}
        )
        cls.product_missing = cls.env["product.product"].create(
            {"name": "Toaster", "type": "consu", "is_storable": True, "list_price": 500.0}
        )
        cls.stock_location = cls.env.ref("stock.stock_location_stock")
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.stock_location, 50)
        cls.self_pickup = cls.env.ref("crm_order_flow.carrier_self_pickup")
        cls.courier = cls.env.ref("crm_order_flow.carrier_courier")
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Test parcel carrier",
                "delivery_type": "fixed",
                "fixed_price": 0.0,
                "order_flow_delivery_kind": "carrier",
                "product_id": cls.env["product.product"]
                .create({"name": "Parcel delivery", "type": "service"})
                .id,
            }
        )

    @classmethod
    def stage(cls, code):
        return cls.env["sale.order.stage"]._get_by_code(code)

    def make_order(self, product=None, qty=1, user=None, carrier=None, **vals):
        user = user or self.sales
        values = {
            "partner_id": self.customer.id,
            "user_id": user.id,
            "order_line": [
                Command.create({"product_id": (product or self.product).id, "product_uom_qty": qty})
            ],
        }
        if carrier:
            values["carrier_id"] = carrier.id
        values.update(vals)
        return self.env["sale.order"].with_user(user).create(values).sudo(False)

    def pay(self, order, amount=None):
        """The accountant invoices the order and registers a payment of
        ``amount`` (all of it by default)."""
        accountant = self.users["accountant"]
        invoice = order.sudo()._create_invoices()
        invoice.with_user(accountant).action_post()
        wizard = (
            self.env["account.payment.register"]
            .with_user(accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount if amount is not None else invoice.amount_total})
        )
        wizard._create_payments()
        # The end of the request: stored computations and the rules they trigger run.
        self.env.flush_all()
        return invoice

    def move(self, order, code, user=None, **vals):
        order = order.with_user(user) if user else order
        order.write(dict(vals, stage_id=self.stage(code).id))
        return order

    def visits(self, order):
        return self.env["sale.order.stage.history"].search(
            [("order_id", "=", order.id)], order="id"
        )

    def walk(self, order, *codes):
        """Move an order along ``codes`` as the automation would (the matrix
        and the validations apply, the roles do not)."""
        for code in codes:
            order._order_flow_write_stage(self.stage(code), cause="rule")
        return order
