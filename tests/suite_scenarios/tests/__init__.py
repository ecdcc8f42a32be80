from . import test_store_day
from . import test_suite_integrity
