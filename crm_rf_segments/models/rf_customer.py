"""The store's customers by recency and frequency, recomputed in SQL.

A customer is everyone sharing a normalised phone number (Odoo's
``phone_sanitized`` of the contact, computed by the suite's phone rule, so
"067…" and "+38067…" are one buyer), or a contact (its commercial entity)
without a usable number. Recency: days since the customer's last completed
order; frequency: completed orders; the grid ``rf.segment.grid`` gives the
segment of each recency band × frequency band.
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL

from .rf_segment_grid import FREQUENCY_BANDS, RECENCY_BANDS

_logger = logging.getLogger(__name__)

# The customer key of a contact ``p`` (res_partner), in SQL and in Python
# (``res.partner._rf_customer_key``).
CUSTOMER_KEY = SQL("COALESCE(p.phone_sanitized, 'id:' || p.commercial_partner_id)")
# Order statuses counted as completed orders.
COMPLETED_CODES = ("done", "partially_done")
# Visits created per ORM batch (each batch runs the segment entry rules).
VISIT_BATCH = 1000


class RfCustomer(models.Model):
    _name = "rf.customer"
    _description = "Customer by recency and frequency"
    _order = "revenue desc, id"
    _rec_name = "partner_id"

    key = fields.Char(
        string="Customer key",
        required=True,
        index=True,
        system_only=True,
        copy=False,
        help="The normalised phone number shared by the customer's contacts, or the contact.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="cascade",
        system_only=True,
        copy=False,
        help="The contact of the customer's last completed order.",
    )
    phone = fields.Char(related="partner_id.phone_sanitized", string="Phone")
    last_order_date = fields.Datetime(string="Last completed order", system_only=True, copy=False)
    recency_days = fields.Integer(
        string="Recency (days)", system_only=True, copy=False, aggregator="avg"
    )
    frequency = fields.Integer(
        string="Frequency (orders)", system_only=True, copy=False, aggregator="avg"
    )
    revenue = fields.Float(system_only=True, copy=False)
    recency_band = fields.Selection(RECENCY_BANDS, system_only=True, copy=False)
    frequency_band = fields.Selection(FREQUENCY_BANDS, system_only=True, copy=False)
    segment_id = fields.Many2one(
        "rf.segment", index=True, ondelete="set null", system_only=True, copy=False
    )
    segment_date = fields.Datetime(string="In the segment since", system_only=True, copy=False)
    visit_ids = fields.One2many(
        "rf.segment.visit", "customer_id", string="Segment history", readonly=True
    )

    _sql_constraints = [("key_uniq", "unique(key)", "One customer per key.")]

    # ------------------------------------------------------------ recompute
    @api.model
    def _cron_rf_recompute(self):
        """Nightly: every customer's recency, frequency and segment, then the
        campaigns' results."""
        self._rf_recompute()
        self.env["rf.segment.message"]._rf_refresh_results()

    @api.model
    def _rf_recompute(self, partners=None):
        """Recompute the customers of ``partners`` (every customer when
        None) with one SQL aggregation over the completed orders, then record
        each move between segments (``rf.segment.visit``, whose creation runs
        the segments' entry rules). Returns the visits created."""
        cr = self.env.cr
        self.env.flush_all()
        stages = self.env["sale.order.stage"].sudo().with_context(active_test=False)
        stage_ids = tuple(stages.search([("code", "in", COMPLETED_CODES)]).ids) or (0,)
        thresholds = self.env["rf.settings"]._rf_for_company()._rf_thresholds()
        scope_orders, scope_customers = SQL(""), SQL("")
        if partners is not None:
            keys = tuple({partner._rf_customer_key() for partner in partners if partner})
            if not keys:
                return self.env["rf.segment.visit"]
            # The contacts of these customers (index on phone_sanitized).
            commercial_ids = tuple(int(key[3:]) for key in keys if key.startswith("id:")) or (0,)
            cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE phone_sanitized IN %s "
                    "OR commercial_partner_id IN %s",
                    keys,
                    commercial_ids,
                )
            )
            partner_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            scope_orders = SQL(
                "AND so.partner_id IN %s AND %s IN %s", partner_ids, CUSTOMER_KEY, keys
            )
            scope_customers = SQL("AND c.key IN %s", keys)
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """
            WITH agg AS (
                SELECT %(key)s AS key,
                       MAX(so.date_order) AS last_order_date,
                       COUNT(*) AS frequency,
                       SUM(so.amount_total) AS revenue,
                       (ARRAY_AGG(so.partner_id ORDER BY so.date_order DESC, so.id DESC))[1]
                           AS partner_id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.stage_id IN %(stage_ids)s %(scope_orders)s
                 GROUP BY 1
            ), banded AS (
                SELECT agg.*,
                       %(today)s::date - agg.last_order_date::date AS recency_days,
                       CASE WHEN %(today)s::date - agg.last_order_date::date <= %(r1)s THEN '1'
                            WHEN %(today)s::date - agg.last_order_date::date <= %(r2)s THEN '2'
                            WHEN %(today)s::date - agg.last_order_date::date <= %(r3)s THEN '3'
                            ELSE '4' END AS recency_band,
                       CASE WHEN agg.frequency <= %(f1)s THEN '1'
                            WHEN agg.frequency <= %(f2)s THEN '2'
                            ELSE '3' END AS frequency_band
                  FROM agg
            ), upserted AS (
                INSERT INTO rf_customer (key, partner_id, last_order_date, recency_days,
                                         frequency, revenue, recency_band, frequency_band,
                                         segment_id, create_uid, create_date, write_uid,
                                         write_date)
                SELECT b.key, b.partner_id, b.last_order_date, b.recency_days, b.frequency,
                       b.revenue, b.recency_band, b.frequency_band, g.segment_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM banded b
                  LEFT JOIN rf_segment_grid g
                         ON g.recency_band = b.recency_band
                        AND g.frequency_band = b.frequency_band
                ON CONFLICT (key) DO UPDATE
                   SET partner_id = EXCLUDED.partner_id,
                       last_order_date = EXCLUDED.last_order_date,
                       recency_days = EXCLUDED.recency_days,
                       frequency = EXCLUDED.frequency,
                       revenue = EXCLUDED.revenue,
                       recency_band = EXCLUDED.recency_band,
                       frequency_band = EXCLUDED.frequency_band,
                       segment_id = EXCLUDED.segment_id,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE (rf_customer.partner_id, rf_customer.last_order_date,
                        rf_customer.recency_days, rf_customer.frequency, rf_customer.revenue,
                        rf_customer.segment_id)
                       IS DISTINCT FROM
                       (EXCLUDED.partner_id, EXCLUDED.last_order_date, EXCLUDED.recency_days,
                        EXCLUDED.frequency, EXCLUDED.revenue, EXCLUDED.segment_id)
                RETURNING 1
            ), gone AS (
                -- Customers left without a completed order (returned orders).
                UPDATE rf_customer c
                   SET frequency = 0, revenue = 0, recency_days = NULL,
                       last_order_date = NULL, recency_band = NULL,
                       frequency_band = NULL, segment_id = NULL,
                       write_uid = %(uid)s, write_date = %(now)s
                 WHERE c.frequency > 0 %(scope_customers)s
                   AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.key = c.key)
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM upserted), (SELECT COUNT(*) FROM gone)
            """,
                key=CUSTOMER_KEY,
                stage_ids=stage_ids,
                scope_orders=scope_orders,
                scope_customers=scope_customers,
                today=today,
                uid=self.env.uid,
                now=now,
                **thresholds,
            )
        )
        changed, gone = cr.fetchone()
        _logger.info("RF segments: %s customers updated, %s without orders", changed, gone)
        self.env.invalidate_all()
        return self._rf_record_moves(scope_customers, now)

    @api.model
    def _rf_record_moves(self, scope_customers, now):
        """Close the segment visit of each customer whose segment changed and
        open one in the new segment (in batches, through the ORM: the
        creation of a visit runs the segments' entry rules)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            SELECT c.id, c.segment_id, c.partner_id, v.id, v.segment_id
              FROM rf_customer c
              LEFT JOIN rf_segment_visit v ON v.customer_id = c.id AND v.date_out IS NULL
             WHERE c.segment_id IS DISTINCT FROM v.segment_id %s
             ORDER BY c.id
            """,
                scope_customers,
            )
        )
        moves = cr.fetchall()
        if not moves:
            return self.env["rf.segment.visit"]
        closing = tuple(visit_id for __, __, __, visit_id, __ in moves if visit_id)
        if closing:
            cr.execute(
                SQL(
                    "UPDATE rf_segment_visit SET date_out = %s, is_current = false WHERE id IN %s",
                    now,
                    closing,
                )
            )
        entering = [move for move in moves if move[1]]
        if entering:
            cr.execute(
                SQL(
                    "UPDATE rf_customer SET segment_date = %s WHERE id IN %s",
                    now,
                    tuple(move[0] for move in entering),
                )
            )
        self.env.invalidate_all()
        if not self._rf_entry_rules_active():
            # No rule reacts to a customer entering a segment: the visits are
            # written by one SQL statement (the time-based rules find them
            # like any other visit).
            return self._rf_insert_visits(entering, now)
        # sudo: the history of the segments is the system's bookkeeping.
        Visit = (
            self.env["rf.segment.visit"]
            .sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        )
        visits = Visit.browse()
        for start in range(0, len(entering), VISIT_BATCH):
            batch = entering[start : start + VISIT_BATCH]
            visits |= Visit.create(
                [
                    {
                        "customer_id": customer_id,
                        "partner_id": partner_id,
                        "segment_id": segment_id,
                        "previous_segment_id": previous_id or False,
                        "date_in": now,
                    }
                    for customer_id, segment_id, partner_id, __, previous_id in batch
                ]
            )
        return visits

    @api.model
    def _rf_entry_rules_active(self):
        """Whether an active automation rule runs when a visit is created."""
        # sudo: which rules exist decides how the history is written, whoever runs.
        return bool(
            self.env["base.automation"]
            .sudo()
            .search_count(
                [
                    ("model_id.model", "=", "rf.segment.visit"),
                    ("trigger", "in", ("on_create", "on_create_or_write")),
                ],
                limit=1,
            )
        )

    @api.model
    def _rf_insert_visits(self, entering, now):
        """The new visits of ``entering`` (customer, segment, partner, old
        visit, old segment), inserted by SQL. Returns them."""
        if not entering:
            return self.env["rf.segment.visit"]
        company_id = self.env.company.id
        ids = []
        for start in range(0, len(entering), 50000):
            batch = entering[start : start + 50000]
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO rf_segment_visit (customer_id, segment_id, partner_id,
                                              previous_segment_id, date_in, is_current,
                                              company_id, create_uid, create_date,
                                              write_uid, write_date)
                SELECT v.customer_id, v.segment_id, v.partner_id, v.previous_id, %(now)s,
                       true, %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(customers)s::int[], %(segments)s::int[], %(partners)s::int[],
                              %(previous)s::int[])
                       AS v(customer_id, segment_id, partner_id, previous_id)
                RETURNING id
                """,
                    now=now,
                    company=company_id,
                    uid=self.env.uid,
                    customers=[move[0] for move in batch],
                    segments=[move[1] for move in batch],
                    partners=[move[2] for move in batch],
                    previous=[move[4] for move in batch],
                )
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        return self.env["rf.segment.visit"].browse(ids)
