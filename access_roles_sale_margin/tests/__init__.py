from . import test_margin_roles
