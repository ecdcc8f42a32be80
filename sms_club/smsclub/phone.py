"""Phone numbers in SMS Club's format (no Odoo import)."""

import phonenumbers


def normalize_phone(number, region="UA"):
    """``'+38 (050) 111-22-33'`` or ``'0501112233'`` → ``'380501112233'``;
    ``None`` when the number cannot be read or is not a valid number."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(str(number), (region or "UA").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
