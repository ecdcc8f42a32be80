"""The store's one phone rule (no Odoo import).

The store sells in Ukraine: a number written the Ukrainian way — ``067 123 45
67``, ``0671234567``, ``8 067 123 45 67``, ``380671234567``, ``+380 67 123 45
67`` or ``00380…`` — is a Ukrainian number whatever the country of the company
or of the contact says. Any other number is read in the country given.
"""

import re

import phonenumbers

# Separators people type inside a number.
SEPARATORS = re.compile(r"[\s().\-/]")
# A Ukrainian number: a trunk or country prefix and the nine digits of the
# national number (operator code + subscriber).
UA_SHAPE = re.compile(r"^(?:\+380|00380|380|80|0)([1-9]\d{8})$")


def ua_national_number(number):
    """The nine-digit national number of ``number`` when it is written as a
    valid Ukrainian number, else ``None``."""
    match = UA_SHAPE.match(SEPARATORS.sub("", str(number or "")))
    if not match:
        return None
    parsed = phonenumbers.parse("+380" + match.group(1))
    return match.group(1) if phonenumbers.is_valid_number(parsed) else None


def is_ua_number(number):
    """Whether ``number`` is written as a valid Ukrainian number."""
    return ua_national_number(number) is not None


def phone_parse(number, region="UA"):
    """``number`` as a valid ``phonenumbers.PhoneNumber`` after the store's
    rule (Ukrainian spellings first, then ``region``), or ``None``."""
    national = ua_national_number(number)
    if national:
        return phonenumbers.parse("+380" + national)
    try:
        parsed = phonenumbers.parse(str(number or ""), (region or "UA").upper())
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def phone_e164(number, region="UA"):
    """``number`` as ``+380671234567`` (E.164), or ``None`` when it is not a
    valid number."""
    parsed = phone_parse(number, region)
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if parsed else None
    )


def phone_national_digits(number, region="UA"):
    """The national significant number (``671234567``): every usual spelling
    of a number, national or international, ends with it. ``None`` when the
    number is not valid."""
    parsed = phone_parse(number, region)
    return phonenumbers.national_significant_number(parsed) if parsed else None
