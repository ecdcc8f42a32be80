from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    rf_marketing_opt_out = fields.Boolean(
        string="No marketing messages",
        help="The customer asked for no campaign messages: the segments' rules never "
        "write to the customer (order messages still go out by the customer's channel).",
    )
    rf_customer_id = fields.Many2one(
        "rf.customer", string="RF customer", compute="_compute_rf_customer_id"
    )
    rf_segment_id = fields.Many2one(
        "rf.segment", string="Customer segment", compute="_compute_rf_customer_id"
    )

    def _rf_customer_key(self):
        """The customer this contact belongs to: its normalised phone number,
        or its commercial entity (as ``rf_customer.CUSTOMER_KEY`` in SQL)."""
        self.ensure_one()
        return self.phone_sanitized or f"id:{self.commercial_partner_id.id}"

    def _compute_rf_customer_id(self):
        partners = self.filtered("id")
        keys = {partner.id: partner._rf_customer_key() for partner in partners}
        # sudo: the segment of a contact is shown to whoever sees the contact.
        customers = self.env["rf.customer"].sudo().search([("key", "in", list(set(keys.values())))])
        by_key = {customer.key: customer for customer in customers}
        for partner in self:
            customer = by_key.get(keys.get(partner.id), self.env["rf.customer"])
            partner.rf_customer_id = customer.id
            partner.rf_segment_id = customer.segment_id.id
