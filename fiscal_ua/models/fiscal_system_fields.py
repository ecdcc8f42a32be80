from odoo import _, api, models
from odoo.exceptions import AccessError


class FiscalSystemFieldsMixin(models.AbstractModel):
    """Fields only the addon's own code sets (states, fiscal numbers,
    Checkbox ids, amounts sent, vendor answers, shift and report data…), on
    top of the suite's ``system_only`` field parameter.

    Such fields are refused for every user, administrators included, on
    create and write (the suite's check of ``system_only`` fields); the
    addon's own actions set them as the system (``sudo()`` in a private
    method, after checking the user's right to the action). Here they are:
    the fields marked ``system_only=True``, every field of a model whose
    ``_fiscal_system_fields`` is ``"__all__"``, and every computed or related
    field (a computed value is not an input, and writing a related field
    would change the record it comes from). A model with
    ``_fiscal_system_records`` has records that only those actions create
    (receipts, shifts, the tax rates read from Checkbox): a user's create is
    refused whatever its values.
    """

    _name = "fiscal.system.fields.mixin"
    _description = "Fields Only the Fiscal System Sets"

    # "__all__": every field of the model is set by the system only
    _fiscal_system_fields = ()
    # records created only by the addon's own actions
    _fiscal_system_records = False

    @api.model
    def _setup_complete(self):
        res = super()._setup_complete()
        # The model's class outlives module loading: find the names again.
        cls = self.env.registry[self._name]
        if "_fiscal_system_only_names" in cls.__dict__:
            del cls._fiscal_system_only_names
        return res

    @api.model
    def _access_system_only_fields(self):
        cls = type(self)
        names = cls.__dict__.get("_fiscal_system_only_names")
        if names is None:
            names = set(super()._access_system_only_fields())
            for name, field in self._fields.items():
                if name in models.MAGIC_COLUMNS or name == "display_name":
                    continue
                if self._fiscal_system_fields == "__all__" or field.compute or field.related:
                    names.add(name)
            names = cls._fiscal_system_only_names = tuple(sorted(names))
        return names

    @api.model_create_multi
    def create(self, vals_list):
        if self._fiscal_system_records and not self.env.su:
            raise AccessError(
                _(
                    "%(model)s records are created by the fiscal actions only (Fiscalize, "
                    "Return receipt, Open shift, Load tax rates…), not by hand.",
                    model=self.env["ir.model"]._get(self._name).name or self._name,
                )
            )
        return super().create(vals_list)
