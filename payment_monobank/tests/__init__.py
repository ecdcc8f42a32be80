from . import test_client
from . import test_provider
from . import test_rendering
from . import test_webhook
from . import test_reconcile
from . import test_refund
