"""The cells of the store roles' access matrix that the customer segments
change (access_roles' test of the matrix applies them when this addon is
installed): model -> {role: rights}."""

RIGHTS = {
    # the Marketer tunes the segments' campaign rules only (a record rule), and
    # edits SMS templates of orders and segments only
    "base.automation": {"marketer": "R* W*"},
    "sms.template": {"marketer": "R W* C*"},
}

PROTECTED = {
    ("marketer", "base.automation"): ["may change only"],
}
