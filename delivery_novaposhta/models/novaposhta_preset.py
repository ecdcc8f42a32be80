from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SERVICE_TYPES = [
    ("WarehouseWarehouse", "Branch → branch"),
    ("WarehouseDoors", "Branch → address"),
    ("DoorsWarehouse", "Address → branch"),
    ("DoorsDoors", "Address → address"),
    ("WarehousePostomat", "Branch → parcel locker"),
    ("DoorsPostomat", "Address → parcel locker"),
]
PAYER_TYPES = [("Sender", "Sender"), ("Recipient", "Recipient"), ("ThirdPerson", "Third person")]
PAYMENT_METHODS = [("Cash", "Cash"), ("NonCash", "Non-cash")]
CARGO_TYPES = [
    ("Parcel", "Parcel"),
    ("Cargo", "Cargo"),
    ("Documents", "Documents"),
    ("TiresWheels", "Tires and wheels"),
    ("Pallet", "Pallet"),
]
COD_KINDS = [
    ("backward_delivery", "Money transfer (BackwardDeliveryData)"),
    ("afterpayment", "Payment control (AfterpaymentOnGoodsCost)"),
]
DECLARED_VALUE_RULES = [
    ("order_total", "Order total"),
    ("fixed", "Fixed amount"),
]


class NovaPoshtaPreset(models.Model):
    """A shipment preset (“parameter set”): how a carrier's waybills are
    filled when the order says nothing else."""

    _name = "novaposhta.preset"
    _description = "Nova Poshta Shipment Preset"
    _order = "carrier_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Delivery method",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('delivery_type', '=', 'novaposhta')]",
    )
    is_default = fields.Boolean(string="Default", help="One default preset per delivery method.")
    service_type = fields.Selection(SERVICE_TYPES, default="WarehouseWarehouse", required=True)
    payer_type = fields.Selection(PAYER_TYPES, string="Payer", default="Recipient", required=True)
    payment_method = fields.Selection(PAYMENT_METHODS, default="Cash", required=True)
    cargo_type = fields.Selection(CARGO_TYPES, default="Parcel", required=True)
    weight = fields.Float(string="Default weight (kg)", default=1.0)
    pack_length = fields.Float(string="Length (cm)", default=30.0)
    pack_width = fields.Float(string="Width (cm)", default=20.0)
    pack_height = fields.Float(string="Height (cm)", default=10.0)
    seats_amount = fields.Integer(string="Places", default=1)
    description = fields.Char(string="Contents", default="Товари інтернет-магазину")
    cod = fields.Boolean(string="Cash on delivery")
    cod_kind = fields.Selection(
        COD_KINDS, string="Cash on delivery kind", default="backward_delivery"
    )
    declared_value_rule = fields.Selection(
        DECLARED_VALUE_RULES, string="Declared value", default="order_total", required=True
    )
    declared_value = fields.Float(string="Fixed declared value", default=300.0)

    @api.constrains("is_default", "carrier_id", "active")
    def _check_is_default(self):
        for preset in self.filtered(lambda p: p.is_default and p.active):
            others = self.search_count(
                [
                    ("carrier_id", "=", preset.carrier_id.id),
                    ("is_default", "=", True),
                    ("id", "!=", preset.id),
                ]
            )
            if others:
                raise ValidationError(
                    _(
                        "The delivery method “%(carrier)s” already has a default preset. Untick "
                        "“Default” on the other preset first.",
                        carrier=preset.carrier_id.name,
                    )
                )

    @api.constrains("weight", "seats_amount")
    def _check_weight(self):
        for preset in self:
            if preset.weight < 0.1 or preset.seats_amount < 1:
                raise ValidationError(
                    _("A preset needs a weight of at least 0.1 kg and at least one place.")
                )
