from odoo import fields, models


class AccessStatusGroup(models.Model):
    _inherit = "access.status.group"

    color = fields.Integer(help="Kanban colour of the group's statuses.")
    stage_ids = fields.One2many("sale.order.stage", "group_id", string="Statuses")
