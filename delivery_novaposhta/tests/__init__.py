from . import test_client
from . import test_directories
from . import test_waybill
from . import test_tracking
from . import test_access
from . import test_faults
from . import test_security
from . import test_order_screen
