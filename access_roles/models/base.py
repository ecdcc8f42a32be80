from odoo import _, api, models
from odoo.exceptions import AccessError

# Widgets of Odoo's partner autocomplete (partner_autocomplete, installed with
# the mail apps): they send what a user types in a contact's name or a
# customer field to Odoo's outside service at each keystroke. The store's
# customers are private persons whose names stay in the store, and the suite
# runs offline in its tests: views show the plain fields instead.
PARTNER_AUTOCOMPLETE_XPATH = (
    "//field[@widget='field_partner_autocomplete' or @widget='res_partner_many2one']"
)


class Base(models.AbstractModel):
    _inherit = "base"

    # Models whose own write() checks the field rights first, before their
    # side effects (sale.order, sale.order.line); base does not check again.
    _access_policy_checked_early = False

    def _valid_field_parameter(self, field, name):
        # ``system_only=True``: the field is set by the system alone (vendor
        # answers, states, money received, fiscal data, history).
        return name == "system_only" or super()._valid_field_parameter(field, name)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            vals_list = [self._access_strip_system_defaults(vals) for vals in vals_list]
            for vals in vals_list:
                self._check_access_system_only(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_access_system_only(vals)
        # Field rights per role (access.field.policy) hold for every model that
        # has a policy; automatic work done with sudo() is not limited.
        if not self._access_policy_checked_early and self._name != "access.field.policy":
            self._check_access_field_policy(vals)
        return super().write(vals)

    @api.model
    def _get_view_postprocessed(self, view, arch, **options):
        # After every _get_view (partner_autocomplete sets its widget on the
        # name and VAT of contact and company forms there), before caching.
        for node in arch.xpath(PARTNER_AUTOCOMPLETE_XPATH):
            del node.attrib["widget"]
        return super()._get_view_postprocessed(view, arch, **options)

    @api.model
    def default_get(self, fields_list):
        # A system-only field starts at the field's own default: never at a
        # ``default_<field>`` key of the request's context nor at a default a
        # user saved (ir.default), which would set it behind the checks below.
        names = set(self._access_system_only_fields()).intersection(fields_list)
        if not names:
            return super().default_get(fields_list)
        defaults = super().default_get([name for name in fields_list if name not in names])
        for name in names:
            field = self._fields[name]
            if field.default:
                value = field.convert_to_cache(field.default(self), self, validate=False)
                defaults[name] = field.convert_to_write(value, self)
        return defaults

    @api.model
    def _setup_complete(self):
        res = super()._setup_complete()
        # The registry keeps a model's class while later modules add fields to
        # it: the names found before (see below) are found again.
        cls = self.env.registry[self._name]
        if "_access_system_only_names" in cls.__dict__:
            del cls._access_system_only_names
        return res

    @api.model
    def _access_system_only_fields(self):
        """Names of the fields of this model that only the system sets
        (kept on the registry's class: fields change only with the registry)."""
        cls = type(self)
        names = cls.__dict__.get("_access_system_only_names")
        if names is None:
            names = tuple(
                name for name, field in self._fields.items() if getattr(field, "system_only", False)
            )
            cls._access_system_only_names = names
        return names

    @api.model
    def _access_strip_system_defaults(self, vals):
        """A form sends the default value of every field it shows when it
        creates a record: a system-only field given its own default value is
        no change, so it is left out rather than refused."""
        names = [name for name in self._access_system_only_fields() if name in vals]
        if not names:
            return vals
        defaults = self.default_get(names)
        vals = dict(vals)
        for name in names:
            if self._fields[name].convert_to_cache(vals[name], self) == self._fields[
                name
            ].convert_to_cache(defaults.get(name, False), self):
                del vals[name]
        return vals

    def _check_access_system_only(self, vals):
        """Refuse a person's change of fields only the system sets, for every
        role: the code that sets them works with sudo() on the server."""
        refused = [name for name in self._access_system_only_fields() if name in vals]
        if refused:
            labels = ", ".join(
                "“%s”" % self._fields[name]._description_string(self.env) for name in refused
            )
            raise AccessError(
                _(
                    "%(fields)s of %(model)s are set by the system only and cannot be changed "
                    "by hand.",
                    fields=labels,
                    model=self.env["ir.model"]._get(self._name).name or self._name,
                )
            )

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
