"""Every public method of the suite is an RPC endpoint for anyone who can read
its model: called by each role (but Administrator, who may do everything)
on a record the role can read, it is refused, or it changes no fact only the
system or another role may change, unless it is a legitimate action of that
role (ALLOWED, each with its reason).

The methods are found in the registry: every public function (no leading
underscore) defined by a file of the five addons on any model, so a new
button is attacked without a change here."""

import inspect

from odoo.tests import tagged

from .security_common import NON_ADMIN_ROLES, SUITE, SecurityCase

# Odoo's own CRUD entry points (overridden by the suite): the other security
# tests attack them with real values.
ORM_METHODS = {
    "create",
    "write",
    "unlink",
    "copy",
    "read",
    "search",
    "search_read",
    "name_search",
    "default_get",
    "fields_get",
    "init",
    "onchange",
    "web_read",
    "web_save",
}

ANY = NON_ADMIN_ROLES

# (model, method): (roles for which it is a legitimate action, why).
ALLOWED = {
    ("sale.order", "action_np_create_waybill"): (
        ("manager", "logistics"),
        "Logistics and managers create the carrier waybills (RWC waybills)",
    ),
    ("stock.picking", "action_np_create_waybill"): (
        ("manager", "logistics"),
        "the same from the delivery transfer",
    ),
    ("sale.order", "action_np_delete_waybill"): (
        ("manager", "logistics"),
        "a waybill NP has not accepted yet is deleted by whoever creates them",
    ),
    ("sale.order", "action_np_refresh_tracking"): (
        ANY,
        "asks NP now: the waybill and the order take NP's answer, nothing from the caller",
    ),
    ("novaposhta.waybill", "action_refresh"): (ANY, "the same, from the waybill"),
    ("sale.order", "action_order_flow_reserve"): (
        ("manager", "sales"),
        "re-runs the auto-reservation of an order the role may process",
    ),
    ("sale.order", "action_draft"): (
        ("manager", "sales"),
        "back to quotation through the status matrix, for the roles that set new statuses",
    ),
    ("sale.order", "action_confirm"): (
        ("manager", "sales"),
        "Odoo's Confirm of an order the role processes (approval is the Sales Manager's)",
    ),
    ("sale.order", "action_quotation_sent"): (
        ("manager", "sales"),
        "marks a quotation of the role's own as sent to the customer",
    ),
    ("sale.order", "action_lock"): (
        ("manager", "sales"),
        "Odoo's lock of an order the role processes",
    ),
    ("sale.order", "action_unlock"): (("manager", "sales"), "and its unlock"),
    ("sale.order.customer.message", "action_send_now"): (
        ("manager", "sales"),
        "sends the waiting messages of orders the role processes",
    ),
    ("sms.club.message", "action_check_state"): (
        ANY,
        "polls SMS Club: the state comes from the vendor",
    ),
    ("fiscal.receipt", "action_check"): (("accountant",), "asks Checkbox about the receipt"),
    ("fiscal.receipt", "action_retry"): (("accountant",), "issues again a receipt in error"),
    ("fiscal.cash.register", "action_open_shift"): (("accountant",), "the accountant's shift"),
    ("fiscal.cash.register", "action_close_shift"): (("accountant",), "the accountant's shift"),
    ("fiscal.cash.register", "action_x_report"): (("accountant",), "the accountant's report"),
    ("fiscal.cash.register", "action_load_taxes"): (("accountant",), "tax rates from Checkbox"),
    ("fiscal.shift", "action_close"): (("accountant",), "the accountant's shift"),
    ("fiscal.shift", "action_x_report"): (("accountant",), "the accountant's report"),
    ("account.move", "action_fiscalize"): (("accountant",), "fiscalizes a posted invoice"),
    ("account.move", "action_fiscal_return"): (("accountant",), "the receipt of a credit note"),
    ("purchase.order", "button_cancel"): (("purchaser",), "cancels a purchase order (RWCD)"),
    ("sale.order.stage.change", "action_apply"): (
        ("manager", "sales", "logistics", "support"),
        "moves the orders the role may move, each checked by the order's own write",
    ),
    ("novaposhta.waybill.bulk", "action_create"): (
        ("manager", "logistics"),
        "creates the waybills of the chosen orders",
    ),
}


