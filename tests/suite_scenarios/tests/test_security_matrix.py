"""Gaps between the access matrix and what a role gets over RPC: a Sales
Manager reads the invoices of his own orders only, and exporting lists is a
right of the role (the same for every user of the role, however the user was
made), given to the roles whose group grants it and refused to the others."""

import json

from odoo.tests import tagged

from .security_common import ROLES, SecurityCase


@tagged("post_install", "-at_install")
class TestSecurityMatrixGaps(SecurityCase):
    # ----------------------------------------------------------- invoices
    def test_sales_manager_reads_only_own_orders_invoices(self):
        answer = self.call(
            "sales",
            "account.move",
            "search_read",
            [("move_type", "in", ["out_invoice", "out_refund"])],
            ["partner_id"],
        )
        seen = {row["id"] for row in self.assertAccepted(answer)}
        self.assertIn(self.invoice_own.id, seen, "the invoice of an own order")
        self.assertNotIn(self.invoice_other.id, seen, "a colleague's order's invoice")
        self.assertNotIn(
            self.invoice_lonely.id, seen, "the invoice of a customer without salesperson"
        )
        for invoice in (self.invoice_other, self.invoice_lonely):
            with self.subTest(invoice=invoice.name):
                self.assertRefused(
                    self.call("sales", "account.move", "read", invoice.ids, ["amount_total"])
                )
        answer = self.execute_kw(
            "sales",
            "account.move",
            "search_count",
            [[("id", "in", (self.invoice_other | self.invoice_lonely).ids)]],
        )
        self.assertEqual(answer.result or 0, 0, answer.describe())

    # ------------------------------------------------------------- export
    def export_roles(self):
        """The roles whose group grants exporting (Administrators always
        may: Odoo lets administrators export)."""
        export = self.env.ref("base.group_allow_export")
        roles = {"administrator"}
        for role in ROLES:
            group = self.env.ref(f"access_roles.group_role_{role}")
            if export in group.trans_implied_ids:
                roles.add(role)
        return roles

    def try_export(self, role, record):
        answer = self.call(role, record._name, "export_data", record.ids, ["name"])
        data = {
            "data": json.dumps(
                {
                    "model": record._name,
                    "fields": [{"name": "name", "label": "Name"}],
                    "ids": record.ids,
                    "domain": [],
                    "import_compat": False,
                }
            )
        }
        response = self.http_request(role, "/web/export/csv", data=data)
        return answer, response

    def test_export_follows_the_matrix(self):
        allowed = self.export_roles()
        product = self.product.product_tmpl_id
        failures = []
        for role in ROLES:
            answer, response = self.try_export(role, product)
            csv_ok = response.status_code == 200 and "H-Sec Kettle" in response.text
            if role in allowed:
                if not answer.ok or not csv_ok:
                    failures.append(f"{role} may export but cannot: {answer.describe()}")
            else:
                if answer.ok or csv_ok:
                    failures.append(f"{role} may not export but did")
                elif answer.error_class not in ("UserError", "AccessError"):
                    failures.append(f"{role}: export refused unclearly: {answer.describe()}")
        self.assertFalse(failures, f"export roles {sorted(allowed)}:\n" + "\n".join(failures))

    def test_export_right_is_the_role_s_not_the_user_s(self):
        """A user made the usual way (Settings › Users: Odoo's default groups,
        then the role chosen) exports exactly when the demo user of the same
        role does."""
        failures = []
        for role in ROLES:
            group = self.env.ref(f"access_roles.group_role_{role}")
            answer = self.call(
                "administrator",
                "res.users",
                "create",
                {"name": f"New {role}", "login": f"h_sec_new_{role}"},
            )
            self.assertAccepted(answer)
            user = self.env["res.users"].browse(answer.result)
            self.assertAccepted(
                self.call(
                    "administrator", "res.users", "write", user.ids, {"groups_id": [(4, group.id)]}
                )
            )
            user.invalidate_recordset()
            demo = self.users[role]
            made = user.has_group("base.group_allow_export") or user._is_admin()
            expected = demo.has_group("base.group_allow_export") or demo._is_admin()
            if made != expected:
                failures.append(
                    f"{role}: a user made in Settings {'can' if made else 'cannot'} export, "
                    f"the role's demo user {'can' if expected else 'cannot'}"
                )
        self.assertFalse(failures, "\n".join(failures))
