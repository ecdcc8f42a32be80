from odoo import api, fields, models

from odoo.addons.access_roles.models.access_credential_mixin import CredentialField


class FiscalCashier(models.Model):
    """A Checkbox cashier: signs in by login and password or by PIN code.
    The credentials and the cached token are readable by administrators only."""

    _name = "fiscal.cashier"
    _description = "Checkbox Cashier"
    _inherit = ["access.credential.mixin"]
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
    access_token = CredentialField("Access token", help="Token of the last sign-in (technical).")
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

    def _save_token(self, token):
        self.ensure_one()
        self.sudo().access_token = token

    def _secrets(self):
        self.ensure_one()
        return [
            self._get_credential(name)
            for name in ("login", "password", "pin_code", "access_token")
            if self._get_credential(name)
        ]
