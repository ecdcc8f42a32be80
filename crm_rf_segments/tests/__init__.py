from . import test_rf_segments
