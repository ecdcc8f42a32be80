from . import access_matrix_line
from . import purchase_order
from . import sale_order_line
