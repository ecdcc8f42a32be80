"""Plain helpers for secrets: used by the connector addons and their API
clients (no Odoo import here)."""

MASK = "••••"


def mask(secret):
    """``'abcd1234'`` → ``'••••1234'``; short or empty secrets are fully masked."""
    if not secret:
        return ""
    secret = str(secret)
    if len(secret) <= 8:
        return MASK
    return MASK + secret[-4:]


def redact(text, *secrets):
    """Remove every given secret from ``text`` (an error message, a URL, a log
    line) before it is shown or logged."""
    if not text:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), mask(secret))
    return text
