from odoo import api, fields, models

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField


class FiscalCashier(models.Model):
    """A Checkbox cashier: signs in by login and password or by PIN code.
    The credentials and the cached token are readable by administrators only."""

    _name = "fiscal.cashier"
    _description = "Checkbox Cashier"
    _inherit = ["access.credential.mixin", "fiscal.system.fields.mixin"]
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    auth_method = fields.Selection(
        [("password", "Login and password"), ("pin", "PIN code")],
        string="Sign-in",
        required=True,
        default="password",
    )
    login = CredentialField("Login")
    password = CredentialField("Password")
    pin_code = CredentialField("PIN code")
    # the token comes from Checkbox's sign-in, never from a person
    access_token = CredentialField(
        "Access token", system_only=True, copy=False, help="Token of the last sign-in (technical)."
    )
    credentials_set = fields.Boolean(
        "Credentials entered",
        compute="_compute_credentials_set",
        help="Whether an administrator has entered the credentials this sign-in needs.",
    )

    @api.depends("auth_method")
    def _compute_credentials_set(self):
        for cashier in self:
            if cashier.auth_method == "pin":
                cashier.credentials_set = bool(cashier._get_credential("pin_code"))
            else:
                cashier.credentials_set = bool(
                    cashier._get_credential("login") and cashier._get_credential("password")
                )

    def _client_credentials(self):
        """Keyword arguments of the Checkbox client for this cashier."""
        self.ensure_one()
        if self.auth_method == "pin":
            return {"pin_code": self._get_credential("pin_code")}
        return {
            "login": self._get_credential("login"),
            "password": self._get_credential("password"),
        }

    def write(self, vals):
        result = super().write(vals)
        if {"login", "password", "pin_code", "auth_method"} & set(vals):
            # new credentials: the token of the old ones is forgotten (a system field)
            super(FiscalCashier, self.sudo()).write({"access_token": False})
        return result

    def _save_token(self, token):
        """Keep the token of a sign-in for the next calls (all workers share
        it). When another worker is saving its own token at the same moment,
        this one keeps its token for itself rather than wait or fail."""
        self.ensure_one()
        if self.env["fiscal.cash.register"]._lock_rows_nowait(self):
            # the token of the sign-in is a system-set credential
            self.sudo().access_token = token

    def _secrets(self):
        self.ensure_one()
        return [
            self._get_credential(name)
            for name in ("login", "password", "pin_code", "access_token")
            if self._get_credential(name)
        ]
