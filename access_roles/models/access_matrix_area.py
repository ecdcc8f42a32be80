from odoo import fields, models


class AccessMatrixArea(models.Model):
    """An area of the access matrix (orders, contacts, stock, …): a named set
    of models shown together. Models of other addons that grant rights to the
    store roles appear in the matrix even without an area."""

    _name = "access.matrix.area"
    _description = "Access Matrix Area"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    model_ids = fields.Many2many("ir.model", string="Models")
