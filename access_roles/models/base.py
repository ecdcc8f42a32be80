from odoo import api, models


class Base(models.AbstractModel):
    _inherit = "base"

    # Models whose own write() checks the field rights first, before their
    # side effects (sale.order, sale.order.line); base does not check again.
    _access_policy_checked_early = False

    def write(self, vals):
        # Field rights per role (access.field.policy) hold for every model that
        # has a policy; automatic work done with sudo() is not limited.
        if not self._access_policy_checked_early and self._name != "access.field.policy":
            self._check_access_field_policy(vals)
        return super().write(vals)

    def _check_access_field_policy(self, vals):
        """Refuse the change ``vals`` if the user's role may not make it."""
        if vals and not self.env.su and self.env.registry.get("access.field.policy") is not None:
            self.env["access.field.policy"]._check_write(self, list(vals))

    @api.model
    def _access_status_group_code(self):
        """Code of the status group (``access.status.group``) the record is
        in, for field policies limited to some status groups. Models without
        business statuses answer False."""
        return False
