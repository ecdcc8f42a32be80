from . import test_client
from . import test_faults
from . import test_provider
from . import test_security
from . import test_settings_tour
