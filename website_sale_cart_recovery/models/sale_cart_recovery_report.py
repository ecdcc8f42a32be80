from odoo import fields, models, tools


class SaleCartRecoveryReport(models.Model):
    """The results of the reminder chains, aggregated per company, website,
    month and step reached: what Marketers see (no single order's amounts)."""

    _name = "sale.cart.recovery.report"
    _description = "Abandoned Cart Results"
    _auto = False
    _order = "month desc, step"
    _rec_name = "month"

    company_id = fields.Many2one("res.company", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    month = fields.Date(string="Month abandoned", readonly=True)
    step = fields.Integer(string="Step reached", readonly=True)
    cart_count = fields.Integer(string="Carts", readonly=True)
    message_count = fields.Integer(string="Reminders sent", readonly=True)
    recovered_count = fields.Integer(string="Recovered carts", readonly=True)
    recovered_amount = fields.Monetary(string="Recovered revenue", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT
                    MIN(r.id) AS id,
                    r.company_id,
                    r.website_id,
                    c.currency_id,
                    DATE_TRUNC('month', r.abandoned_date)::date AS month,
                    r.step,
                    COUNT(*) AS cart_count,
                    SUM(r.message_count) AS message_count,
                    SUM(r.recovered_count) AS recovered_count,
                    SUM(r.recovered_amount) AS recovered_amount
                FROM sale_cart_recovery r
                JOIN res_company c ON c.id = r.company_id
                GROUP BY r.company_id, r.website_id, c.currency_id,
                    DATE_TRUNC('month', r.abandoned_date), r.step
            )
            """
        )
