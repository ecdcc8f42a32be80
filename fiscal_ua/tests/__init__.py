from . import test_checkbox_client
from . import test_payload
from . import test_fiscalize_invoice
from . import test_shifts
from . import test_orders
from . import test_access
from . import test_faults
from . import test_security
