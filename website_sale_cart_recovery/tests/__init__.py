from . import test_cart_recovery
from . import test_cart_recovery_api
from . import test_cart_restore
