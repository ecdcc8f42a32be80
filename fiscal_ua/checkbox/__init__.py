"""Checkbox API client (plain Python, no Odoo import)."""

from .client import (
    CHECK_URL,
    PRODUCTION_URL,
    TEST_URL,
    CheckboxClient,
    CheckboxError,
    from_kopecks,
    line_sum,
    to_kopecks,
    to_quantity,
)
