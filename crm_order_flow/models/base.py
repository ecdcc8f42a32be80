from odoo import models

from ..tools.phone import ua_national_number


class Base(models.AbstractModel):
    _inherit = "base"

    def _phone_format_number(self, number, country, force_format="E164", raise_exception=False):
        # The store's phone rule (tools/phone.py) in Odoo's own phone
        # machinery (sanitized numbers, SMS recipients, contact forms): a
        # number written the Ukrainian way is Ukrainian, whatever the country
        # of the company or of the contact says.
        national = ua_national_number(number)
        if national:
            number, country = "+380" + national, self.env.ref("base.ua")
        return super()._phone_format_number(
            number, country, force_format=force_format, raise_exception=raise_exception
        )
