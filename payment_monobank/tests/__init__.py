from . import test_client
from . import test_provider
from . import test_rendering
from . import test_webhook
