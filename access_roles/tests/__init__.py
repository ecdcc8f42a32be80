from . import test_access_matrix
from . import test_credentials
from . import test_field_policy
from . import test_role_access
from . import test_role_screens
from . import test_role_selector
from . import test_status_rights
from . import test_system_only
