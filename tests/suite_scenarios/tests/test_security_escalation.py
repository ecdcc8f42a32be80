"""No role but Administrator gains a right over RPC: not by writing its own
groups or a group's users, not by creating access rights, record rules,
server actions, automation rules or scheduled actions, not by changing the
store's own rights tables, and not by calling ``sudo``-like or private
methods."""

from odoo.tests import tagged

from .security_common import NON_ADMIN_ROLES, SecurityCase


@tagged("post_install", "-at_install")
class TestSecurityEscalation(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.system = cls.env.ref("base.group_system")
        cls.admin_role = cls.env.ref("access_roles.group_role_administrator")
        cls.erp_manager = cls.env.ref("base.group_erp_manager")
        cls.order_model = cls.env["ir.model"]._get("sale.order")
        cls.users_model = cls.env["ir.model"]._get("res.users")

    def role_group(self, role):
        return self.env.ref(f"access_roles.group_role_{role}")

    def role_selector(self):
        """The name of the reified field of the role selector on res.users."""
        for name in self.env["res.users"].fields_get():
            if name.startswith("sel_groups_") and str(self.admin_role.id) in name.split("_"):
                return name
        return None

    def groups_of(self, user):
        user.invalidate_recordset()
        return set(user.sudo().groups_id.ids)

    def test_no_role_grants_itself_a_group(self):
        failures = []
        selector = self.role_selector()
        for role in NON_ADMIN_ROLES:
            user = self.users[role]
            before = self.groups_of(user)
            attacks = [
                ("res.users", "write", [user.ids, {"groups_id": [(4, self.system.id)]}]),
                ("res.users", "write", [user.ids, {"groups_id": [(4, self.admin_role.id)]}]),
                ("res.users", "write", [user.ids, {f"in_group_{self.system.id}": True}]),
                ("res.groups", "write", [self.system.ids, {"users": [(4, user.id)]}]),
                ("res.groups", "write", [self.admin_role.ids, {"users": [(4, user.id)]}]),
                (
                    "res.groups",
                    "write",
                    [self.role_group(role).ids, {"implied_ids": [(4, self.system.id)]}],
                ),
                (
                    "res.users",
                    "create",
                    [
                        {
                            "name": f"Helper of {role}",
                            "login": f"h_sec_helper_{role}",
                            "password": "h_sec_helper_pass",
                            "groups_id": [(6, 0, [self.system.id])],
                        }
                    ],
                ),
            ]
            if selector:
                attacks.append(("res.users", "write", [user.ids, {selector: self.admin_role.id}]))
            for model, method, args in attacks:
                with self.rolled_back():
                    answer = self.call(role, model, method, *args)
                    gained = self.groups_of(user) != before
                    helper = (
                        self.env["res.users"]
                        .sudo()
                        .search([("login", "=", f"h_sec_helper_{role}")])
                    )
                if gained or helper or not answer.refused:
                    what = list(args[-1]) if isinstance(args[-1], dict) else ""
                    failures.append(
                        f"{role}: {model}.{method} {what} → {answer.describe()}"
                        f"{' (gained groups)' if gained else ''}"
                        f"{' (user created)' if helper else ''}"
                    )
        self.assertFalse(failures, "\n".join(failures))

    def test_no_role_creates_rights_rules_or_code(self):
        code = "env.user.sudo().write({'groups_id': [(4, %d)]})" % self.system.id
        failures = []
        for role in NON_ADMIN_ROLES:
            group = self.role_group(role)
            creations = [
                (
                    "ir.model.access",
                    {
                        "name": "h-sec forged access",
                        "model_id": self.order_model.id,
                        "group_id": group.id,
                        "perm_read": True,
                        "perm_write": True,
                        "perm_create": True,
                        "perm_unlink": True,
                    },
                ),
                (
                    "ir.rule",
                    {
                        "name": "h-sec forged rule",
                        "model_id": self.order_model.id,
                        "domain_force": "[(1, '=', 1)]",
                        "groups": [(4, group.id)],
                    },
                ),
                (
                    "ir.actions.server",
                    {
                        "name": "h-sec forged action",
                        "model_id": self.users_model.id,
                        "state": "code",
                        "code": code,
                    },
                ),
                (
                    "base.automation",
                    {
                        "name": "h-sec forged automation",
                        "model_id": self.order_model.id,
                        "trigger": "on_create_or_write",
                    },
                ),
                (
                    "ir.cron",
                    {
                        "name": "h-sec forged cron",
                        "model_id": self.users_model.id,
                        "state": "code",
                        "code": code,
                        "interval_number": 1,
                        "interval_type": "minutes",
                    },
                ),
                ("access.status.right", {"group_id": group.id, "all_statuses": True}),
                (
                    "access.field.policy",
                    {"group_id": group.id, "model_id": self.order_model.id, "mode": "except"},
                ),
                ("ir.config_parameter", {"key": "h_sec.forged", "value": "1"}),
            ]
            for model_name, vals in creations:
                with self.rolled_back():
                    count = (
                        self.env[model_name].sudo().with_context(active_test=False).search_count([])
                    )
                    answer = self.call(role, model_name, "create", vals)
                    created = (
                        self.env[model_name].sudo().with_context(active_test=False).search_count([])
                        != count
                    )
                if created or not answer.refused:
                    failures.append(f"{role} creates {model_name}: {answer.describe()}")
        self.assertFalse(failures, "\n".join(failures))

    def test_no_role_changes_the_store_s_rights_tables(self):
        """The status rights, field rights, statuses and automation rules are
        the administrator's: the roles read some, change none."""
        failures = []
        for role in NON_ADMIN_ROLES:
            group = self.role_group(role)
            targets = [
                (
                    self.env["access.status.right"].search([("group_id", "=", group.id)], limit=1),
                    {"all_statuses": True},
                ),
                (
                    self.env["access.field.policy"].search([("group_id", "=", group.id)], limit=1),
                    {"active": False},
                ),
                (self.stage("new"), {"next_stage_ids": [(4, self.stage("done").id)]}),
                (self.stage("done"), {"payment_required": "none", "edit_locked": False}),
                (self.env.ref("crm_order_flow.automation_18_cancelled"), {"active": False}),
                (
                    self.env.ref("crm_order_flow.action_01_new_reserve"),
                    {"code": "records.action_confirm()"},
                ),
            ]
            for record, vals in targets:
                if not record:
                    continue
                with self.rolled_back():
                    before = self.snapshot(record, list(vals))
                    answer = self.call(role, record._name, "write", record.ids, vals)
                    after = self.snapshot(record, list(vals))
                if before != after or not answer.refused:
                    failures.append(
                        f"{role} writes {record._name} {list(vals)}: {answer.describe()}"
                    )
        self.assertFalse(failures, "\n".join(failures))

    def test_sudo_like_and_private_methods_are_not_callable(self):
        account = self.np_account
        order = self.order_assembly
        attacks = [
            ("sale.order", "sudo", [order.ids]),
            ("sale.order", "with_user", [order.ids, 2]),
            ("sale.order", "with_context", [order.ids, {"order_flow_cause": "rule"}]),
            ("sale.order", "with_env", [order.ids, None]),
            ("sale.order", "_write", [order.ids, {"state": "cancel"}]),
            ("sale.order", "_order_flow_auto_move", [order.ids, "cancelled"]),
            ("sale.order", "_action_cancel", [order.ids]),
            ("novaposhta.account", "_get_credential", [account.ids, "api_key"]),
            ("novaposhta.account", "_np_client", [account.ids]),
            ("res.company", "_get_credential", [self.company.ids, "smsclub_token"]),
            ("fiscal.cashier", "_client_credentials", [self.cashier.ids]),
            ("res.users", "_is_system", [self.users["support"].ids]),
            ("ir.actions.server", "_run_action_code_multi", [[], {}]),
        ]
        failures = []
        before = self.system_state()  # every attack is rolled back
        for role in ("support", "marketer"):
            for model, method, args in attacks:
                with self.rolled_back():
                    answer = self.call(role, model, method, *args)
                    changed = self.state_diff(before, self.system_state())
                if answer.ok or changed:
                    failures.append(f"{role}: {model}.{method} → {answer.describe()} {changed[:2]}")
        self.assertFalse(failures, "\n".join(failures))
