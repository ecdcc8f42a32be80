from .flow_cause import (
    acting_as,
    changing_state,
    current_cause,
    is_changing_state,
    is_syncing_state,
    syncing_state,
)
from .flow_journal import (
    journal_action,
    journal_note,
    journal_run,
    merge_notes,
)
from .phone import is_ua_number, phone_e164, phone_national_digits
from .sms_segments import sms_segments


def error_text(error):
    """The message of an Odoo exception, as shown to the user."""
    return error.args[0] if error.args else str(error)
