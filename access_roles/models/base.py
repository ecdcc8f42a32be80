from odoo import api, models


class Base(models.AbstractModel):
    _inherit = "base"

    def write(self, vals):
        # Field rights per role (access.field.policy) hold for every model that
        # has a policy; automatic work done with sudo() is not limited.
        if vals and not self.env.su and self._name != "access.field.policy":
            policy_model = self.env.registry.get("access.field.policy")
            if policy_model is not None:
                self.env["access.field.policy"]._check_write(self, list(vals))
        return super().write(vals)

    @api.model
    def _access_status_group_code(self):
        """Code of the status group (``access.status.group``) the record is
        in, for field policies limited to some status groups. Models without
        business statuses answer False."""
        return False
