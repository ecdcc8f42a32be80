from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResUsers(models.Model):
    _inherit = "res.users"

    store_role_id = fields.Many2one(
        "res.groups",
        string="Store role",
        compute="_compute_store_role_id",
        help="The staff role of the user in the online store.",
    )

    @api.depends("groups_id")
    def _compute_store_role_id(self):
        for user in self:
            user.store_role_id = user._store_role_groups()[:1]

    def _store_role_groups(self):
        """The store roles (res.groups) of this user."""
        self.ensure_one()
        return self.sudo().groups_id & self.env["res.groups"]._get_store_roles()

    def action_open_role_guide(self):
        user = self.env.user
        role = user.store_role_id
        if not role:
            raise UserError(_("You have no store role yet. Ask an administrator to give you one."))
        return {
            "type": "ir.actions.act_window",
            "name": _("My role: %(role)s", role=role.name),
            "res_model": "res.groups",
            "res_id": role.id,
            "view_mode": "form",
            "views": [(self.env.ref("access_roles.res_groups_view_form_role_guide").id, "form")],
            "target": "current",
        }
