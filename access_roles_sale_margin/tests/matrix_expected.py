"""What Sale margin changes in the store roles' access matrix (access_roles'
test of the matrix applies it when this addon is installed): fragments of
the protected fields of (role, model)."""

PROTECTED = {
    ("support", "sale.order.line"): ["Margin: hidden"],
    ("sales", "sale.order"): ["Margin: hidden"],
}
