from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

PAYMENT_REQUIREMENTS = [
    ("none", "No payment needed"),
    ("partial", "At least partly paid"),
    ("full", "Fully paid"),
]


class SaleOrderStage(models.Model):
    """A business status of an order. Statuses are data: administrators
    rename, reorder, add or archive them; each belongs to one of the six
    fixed status groups of ``access_roles`` (new, approval, assembly,
    delivery, done, cancel), which drive reports, kanban colours and the
    Odoo state of the order."""

    _name = "sale.order.stage"
    _description = "Order Status"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code used by automation rules, status rights and integrations "
        "(e.g. 'to_delivery'). Do not change it for the shipped statuses.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    group_id = fields.Many2one(
        "access.status.group",
        string="Status group",
        required=True,
        ondelete="restrict",
    )
    group_code = fields.Char(related="group_id.code", store=True, string="Group code")
    is_final = fields.Boolean(related="group_id.is_final")
    fold = fields.Boolean(string="Folded in kanban")
    color = fields.Integer(
        help="Colour of the orders' cards in this status (kanban colour index).",
    )
    description = fields.Text(translate=True)
    time_limit = fields.Integer(
        string="Time limit (minutes)",
        help="An order that stays longer than this in the status is overdue and its "
        "salesperson is notified. 0: no limit.",
    )
    next_stage_ids = fields.Many2many(
        "sale.order.stage",
        "sale_order_stage_next_rel",
        "stage_id",
        "next_stage_id",
        string="Allowed next statuses",
        help="The status matrix: an order in this status may only move to these statuses.",
    )
    # Validations guarding entry into the status: payment secured, delivery method
    # chosen, the operator's comment.
    payment_required = fields.Selection(
        PAYMENT_REQUIREMENTS,
        string="Payment required to enter",
        default="none",
        required=True,
    )
    allow_cod_confirmed = fields.Boolean(
        string="Accept cash on delivery transferred by the carrier",
        help="With 'Fully paid': an order whose carrier collected cash on delivery and "
        "confirmed the money transfer may enter the status although it is not paid yet.",
    )
    carrier_required = fields.Boolean(
        string="Delivery method required to enter",
    )
    comment_required = fields.Boolean(
        string="Operator comment required to enter",
    )
    edit_locked = fields.Boolean(
        string="Order cannot be edited",
        help="Orders in this status cannot be changed, except by an administrator and "
        "only in the fields listed as unlocked.",
    )
    unlocked_field_ids = fields.Many2many(
        "ir.model.fields",
        "sale_order_stage_unlocked_field_rel",
        "stage_id",
        "field_id",
        string="Fields an administrator may still change",
        domain="[('model', '=', 'sale.order')]",
    )
    protected_field_ids = fields.Many2many(
        "ir.model.fields",
        "sale_order_stage_protected_field_rel",
        "stage_id",
        "field_id",
        string="Protected fields",
        domain="[('model', '=', 'sale.order')]",
        help="Fields of the order that nobody may change while it is in this status.",
    )
    role_names = fields.Char(
        string="Roles that may set it",
        compute="_compute_role_names",
        help="From the status rights of the store roles (Settings › Store roles › "
        "Status rights). Automatic moves are not limited by roles.",
    )
    order_count = fields.Integer(compute="_compute_order_count", string="Orders")

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of an order status must be unique."),
        (
            "time_limit_positive",
            "CHECK(time_limit >= 0)",
            "The time limit of a status cannot be negative.",
        ),
    ]

    @api.constrains("next_stage_ids")
    def _check_next_stage_ids(self):
        for stage in self:
            if stage in stage.next_stage_ids:
                raise ValidationError(
                    _("The status “%(status)s” cannot follow itself.", status=stage.name)
                )

    def write(self, vals):
        renamed = {}
        if vals.get("code"):
            renamed = {stage.code: vals["code"] for stage in self if stage.code != vals["code"]}
        result = super().write(vals)
        if renamed:
            # sudo: the status rights follow their status, whoever renames it
            # (an administrator, who may not see every archived right).
            Right = self.env["access.status.right"].sudo().with_context(active_test=False)
            for old_code, new_code in renamed.items():
                Right.search([("status_code", "=", old_code)]).write({"status_code": new_code})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_named_by_status_rights(self):
        # sudo: every right counts, archived ones and those of any role.
        rights = (
            self.env["access.status.right"]
            .sudo()
            .with_context(active_test=False)
            .search([("status_code", "in", self.mapped("code"))])
        )
        for stage in self:
            named = rights.filtered(lambda right, stage=stage: right.status_code == stage.code)
            if named:
                raise UserError(
                    _(
                        "The status “%(status)s” cannot be deleted: the status rights of "
                        "%(roles)s name it. Remove those rights first, or archive the status.",
                        status=stage.name,
                        roles=", ".join(sorted(set(named.group_id.mapped("name")))),
                    )
                )

    def _compute_role_names(self):
        rights = self.env["access.status.right"].sudo().search([])
        for stage in self:
            names = []
            for right in rights:
                if right._covers(stage.code, stage.group_code):
                    label = right.group_id.name
                    if right.delivery_kind != "any":
                        label = f"{label} ({right._describe()})"
                    if label not in names:
                        names.append(label)
            stage.role_names = ", ".join(names)

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("stage_id", "in", self.ids)], ["stage_id"], ["__count"]
            )
        )
        for stage in self:
            stage.order_count = counts.get(stage, 0)

    @api.model
    def _get_by_code(self, code):
        """The status with the technical code ``code`` (archived ones too)."""
        stage = self.with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not stage:
            raise ValidationError(
                _("There is no order status with the code “%(code)s”.", code=code)
            )
        return stage

    def action_open_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("stage_id", "=", self.id)]
        action["context"] = {}
        return action
