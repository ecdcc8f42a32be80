from collections import defaultdict

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError


class AccessFieldPolicy(models.Model):
    """Per-field write rights of a role on a model, optionally only while the
    record is in some status groups.

    *only*: the role may change only the listed fields (e.g. Support may only
    change a contact's phone and notes). *except*: the role may change
    everything its access rights allow but the listed fields (e.g. a Sales
    Manager may not change prices once the order left approval).
    A user is limited only when every role he has limits the change.
    """

    _name = "access.field.policy"
    _description = "Field Right of a Role"
    _order = "model_id, group_id, id"

    name = fields.Char(compute="_compute_name", store=True)
    group_id = fields.Many2one(
        "res.groups",
        string="Role",
        required=True,
        ondelete="cascade",
        domain=lambda self: [
            ("category_id", "=", self.env.ref("access_roles.module_category_store_roles").id)
        ],
    )
    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade")
    model = fields.Char(related="model_id.model", store=True, string="Model name")
    mode = fields.Selection(
        [
            ("only", "May change only these fields"),
            ("except", "May not change these fields"),
        ],
        required=True,
        default="except",
    )
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Fields",
        domain="[('model_id', '=', model_id)]",
    )
    status_group_ids = fields.Many2many(
        "access.status.group",
        string="While in status groups",
        help="The policy holds only while the record is in one of these status groups. "
        "Empty: always.",
    )
    active = fields.Boolean(default=True)

    @api.depends("group_id", "model_id", "mode")
    def _compute_name(self):
        modes = dict(self._fields["mode"]._description_selection(self.env))
        for policy in self:
            policy.name = (
                f"{policy.group_id.name} / {policy.model_id.name}: {modes.get(policy.mode)}"
            )

    # The policies are cached (_get_policies): the cache is cleared once the
    # change is made, never before the access checks refuse it.
    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env.registry.clear_cache()
        return policies

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache("model_name")
    def _get_policies(self, model_name):
        """Active policies of a model as plain tuples:
        (group id, mode, field names, status group codes)."""
        policies = self.sudo().search([("model", "=", model_name)])
        return tuple(
            (
                p.group_id.id,
                p.mode,
                frozenset(p.field_ids.mapped("name")),
                frozenset(p.status_group_ids.mapped("code")),
            )
            for p in policies
        )

    @api.model
    def _forbidden_fields(self, user, model_name, field_names, status_code):
        """The fields of ``field_names`` that ``user`` may not change on a
        record of ``model_name`` in the status group ``status_code``."""
        policies = self._get_policies(model_name)
        if not policies:
            return set()
        role_ids = set(user._store_role_groups().ids)
        by_role = defaultdict(list)
        for policy in policies:
            if policy[0] in role_ids:
                by_role[policy[0]].append(policy)
        if not by_role or role_ids - set(by_role):
            # a role of the user has no policy here: that role is not limited
            return set()
        requested = set(field_names)
        forbidden = None
        for role_policies in by_role.values():
            allowed_only, denied = None, set()
            for _group, mode, names, status_codes in role_policies:
                if status_codes and status_code not in status_codes:
                    continue
                if mode == "only":
                    allowed_only = (allowed_only or set()) | names
                else:
                    denied |= names
            role_forbidden = requested & denied
            if allowed_only is not None:
                role_forbidden |= requested - allowed_only
            forbidden = role_forbidden if forbidden is None else forbidden & role_forbidden
        return forbidden or set()

    @api.model
    def _check_write(self, records, field_names):
        """Refuse (AccessError) a change of ``field_names`` on ``records``
        that the user's role may not make; nothing is written then."""
        if not records or not self._get_policies(records._name):
            return
        user = self.env.user
        if user._is_superuser():
            return
        by_status = defaultdict(lambda: records.browse())
        for record in records:
            by_status[record._access_status_group_code()] += record
        for status_code, recs in by_status.items():
            forbidden = self._forbidden_fields(user, records._name, field_names, status_code)
            if forbidden:
                field_labels = ", ".join(
                    sorted(
                        records._fields[name]._description_string(self.env) for name in forbidden
                    )
                )
                status = self.env["access.status.group"].search(
                    [("code", "=", status_code)], limit=1
                )
                roles = ", ".join(user._store_role_groups().mapped("name"))
                if status:
                    message = _(
                        "Your role (%(roles)s) may not change %(fields)s of “%(record)s” "
                        "while it is in the status group “%(status)s”. "
                        "Ask a manager or an administrator to make this change.",
                        roles=roles,
                        fields=field_labels,
                        record=recs[:1].display_name,
                        status=status.name,
                    )
                else:
                    message = _(
                        "Your role (%(roles)s) may not change %(fields)s of “%(record)s”. "
                        "Ask a manager or an administrator to make this change.",
                        roles=roles,
                        fields=field_labels,
                        record=recs[:1].display_name,
                    )
                raise AccessError(message)
