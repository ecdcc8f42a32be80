from odoo import fields, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    # Odoo's rule names are not translated: the access matrix names a rule
    # by this label, in the reader's language, when the rule has one.
    access_matrix_name = fields.Char(
        string="Name in the access matrix",
        translate=True,
        help="What the rule leaves to the role, in words, as the access matrix shows it. "
        "Empty: the rule's name.",
    )
