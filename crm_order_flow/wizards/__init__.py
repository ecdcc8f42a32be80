from . import sale_order_stage_change
from . import sale_order_customer_message_compose
from . import sms_template_preview
from . import mail_template_preview
from . import sale_order_refusal_waiver
from . import base_automation_dry_run
