from .client import (
    DEFAULT_URL,
    DELIVERED,
    ENROUTE,
    EXPIRED,
    FINAL_STATES,
    MAX_PER_CALL,
    REJECTED,
    UNDELIVERABLE,
    SendResult,
    SmsClubClient,
    SmsClubError,
    chunks_unique,
    parse_status,
)
from .phone import normalize_phone
