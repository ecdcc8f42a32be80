from . import test_store_day
from . import test_suite_integrity
from . import test_parcel_journey