@tagged("post_install", "-at_install")
class TestSecurityPublicMethods(SecurityCase):
    # --------------------------------------------------------- discovery
    def suite_methods(self):
        """{model: {method: 'model' | 'records'}} of the public methods the
        five addons define."""
        found = {}
        for model_name in sorted(self.env.registry):
            model_class = type(self.env[model_name])
            if model_class._abstract:
                continue
            methods = {}
            for klass in model_class.mro():
                parts = (getattr(klass, "__module__", "") or "").split(".")
                if len(parts) < 3 or parts[:2] != ["odoo", "addons"] or parts[2] not in SUITE:
                    continue
                if "tests" in parts:
                    continue
                for name, member in vars(klass).items():
                    if name.startswith("_") or name in ORM_METHODS:
                        continue
                    if not inspect.isfunction(member):
                        continue
                    final = getattr(model_class, name)
                    methods[name] = "model" if getattr(final, "_api", None) else "records"
            if methods:
                found[model_name] = methods
        return found

    def preferred(self, model_name):
        """The store's records of the model, most interesting first."""
        records = {
            "sale.order": self.order_new
            | self.order_assembled
            | self.order_waybill
            | self.order_assembly
            | self.order_other,
            "novaposhta.waybill": self.waybill,
            "novaposhta.account": self.np_account,
            "delivery.carrier": self.np_carrier,
            "stock.picking": self.order_assembly.picking_ids,
            "fiscal.receipt": self.receipt,
            "fiscal.cash.register": self.register,
            "fiscal.cashier": self.cashier,
            "fiscal.shift": self.shift,
            "account.move": self.invoice_own | self.invoice_other,
            "sms.club.message": self.sms_message,
            "res.company": self.company,
            "res.partner": self.customer,
            "res.users": self.users["support"],
            "ir.actions.server": self.env.ref("crm_order_flow.action_01_new_reserve"),
            "sale.order.customer.message": self.env["sale.order.customer.message"].search(
                [("order_id", "in", (self.order_new | self.order_waybill).ids)]
            ),
        }
        return records.get(model_name, self.env[model_name])

    def wizard_values(self):
        return {
            "sale.order.stage.change": {
                "order_ids": [(6, 0, (self.order_new | self.order_assembly).ids)],
                "stage_id": self.stage("cancelled").id,
                "operator_comment": "Customer cancelled by phone",
            },
            "novaposhta.waybill.bulk": {"order_ids": [(6, 0, self.order_assembled.ids)]},
            "sale.order.trigger.map": {"stage_id": self.stage("new").id},
            "access.matrix.line": {"model": "sale.order"},
            "res.config.settings": {},
            "sms.club.test.message": {"number": "+380501112233", "body": "Test"},
        }

    def records_for(self, role, model_name):
        """Up to three records of the model the role can read (a wizard of
        its own for transient models), or none."""
        Model = self.env[model_name]
        if not self.can(role, model_name, "read"):
            return []
        if Model._transient:
            values = self.wizard_values().get(model_name)
            if values is None or not self.can(role, model_name, "create"):
                return []
            answer = self.call(role, model_name, "create", values)
            return [Model.browse(answer.result)] if answer.ok else []
        readable = self.readable(role, self.preferred(model_name))
        if not readable:
            readable = Model.with_user(self.users[role]).search([], limit=1, order="id desc")
        return list(readable.sudo()[:3])

    # -------------------------------------------------------------- test
    def test_every_public_method_as_every_role(self):
        methods = self.suite_methods()
        self.assertIn("action_order_flow_reserve", methods.get("sale.order", {}))
        self.assertIn("action_fiscalize", methods.get("account.move", {}))
        for key in ALLOWED:
            self.assertIn(key[1], methods.get(key[0], {}), f"ALLOWED names a method: {key}")
        failures, calls = [], 0
        # every call is rolled back: the store is the same before each one
        baseline = self.system_state()
        for role in NON_ADMIN_ROLES:
            for model_name, model_methods in methods.items():
                for method, kind in sorted(model_methods.items()):
                    for index in range(3):
                        with self.rolled_back():
                            records = self.records_for(role, model_name)
                            if index >= len(records) or (kind == "model" and index):
                                break
                            record = records[index]
                            label = f"{record._name} {record.id}"
                            args = [] if kind == "model" else [record.ids]
                            answer = self.call(role, model_name, method, *args)
                            calls += 1
                            changed = self.state_diff(baseline, self.system_state())
                        roles, _reason = ALLOWED.get((model_name, method), ((), ""))
                        if not changed or role in roles:
                            continue
                        outcome = (
                            "refused"
                            if answer.refused
                            else "accepted"
                            if answer.ok
                            else answer.error_name
                        )
                        failures.append(
                            f"{role}: {model_name}.{method} on {label} ({outcome}) "
                            f"changed {'; '.join(changed[:3])}"
                        )
                        break
        self.assertGreater(calls, 100, "the roles called the suite's methods")
        self.assertFalse(
            failures,
            f"{len(failures)} of {calls} calls changed what the role may not change:\n"
            + "\n".join(failures),
        )
