from .client import (
    DEFAULT_API_URL,
    DEFAULT_TIMEOUT,
    MonobankClient,
    MonobankError,
    decode_public_key,
    verify_signature,
)
