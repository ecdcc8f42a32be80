import re

from odoo import api, fields, models

from ..tools import sms_segments

PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    body_length = fields.Integer(
        string="Characters",
        compute="_compute_body_segments",
        help="Length of the text without its placeholders, as the network counts it.",
    )
    body_segments = fields.Integer(
        string="SMS segments",
        compute="_compute_body_segments",
        help="SMS parts the text takes: 70 Cyrillic characters fit in one SMS (67 per part "
        "of a longer one), 160 plain Latin ones (153 per part).",
    )
    body_placeholder_count = fields.Integer(string="Placeholders", compute="_compute_body_segments")

    @api.depends("body")
    def _compute_body_segments(self):
        for template in self:
            text = template.body or ""
            placeholders = PLACEHOLDER.findall(text)
            length, segments, _encoding = sms_segments(PLACEHOLDER.sub("", text))
            template.body_length = length
            template.body_segments = segments
            template.body_placeholder_count = len(placeholders)
