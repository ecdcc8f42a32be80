from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DELIVERY_KINDS = [
    ("any", "Any delivery"),
    ("self_pickup", "Self-pickup"),
    ("courier", "Courier"),
    ("carrier", "Carrier"),
]


class AccessStatusRight(models.Model):
    """Who may set which order status: one row grants one role a status group
    or a single status, optionally only for one kind of delivery.

    ``crm_order_flow`` reads this table through :meth:`_is_allowed` whenever a
    person moves an order; automatic moves are not limited by it.
    """

    _name = "access.status.right"
    _description = "Order Status Right"
    _order = "group_id, status_group_id, status_code"

    group_id = fields.Many2one(
        "res.groups",
        string="Role",
        required=True,
        ondelete="cascade",
        domain=lambda self: [
            ("category_id", "=", self.env.ref("access_roles.module_category_store_roles").id)
        ],
    )
    all_statuses = fields.Boolean(
        string="All statuses",
        default=False,
        help="The role may set every status.",
    )
    status_group_id = fields.Many2one(
        "access.status.group",
        string="Status group",
        ondelete="cascade",
        help="The role may set every status of this group.",
    )
    status_code = fields.Char(
        string="Status code",
        help="The role may set only this status (its technical code, e.g. 'cancelled').",
    )
    status_name = fields.Char(
        string="Status",
        compute="_compute_status_name",
        help="The order status of the status code, in the user's language.",
    )
    delivery_kind = fields.Selection(
        DELIVERY_KINDS,
        default="any",
        required=True,
        help="Limit the right to orders with this kind of delivery.",
    )
    active = fields.Boolean(default=True)

    @api.depends("status_code")
    def _compute_status_name(self):
        names = self._status_names({code for code in self.mapped("status_code") if code})
        for right in self:
            right.status_name = names.get(right.status_code, False)

    @api.constrains("all_statuses", "status_group_id", "status_code")
    def _check_target(self):
        for right in self:
            targets = [
                bool(right.all_statuses),
                bool(right.status_group_id),
                bool(right.status_code),
            ]
            if sum(targets) != 1:
                raise ValidationError(
                    _(
                        "A status right names exactly one of: all statuses, a status group "
                        "or a status code (role: %(role)s).",
                        role=right.group_id.name,
                    )
                )

    @api.model
    def _is_allowed(self, user, status_code, status_group_code, delivery_kind="any"):
        """Whether ``user`` may move an order into the status ``status_code``
        (of the group ``status_group_code``) for an order whose delivery is of
        ``delivery_kind``. Superuser and users with no store role but with the
        Settings right are not limited."""
        if user._is_superuser() or user._is_system() and not user._store_role_groups():
            return True
        rights = self.sudo().search([("group_id", "in", user._store_role_groups().ids)])
        return any(
            right.delivery_kind in ("any", delivery_kind)
            and right._covers(status_code, status_group_code)
            for right in rights
        )

    def _covers(self, status_code, status_group_code):
        """Whether the right names the status ``status_code`` of the group
        ``status_group_code`` (whatever its delivery kind)."""
        self.ensure_one()
        return bool(
            self.all_statuses
            or (self.status_group_id and self.status_group_id.code == status_group_code)
            or (self.status_code and self.status_code == status_code)
        )

    @api.model
    def _status_names(self, codes):
        """Names of the order statuses of ``codes`` in the user's language,
        by code. The statuses are the order flow's (``sale.order.stage``,
        crm_order_flow) when it is installed; a code without a status keeps
        its code."""
        if "sale.order.stage" not in self.env or not codes:
            return {}
        stages = (
            self.env["sale.order.stage"]
            .with_context(active_test=False)
            .search([("code", "in", list(codes))])
        )
        return {stage.code: stage.name for stage in stages}

    def _describe(self):
        """Human readable target of the right, in the user's language."""
        self.ensure_one()
        if self.all_statuses:
            target = _("all statuses")
        elif self.status_group_id:
            target = _("group “%(group)s”", group=self.status_group_id.name)
        else:
            name = self._status_names([self.status_code]).get(self.status_code)
            target = _("status “%(status)s”", status=name) if name else self.status_code
        if self.delivery_kind != "any":
            kinds = dict(self._fields["delivery_kind"]._description_selection(self.env))
            target = _("%(target)s (%(kind)s only)", target=target, kind=kinds[self.delivery_kind])
        return target
