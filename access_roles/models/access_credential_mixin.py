from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.credentials import mask


def CredentialField(string, **kwargs):
    """A credential (API key, token, password, PIN, licence key).

    Readable and writable by administrators only (the field's groups), never
    copied, never tracked in the chatter. The model must inherit
    ``access.credential.mixin``; business code reads the value with
    :meth:`_get_credential`, which works for any user running a connector.
    """
    kwargs.setdefault("groups", "base.group_system")
    kwargs.setdefault("copy", False)
    kwargs.setdefault("prefetch", False)
    return fields.Char(string, credential=True, **kwargs)


class AccessCredentialMixin(models.AbstractModel):
    """Convention for the credentials of external services: declared with
    CredentialField(), read by the connector with _get_credential()."""

    _name = "access.credential.mixin"
    _description = "Credentials of External Services"

    def _valid_field_parameter(self, field, name):
        return name == "credential" or super()._valid_field_parameter(field, name)

    @api.model
    def _credential_field_names(self):
        return [name for name, field in self._fields.items() if getattr(field, "credential", False)]

    def _get_credential(self, field_name):
        """The secret value, for the connector code only: never put it in a
        log line, a URL, a message or an exception text."""
        self.ensure_one()
        if field_name not in self._credential_field_names():
            raise AccessError(_("“%(field)s” is not a credential field.", field=field_name))
        return self.sudo()[field_name] or False

    def _get_credential_masked(self, field_name):
        """A masked form of the secret (last four characters), safe to show."""
        return mask(self._get_credential(field_name))
