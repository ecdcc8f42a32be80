"""Who sees the fiscal fields the addon adds to invoices and orders (the
``groups`` of those fields; the views show them to the same roles).

- ``FISCAL_GROUPS``: the roles that work with or check the fiscal side of
  the store and read its invoices: the Administrator, the Manager and the
  Accountant. They see an invoice's fiscal state and receipts and an
  order's expected payment form.
- ``RECEIPT_READERS``: those, plus Customer Support, who reads the receipts
  (not the invoices) to answer customers about them: they see an order's
  receipts.

Every other role (Sales, Logistics, Marketer, Purchaser) sees none of these
fields.
"""

FISCAL_GROUPS = (
    "access_roles.group_role_administrator,"
    "access_roles.group_role_manager,"
    "access_roles.group_role_accountant"
)
RECEIPT_READERS = FISCAL_GROUPS + ",access_roles.group_role_support"
