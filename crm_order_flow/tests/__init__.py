from . import test_stages_matrix
from . import test_validations
from . import test_payment
from . import test_history_sla
from . import test_automations
from . import test_messages
from . import test_journey
from . import test_trigger_map
