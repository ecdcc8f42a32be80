from odoo import api, fields, models

ROLE_CATEGORY = "access_roles.module_category_store_roles"


class ResGroups(models.Model):
    _inherit = "res.groups"

    role_guide = fields.Html(
        string="Role guide",
        sanitize=True,
        help="Short guide for users of this role: what you see, what you do, what you cannot do.",
    )
    is_store_role = fields.Boolean(compute="_compute_is_store_role")

    def _compute_is_store_role(self):
        category = self.env.ref(ROLE_CATEGORY, raise_if_not_found=False)
        for group in self:
            group.is_store_role = bool(category) and group.category_id == category

    @api.model
    def _get_store_roles(self):
        category = self.env.ref(ROLE_CATEGORY, raise_if_not_found=False)
        if not category:
            return self.browse()
        return self.sudo().search([("category_id", "=", category.id)], order="id")

    @api.model
    def get_groups_by_application(self):
        # The eight roles do not imply each other, which would make Odoo show
        # them as eight check boxes; they are exclusive, so show one selector
        # (as Odoo does for its own Accounting category).
        result = super().get_groups_by_application()
        category = self.env.ref(ROLE_CATEGORY, raise_if_not_found=False)
        return [
            (app, "selection", groups.sorted("id"), (app.sequence, app.name))
            if category and app == category
            else (app, kind, groups, category_name)
            for app, kind, groups, category_name in result
        ]
