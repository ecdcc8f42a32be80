from . import test_client
from . import test_provider
from . import test_reconcile
from . import test_refund
from . import test_security
from . import test_webhook
