from . import access_status_group
from . import access_status_right
from . import base
from . import base_automation
from . import delivery_carrier
from . import ir_actions_server
from . import mail_render_mixin
from . import order_flow_placeholder_mixin
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_refusal_risk
from . import res_company_refusal_risk
from . import res_config_settings_refusal_risk
from . import sale_order_customer_message
from . import sale_order_stage
from . import sale_order_stage_refusal_risk
from . import sale_order_stage_history
from . import sale_order
from . import sale_order_delivery
from . import sale_order_messaging
from . import sale_order_payment
from . import sale_order_phone_order
from . import sale_order_rule_action
from . import sale_order_status_check
from . import sale_order_refusal_risk
from . import sale_order_storage_reminder
from . import sale_order_line
from . import sale_order_trigger_map

# After sale_order_stage (also through their imports): they add to sale.order,
# whose status column, defaulted on the orders a database already has when the
# addon is installed, needs the status table first.
from . import sale_order_automation_log
from . import res_config_settings_automation_log
from . import sms_template
