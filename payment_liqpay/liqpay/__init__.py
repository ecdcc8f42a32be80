"""LiqPay API v3 client (plain Python, no Odoo import)."""

from .client import (  # noqa: F401
    API_VERSION,
    BAD_ANSWER,
    CONNECTION,
    DEFAULT_API_URL,
    PAYMENT_NOT_FOUND,
    RATE_LIMITED,
    SERVER_ERROR,
    TIMEOUT,
    UNREACHABLE_CODES,
    LiqPayClient,
    LiqPayError,
    decode_data,
    encode_data,
    format_amount,
    scrub,
    sign,
    verify,
)
