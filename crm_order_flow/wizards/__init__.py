from . import sale_order_stage_change
