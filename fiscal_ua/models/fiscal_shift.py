import pytz

from odoo import api, fields, models

from .fiscal_cash_register import KYIV, kyiv_now

STATUSES = [
    ("CREATED", "Created"),
    ("OPENING", "Opening"),
    ("OPENED", "Open"),
    ("CLOSING", "Closing"),
    ("CLOSED", "Closed"),
]


class FiscalShift(models.Model):
    """A shift of a cash register in Checkbox (opened before the first
    receipt of the day, closed with a Z-report before midnight)."""

    _name = "fiscal.shift"
    _inherit = ["fiscal.system.fields.mixin"]
    _description = "Cash Register Shift"
    _order = "id desc"
    # a shift is Checkbox's: opened and closed by the register's actions only
    _fiscal_system_fields = "__all__"
    _fiscal_system_records = True

    register_id = fields.Many2one(
        "fiscal.cash.register", "Cash register", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="register_id.company_id", store=True)
    cashier_id = fields.Many2one("fiscal.cashier", ondelete="set null")
    checkbox_id = fields.Char("Checkbox id", required=True, copy=False, index=True)
    serial = fields.Integer("Number")
    status = fields.Selection(STATUSES, required=True, default="CREATED")
    opened_at = fields.Datetime("Opened at")
    closed_at = fields.Datetime("Closed at")
    z_report = fields.Text("Z-report", readonly=True)
    x_report = fields.Text("Last X-report", readonly=True)
    receipt_ids = fields.One2many("fiscal.receipt", "shift_id", "Receipts")
    receipt_count = fields.Integer("Receipts count", compute="_compute_receipt_count")

    _sql_constraints = [
        ("checkbox_id_uniq", "unique(checkbox_id)", "A Checkbox shift is recorded once.")
    ]

    @api.depends("serial", "register_id", "opened_at")
    def _compute_display_name(self):
        for shift in self:
            shift.display_name = f"{shift.register_id.name or ''} #{shift.serial or '?'}"

    def _compute_receipt_count(self):
        data = self.env["fiscal.receipt"]._read_group(
            [("shift_id", "in", self.ids)], ["shift_id"], ["__count"]
        )
        counts = {shift.id: count for shift, count in data}
        for shift in self:
            shift.receipt_count = counts.get(shift.id, 0)

    def _is_stale(self):
        """Opened on an earlier day (Europe/Kyiv) than today."""
        if not self:
            return False
        self.ensure_one()
        if not self.opened_at:
            return False
        opened = pytz.utc.localize(self.opened_at).astimezone(KYIV).date()
        return opened < kyiv_now().date()

    def action_close(self):
        self.ensure_one()
        return self.register_id.action_close_shift()

    def action_x_report(self):
        self.ensure_one()
        return self.register_id.action_x_report()

    def action_view_receipts(self):
        self.ensure_one()
        self.check_access("read")
        self.env["fiscal.receipt"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("fiscal_ua.fiscal_receipt_action")
        action["domain"] = [("shift_id", "=", self.id)]
        action["context"] = {}
        return action
