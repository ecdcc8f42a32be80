from . import payment_link
