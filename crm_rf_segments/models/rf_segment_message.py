from odoo import api, fields, models
from odoo.tools import SQL

from .rf_customer import CUSTOMER_KEY


class RfSegmentMessage(models.Model):
    """One campaign message of a segment (or why it was not sent) and its
    result: the orders the customer placed within the company's campaign
    window after it (``rf.settings.campaign_days``)."""

    _name = "rf.segment.message"
    _description = "Segment campaign message"
    _order = "id desc"
    _rec_name = "template_name"

    visit_id = fields.Many2one(
        "rf.segment.visit",
        required=True,
        index=True,
        ondelete="cascade",
        system_only=True,
        copy=False,
    )
    customer_id = fields.Many2one(
        related="visit_id.customer_id", store=True, string="Customer record"
    )
    partner_id = fields.Many2one(related="visit_id.partner_id", store=True, string="Customer")
    segment_id = fields.Many2one(related="visit_id.segment_id", store=True, string="Segment")
    automation_id = fields.Many2one(
        "base.automation", string="Campaign rule", ondelete="set null", system_only=True, copy=False
    )
    state = fields.Selection(
        [("sent", "Sent"), ("held", "Waits for the sending window"), ("skipped", "Not sent")],
        required=True,
        system_only=True,
        copy=False,
    )
    reason = fields.Char(string="Why not sent", system_only=True, copy=False)
    medium = fields.Selection(
        [("sms", "SMS / Viber"), ("email", "E-mail")], system_only=True, copy=False
    )
    template_name = fields.Char(string="Template", system_only=True, copy=False)
    message_id = fields.Many2one("mail.message", ondelete="set null", system_only=True, copy=False)
    scheduled_date = fields.Datetime(string="Goes out at", system_only=True, copy=False)
    sent_count = fields.Integer(
        string="Messages sent",
        compute="_compute_sent_count",
        store=True,
        system_only=True,
        copy=False,
    )
    orders_after = fields.Integer(string="Orders after the message", system_only=True, copy=False)
    revenue_after = fields.Float(string="Revenue after the message", system_only=True, copy=False)

    @api.depends("state")
    def _compute_sent_count(self):
        for log in self:
            log.sent_count = 1 if log.state in ("sent", "held") else 0

    @api.model
    def _rf_refresh_results(self):
        """The orders (not cancelled nor returned) each customer placed within
        the campaign window after a message sent in the last window, by SQL."""
        self.env.flush_all()
        days = self.env["rf.settings"]._rf_for_company().campaign_days or 30
        excluded = tuple(
            self.env["sale.order.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("code", "in", ("cancelled", "returned"))])
            .ids
        ) or (0,)
        self.env.cr.execute(
            SQL(
                """
            WITH recent AS (
                SELECT m.id, c.key, COALESCE(m.scheduled_date, m.create_date) AS sent_at
                  FROM rf_segment_message m
                  JOIN rf_customer c ON c.id = m.customer_id
                 WHERE m.state IN ('sent', 'held')
                   AND COALESCE(m.scheduled_date, m.create_date)
                       >= %(now)s - make_interval(days => %(days)s + 1)
            ), results AS (
                SELECT r.id, COUNT(so.id) AS orders, COALESCE(SUM(so.amount_total), 0) AS revenue
                  FROM recent r
                  LEFT JOIN res_partner p ON %(key)s = r.key
                  LEFT JOIN sale_order so
                         ON so.partner_id = p.id
                        AND so.date_order >= r.sent_at
                        AND so.date_order < r.sent_at + make_interval(days => %(days)s)
                        AND so.stage_id NOT IN %(excluded)s
                 GROUP BY r.id
            )
            UPDATE rf_segment_message m
               SET orders_after = results.orders, revenue_after = results.revenue
              FROM results
             WHERE results.id = m.id
            """,
                now=fields.Datetime.now(),
                days=days,
                key=CUSTOMER_KEY,
                excluded=excluded,
            )
        )
        self.env.invalidate_all()
