"""What the automation rule running now did on each order, for the
automation journal (``sale.order.automation.log``).

An automation rule's run on orders (``base.automation._process``) opens a
journal run; while it lasts, the order flow's executors (customer messages,
activities, automatic moves) note per order what they did or why they did
nothing, and the rule's server actions note their errors. When the run ends
the notes become journal entries, written at once. Kept in a Python context
variable like the cause of a move (``flow_cause``): server code alone sets it,
nothing the client sends reaches it, and each thread starts without one.
"""

import contextlib
import contextvars

_RUN = contextvars.ContextVar("crm_order_flow_journal_run", default=None)

# The results of a rule's run on an order, from the most to the least telling:
# an order's entry shows the first one any of its notes has ("code": a dry-run
# reports an action it does not try).
RESULTS = ("error", "refused", "done", "code", "skipped")


class JournalRun:
    """The notes of one run of one automation rule: per order id, a list of
    dicts (``result`` one of RESULTS, ``reason``, ``detail`` and the links of
    the journal entry; ``quiet`` for a skip that only says another action of
    the rule does the work, e.g. the e-mail of a customer who gets SMS)."""

    def __init__(self, automation_id, trigger):
        self.automation_id = automation_id
        self.trigger = trigger
        self.notes = {}
        self.action_id = False
        # An action's database error aborted the transaction: nothing can
        # be written any more, the journal included.
        self.aborted = False

    def note(self, order_id, result, **values):
        values["result"] = result
        values.setdefault("action_id", self.action_id)
        self.notes.setdefault(order_id, []).append(values)

    def has_note(self, order_id, action_id):
        return any(note["action_id"] == action_id for note in self.notes.get(order_id, ()))


@contextlib.contextmanager
def journal_run(automation_id, trigger):
    """Collect the notes of the rule ``automation_id`` run now."""
    run = JournalRun(automation_id, trigger)
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


@contextlib.contextmanager
def journal_action(action_id):
    """The server action ``action_id`` of the rule runs inside the block."""
    run = _RUN.get()
    if run is None:
        yield None
        return
    previous, run.action_id = run.action_id, action_id
    try:
        yield run
    finally:
        run.action_id = previous


def journal_note(order_id, result, **values):
    """Note what the running rule did on the order ``order_id`` (nothing
    outside a rule's run: a person's button, a carrier update)."""
    run = _RUN.get()
    if run is not None:
        run.note(order_id, result, **values)


# What a note may link to (journal fields), and what a dry-run's note adds.
LINKS = ("message_id", "customer_message_id", "activity_id", "stage_id", "template", "send_at")


def merge_notes(notes):
    """The journal entry's values for one order from its notes: the most
    telling result, its reasons, what was done and the first link of each
    kind."""
    loud = [note for note in notes if not note.get("quiet")] or notes
    result = min((note["result"] for note in loud), key=RESULTS.index)
    reasons = []
    details = []
    links = {}
    for note in loud:
        if note["result"] == result and note.get("reason") and note["reason"] not in reasons:
            reasons.append(note["reason"])
        if note.get("detail") and note["detail"] not in details:
            details.append(note["detail"])
        for key in LINKS:
            if note.get(key) and not links.get(key):
                links[key] = note[key]
    return dict(
        links,
        result=result,
        reason="\n".join(reasons) or False,
        detail="\n".join(details) or False,
    )
