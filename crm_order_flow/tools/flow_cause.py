"""Who is moving orders right now, known on the server side only.

The status history records what moved an order (a person, an automation rule
or a carrier update), and a move made for a rule or a carrier is not limited by
the role of the user whose change started it. That fact must never come from
the request: an RPC caller chooses the context of its call, so a context key
would let anyone claim to be a rule. It is kept in a Python context variable
instead, set only by server code (the automation rule's run, the carrier
integration, the order flow's own automatic moves) around the work it does,
and reset when that work ends. Each thread, worker and scheduled action starts
with none: what a client sends is always a person's move.
"""

import contextlib
import contextvars

_CAUSE = contextvars.ContextVar("crm_order_flow_cause", default=None)
_SYNCING = contextvars.ContextVar("crm_order_flow_syncing", default=False)
_STATE_ACTION = contextvars.ContextVar("crm_order_flow_state_action", default=False)

CAUSES = ("user", "rule", "carrier")


@contextlib.contextmanager
def acting_as(cause, automation_id=False):
    """Run the block as an automatic move for ``cause`` ('rule' or
    'carrier'), naming the automation rule when there is one."""
    if cause not in CAUSES:
        raise ValueError(f"unknown order flow cause {cause!r}")
    token = _CAUSE.set((cause, automation_id or False))
    try:
        yield
    finally:
        _CAUSE.reset(token)


def current_cause():
    """``(cause, automation_id)`` of the work running now; ``('user',
    False)`` outside any automatic move."""
    return _CAUSE.get() or ("user", False)


@contextlib.contextmanager
def syncing_state():
    """Odoo's own state follows the business status inside this block: a
    cancellation is the consequence of the status, not a new request."""
    token = _SYNCING.set(True)
    try:
        yield
    finally:
        _SYNCING.reset(token)


def is_syncing_state():
    return _SYNCING.get()


@contextlib.contextmanager
def changing_state():
    """Odoo's own order actions (confirm, cancel, back to quotation, mark as
    sent, lock, unlock) change Odoo's state inside this block, with their own
    checks: a direct write of the state by a person is refused otherwise."""
    token = _STATE_ACTION.set(True)
    try:
        yield
    finally:
        _STATE_ACTION.reset(token)


def is_changing_state():
    return _STATE_ACTION.get() or _SYNCING.get()
