from . import models
from . import wizards

# The reminder chain counts from the cart's last change: Odoo's own default
# delay (10 hours) is replaced by the store's (1 hour) on the websites that
# still have it.
NATIVE_ABANDONED_DELAY = 10.0


def post_init_hook(env):
    env["website"].search([("cart_abandoned_delay", "=", NATIVE_ABANDONED_DELAY)]).write(
        {"cart_abandoned_delay": 1.0}
    )
