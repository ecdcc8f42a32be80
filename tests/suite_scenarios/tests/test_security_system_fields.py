"""Facts only the system sets (vendor answers, states, money received, fiscal
data, the status history) are refused server-side for every role that may
otherwise write the record, on write and on create: a read-only field in a
view is no protection against a JSON-RPC call.

The fields are found in the registry (``system_only`` fields, stored fields
of the suite declared read-only or computed, and the list of
``SYSTEM_ONLY_EXTRA``), so a new one is covered without a change here."""

import uuid

from odoo.tests import tagged

from .security_common import NON_ADMIN_ROLES, ROLES, SecurityCase, system_only_fields


@tagged("post_install", "-at_install")
class TestSecuritySystemFields(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit = cls.env["sale.order.stage.history"].search(
            [("order_id", "=", cls.order_new.id)], limit=1
        )
        cls.customer_message = cls.env["sale.order.customer.message"].search(
            [("order_id", "in", (cls.order_new | cls.order_waybill).ids)], limit=1
        )

    # ------------------------------------------------------------ helpers
    def fixture(self, model_name):
        """The record of the model the attacks aim at."""
        known = {
            "sale.order": self.order_waybill,
            "novaposhta.waybill": self.waybill,
            "fiscal.receipt": self.receipt,
            "fiscal.shift": self.shift,
            "sms.club.message": self.sms_message,
            "sale.order.stage.history": self.visit,
            "sale.order.customer.message": self.customer_message,
            "res.company": self.company,
            "account.move": self.invoice_own,
            "stock.picking": self.order_assembly.picking_ids[:1],
            "novaposhta.account": self.np_account,
            "fiscal.cash.register": self.register,
            "fiscal.cashier": self.cashier,
        }
        if model_name in known:
            return known[model_name]
        return self.env[model_name].sudo().search([], limit=1, order="id desc")

    def try_write(self, role, record, vals):
        """Write ``vals`` as ``role`` (rolled back afterwards): the answer
        and the fields that changed."""
        names = list(vals)
        with self.rolled_back():
            before = self.snapshot(record, names)
            answer = self.call(role, record._name, "write", record.ids, vals)
            after = self.snapshot(record, names)
        changed = [name for name in names if before[record.id][name] != after[record.id][name]]
        return answer, changed

    def assertWriteRefused(self, role, record, vals):
        answer, changed = self.try_write(role, record, vals)
        self.assertFalse(changed, f"{role} changed {changed} of {record._name} {record.id}")
        self.assertRefused(answer, f"{role} writes {list(vals)} of {record._name}")

    def try_create(self, role, model_name, vals, forged):
        """Create as ``role``: the answer, and the forged values kept."""
        with self.rolled_back():
            answer = self.call(role, model_name, "create", vals)
            kept = []
            if answer.ok:
                record = self.env[model_name].sudo().browse(answer.result)
                kept = [
                    name
                    for name, value in forged.items()
                    if record[name] == value or getattr(record[name], "id", None) == value
                ]
        return answer, kept

    # ------------------------------------------------ the named attacks
    def test_logistics_forges_no_waybill_answer(self):
        for name, value in (
            ("cod_amount", 1.0),
            ("state", "deleted"),
            ("status_code", "9"),
            ("cod_transfer_state", "transferred"),
            ("name", "20459999999999"),
            ("tracking_active", False),
        ):
            with self.subTest(field=name):
                self.assertWriteRefused("logistics", self.waybill, {name: value})

    def test_logistics_forges_no_cash_on_delivery(self):
        for value in ("transferred", "collected", "none"):
            with self.subTest(value=value):
                self.assertWriteRefused(
                    "logistics", self.order_waybill, {"delivery_cod_state": value}
                )

    def test_logistics_creates_no_registered_waybill(self):
        forged = {
            "state": "created",
            "name": "20459999999998",
            "cod_amount": 1.0,
            "status_code": "9",
        }
        vals = dict(
            forged,
            order_id=self.order_assembly.id,
            carrier_id=self.np_carrier.id,
            account_id=self.np_account.id,
        )
        answer, kept = self.try_create("logistics", "novaposhta.waybill", vals, forged)
        self.assertFalse(kept, f"a waybill created with NP's answers {kept} ({answer.describe()})")

    def test_accountant_forges_no_fiscal_receipt(self):
        forged = {
            "state": "done",
            "fiscal_code": "H-SEC-FORGED-FISCAL",
            "checkbox_id": str(uuid.uuid4()),
            "public_url": "https://check.example/forged",
        }
        vals = dict(
            forged,
            receipt_type="sell",
            uuid=str(uuid.uuid4()),
            register_id=self.register.id,
            move_id=self.invoice_other.id,
            partner_id=self.other_customer.id,
            amount_total=self.invoice_other.amount_total,
        )
        answer, kept = self.try_create("accountant", "fiscal.receipt", vals, forged)
        self.assertFalse(kept, f"a receipt created with fiscal data {kept} ({answer.describe()})")

    def test_accountant_edits_no_issued_receipt(self):
        for name, value in (
            ("fiscal_code", "H-SEC-FORGED-FISCAL"),
            ("amount_total", 1.0),
            ("state", "error"),
            ("fiscal_date", "2031-01-02 03:04:05"),
            ("payments_data", "[]"),
            ("checkbox_id", "forged"),
        ):
            with self.subTest(field=name):
                self.assertWriteRefused("accountant", self.receipt, {name: value})

    def test_status_history_is_the_system_s(self):
        History = "sale.order.stage.history"
        for role in NON_ADMIN_ROLES:
            with self.subTest(role=role):
                answer, kept = self.try_create(
                    role,
                    History,
                    {
                        "order_id": self.order_new.id,
                        "stage_id": self.stage("done").id,
                        "cause": "rule",
                    },
                    {"cause": "rule"},
                )
                self.assertFalse(answer.ok, f"{role} added a status visit")
                self.assertWriteRefused(role, self.visit, {"cause": "carrier"})
                with self.rolled_back():
                    answer = self.call(role, History, "unlink", self.visit.ids)
                    exists = bool(self.visit.sudo().exists())
                self.assertTrue(exists, f"{role} deleted a status visit")
                self.assertRefused(answer)

    def test_sms_club_message_states(self):
        for role in ROLES:
            if not self.can(role, "sms.club.message", "read"):
                continue
            with self.subTest(role=role):
                for vals in (
                    {"state": "delivered"},
                    {"provider_id": "H-SEC-FORGED-ID"},
                    {"state": "failed", "failure_reason": "forged"},
                ):
                    self.assertWriteRefused(role, self.sms_message, vals)
                answer, kept = self.try_create(
                    role,
                    "sms.club.message",
                    {
                        "sms_uuid": uuid.uuid4().hex,
                        "company_id": self.company.id,
                        "state": "delivered",
                        "provider_id": "H-SEC-FORGED-ID",
                    },
                    {"state": "delivered", "provider_id": "H-SEC-FORGED-ID"},
                )
                self.assertFalse(kept, f"{role} created a delivered SMS Club message")

    # ------------------------------------------------------ the sweep
    def test_every_system_field_as_every_role(self):
        """Each system-only field of each model of the suite, written by each
        role whose rights allow writing a record of the model."""
        failures = []
        attempts = 0
        for model_name, names in system_only_fields(self.env).items():
            record = self.fixture(model_name)
            if not record:
                continue
            for role in ROLES:
                if not self.can(role, model_name, "write") or not self.readable(role, record):
                    continue
                for name in names:
                    value = self.forged(record, name)
                    if value is None:
                        continue
                    attempts += 1
                    answer, changed = self.try_write(role, record, {name: value})
                    if changed:
                        failures.append(f"{role}: {model_name}.{name} changed")
                    elif answer.ok:
                        failures.append(f"{role}: {model_name}.{name} accepted (no effect)")
        self.assertGreater(attempts, 50, "the sweep tried the system fields")
        self.assertFalse(
            failures,
            f"{len(failures)} of {attempts} forged writes not refused:\n" + "\n".join(failures),
        )
