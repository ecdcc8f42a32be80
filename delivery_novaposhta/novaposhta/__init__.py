from .client import (  # noqa: F401
    DEFAULT_PRINT_URL,
    DEFAULT_URL,
    NovaPoshtaClient,
    NovaPoshtaError,
    match_waybill,
    parse_date,
    parse_datetime,
    to_float,
    waybill_barcode,
    waybill_is_deleted,
)
