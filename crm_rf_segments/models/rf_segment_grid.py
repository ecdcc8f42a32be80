from odoo import fields, models

RECENCY_BANDS = [
    ("1", "Recent"),
    ("2", "Cooling"),
    ("3", "Fading"),
    ("4", "Gone"),
]
FREQUENCY_BANDS = [
    ("1", "One-time"),
    ("2", "Repeat"),
    ("3", "Frequent"),
]


class RfSegmentGrid(models.Model):
    """One cell of the grid recency band × frequency band → segment."""

    _name = "rf.segment.grid"
    _description = "Customer segment grid cell"
    _order = "recency_band, frequency_band"
    _rec_name = "segment_id"

    recency_band = fields.Selection(RECENCY_BANDS, required=True)
    frequency_band = fields.Selection(FREQUENCY_BANDS, required=True)
    segment_id = fields.Many2one("rf.segment", required=True, ondelete="restrict")

    _sql_constraints = [
        (
            "cell_uniq",
            "unique(recency_band, frequency_band)",
            "Each cell of the segment grid (recency × frequency) is defined once.",
        )
    ]
