from . import test_client
from . import test_provider
