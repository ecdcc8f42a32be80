from . import novaposhta_waybill_bulk
