from . import test_odoo_methods_pinned
from . import test_rule_lookup
from . import test_same_rules_as_odoo
