"""The cells of the store roles' access matrix that Odoo's Purchase app
changes (access_roles' test of the matrix applies them when this addon is
installed): model -> {role: rights}."""

PURCHASE_ORDERS = {
    "administrator": "R W C D",
    "manager": "R",
    "sales": "–",
    "logistics": "R",
    "accountant": "R",
    "marketer": "–",
    "support": "–",
    "purchaser": "R W C D",
}

RIGHTS = {
    "purchase.order": PURCHASE_ORDERS,
    "purchase.order.line": PURCHASE_ORDERS,
    # the Purchaser manages vendors, products and vendor bills, and moves receipts' dates
    "res.partner": {"purchaser": "R* W* C*"},
    "product.template": {"purchaser": "R W C"},
    "product.product": {"purchaser": "R W C"},
    "stock.picking": {"purchaser": "R W"},
    "account.move": {"purchaser": "R* W* C* D*"},
}
