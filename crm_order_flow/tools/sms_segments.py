"""SMS length arithmetic (plain Python, no Odoo import).

A text that fits the GSM 03.38 alphabet is sent 7-bit: 160 characters in one
SMS, 153 per part of a long one (the rest carries the concatenation header).
Any other character (Cyrillic, for instance) switches the whole text to UCS-2:
70 characters in one SMS, 67 per part. Characters of the GSM extension table
count twice in 7-bit mode.
"""

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def sms_segments(text):
    """Return ``(length, segments, encoding)`` of ``text`` as an SMS.

    ``length`` counts characters as the network does (GSM extension
    characters count twice in 7-bit mode), ``encoding`` is ``"gsm7"`` or
    ``"ucs2"``, ``segments`` is 0 for an empty text.
    """
    text = text or ""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        length = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, part, encoding = 160, 153, "gsm7"
    else:
        # UCS-2 counts UTF-16 code units: characters beyond the BMP take two.
        length = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
        single, part, encoding = 70, 67, "ucs2"
    if not length:
        return 0, 0, encoding
    if length <= single:
        return length, 1, encoding
    return length, -(-length // part), encoding
