from . import base_automation
from . import sale_cart_recovery
from . import sale_cart_recovery_step
from . import sale_order
from . import website
from . import sale_cart_recovery_report
