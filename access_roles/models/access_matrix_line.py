from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

OPERATIONS = ("read", "write", "create", "unlink")
LETTERS = {"read": "R", "write": "W", "create": "C", "unlink": "D"}
RIGHT_STATES = [("yes", "Yes"), ("limited", "Limited"), ("no", "No")]
LINE_KINDS = [("model", "Rights on a model"), ("export", "Export of lists")]
EXPORT_FORMATS = ("xlsx", "csv")
# Odoo's own record rules that limit the store roles, named for the matrix in
# the reader's language (Odoo does not translate rule names). The suite's
# rules carry their label themselves (ir.rule access_matrix_name); an addon
# that joins the roles to another app names that app's rules in
# _odoo_rule_labels().
ODOO_RULE_LABELS = {
    "sale.sale_order_personal_rule": _lt("Own orders and orders without a salesperson"),
    "sale.sale_order_line_personal_rule": _lt(
        "Lines of own orders and of orders without a salesperson"
    ),
    "sale.account_invoice_rule_see_personal": _lt(
        "Customer invoices of own orders and of orders without a salesperson"
    ),
    "sale.account_invoice_line_rule_see_personal": _lt(
        "Lines of customer invoices of own orders and of orders without a salesperson"
    ),
    "mail.mail_template_employee_rule": _lt(
        "Changes only the message templates he created or is responsible for"
    ),
}


class AccessMatrixLine(models.TransientModel):
    """One cell row of the live access matrix: what a role may do on a model.

    Lines are computed from the database (access rights of the role and of
    every group it implies, record rules, field rights, hidden fields) each
    time the matrix is opened or exported, so the matrix is always true.
    """

    _name = "access.matrix.line"
    _description = "Access Matrix Line"
    _order = "role_sequence, area_sequence, model"

    # Lines are computed by the system (see _compute_matrix): nobody types them.
    kind = fields.Selection(
        LINE_KINDS, default="model", required=True, readonly=True, system_only=True, copy=False
    )
    role_id = fields.Many2one(
        "res.groups", readonly=True, ondelete="cascade", system_only=True, copy=False
    )
    role_sequence = fields.Integer(readonly=True, system_only=True, copy=False)
    area_id = fields.Many2one(
        "access.matrix.area", readonly=True, ondelete="cascade", system_only=True, copy=False
    )
    area_sequence = fields.Integer(readonly=True, system_only=True, copy=False)
    model_id = fields.Many2one(
        "ir.model", readonly=True, ondelete="cascade", system_only=True, copy=False
    )
    model = fields.Char(string="Technical name", readonly=True, system_only=True, copy=False)
    read_right = fields.Selection(
        RIGHT_STATES, string="Read", readonly=True, system_only=True, copy=False
    )
    write_right = fields.Selection(
        RIGHT_STATES, string="Write", readonly=True, system_only=True, copy=False
    )
    create_right = fields.Selection(
        RIGHT_STATES, string="Create", readonly=True, system_only=True, copy=False
    )
    unlink_right = fields.Selection(
        RIGHT_STATES, string="Delete", readonly=True, system_only=True, copy=False
    )
    rights = fields.Char(
        readonly=True,
        system_only=True,
        copy=False,
        help="R read, W write, C create, D delete; * = only some records (record rules). "
        "On the export line: whether the role may export lists.",
    )
    rules = fields.Text(string="Record rules", readonly=True, system_only=True, copy=False)
    protected_fields = fields.Text(readonly=True, system_only=True, copy=False)

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    @api.model
    def _matrix_models(self):
        """Models of the matrix: those of the areas, those on which a store
        role (or the cost group) is named in an access right, a record rule
        or a field right, and those of the addons built on access_roles."""
        roles = self.env["res.groups"]._get_store_roles()
        named_groups = roles | self.env.ref("access_roles.group_see_cost")
        Model = self.env["ir.model"].sudo()
        area_models = self.env["access.matrix.area"].sudo().search([]).model_ids
        models_ = area_models
        models_ |= (
            self.env["ir.model.access"]
            .sudo()
            .search([("group_id", "in", named_groups.ids)])
            .model_id
        )
        models_ |= self.env["ir.rule"].sudo().search([("groups", "in", named_groups.ids)]).model_id
        models_ |= self.env["access.field.policy"].sudo().search([]).model_id
        suite_modules = set(self._suite_module_names())
        suite_model_names = [
            name
            for name, model_class in self.env.registry.items()
            if model_class._original_module in suite_modules and not model_class._abstract
        ]
        models_ |= Model.search([("model", "in", suite_model_names)])
        return models_.filtered(
            lambda m: m.model in self.env and (not m.transient or m in area_models)
        )

    @api.model
    def _suite_module_names(self):
        """Installed modules that depend (directly or not) on access_roles."""
        modules = self.env["ir.module.module"].sudo().search([("state", "=", "installed")])
        depends = {m.name: set(m.dependencies_id.mapped("name")) for m in modules}
        suite = {"access_roles"}
        changed = True
        while changed:
            changed = False
            for name, deps in depends.items():
                if name not in suite and deps & suite:
                    suite.add(name)
                    changed = True
        return sorted(suite)

    @api.model
    def _classify_rule(self, rule, eval_context):
        """'yes' (all records), 'no' (no record) or 'limited'."""
        if not rule.domain_force:
            return "yes"
        try:
            domain = expression.normalize_domain(safe_eval(rule.domain_force, eval_context))
        except Exception:
            return "limited"
        if domain in (expression.TRUE_DOMAIN, [(1, "=", 1)], []):
            return "yes"
        if domain in (expression.FALSE_DOMAIN, [(0, "=", 1)]):
            return "no"
        return "limited"

    @api.model
    def _compute_matrix(self):
        """The live matrix as a list of dicts (one per role and model)."""
        roles = self.env["res.groups"]._get_store_roles()
        models_ = self._matrix_models()
        areas = self.env["access.matrix.area"].sudo().search([])
        area_of = {}
        for area in areas:
            for model in area.model_ids:
                area_of.setdefault(model.id, area)
        accesses = (
            self.env["ir.model.access"]
            .sudo()
            .search([("model_id", "in", models_.ids), ("active", "=", True)])
        )
        acl = defaultdict(list)
        for access in accesses:
            acl[access.model_id.id].append(access)
        rules = (
            self.env["ir.rule"]
            .sudo()
            .search(
                [("model_id", "in", models_.ids), ("active", "=", True), ("global", "=", False)]
            )
        )
        rules_by_model = defaultdict(list)
        rule_labels = self._rule_labels(rules)
        eval_context = self.env["ir.rule"]._eval_context()
        for rule in rules:
            rules_by_model[rule.model_id.id].append((rule, self._classify_rule(rule, eval_context)))
        policies = self.env["access.field.policy"].sudo().search([])
        cost_group = self.env.ref("access_roles.group_see_cost")
        result = []
        for role in roles:
            role_groups = role | role.trans_implied_ids
            for model in models_.sorted(
                lambda m: (area_of.get(m.id, areas.browse()).sequence or 999, m.model)
            ):
                rights, rule_texts = {}, []
                for operation in OPERATIONS:
                    granted = any(
                        access[f"perm_{operation}"]
                        and (not access.group_id or access.group_id in role_groups)
                        for access in acl[model.id]
                    )
                    applying = [
                        (rule, kind)
                        for rule, kind in rules_by_model[model.id]
                        if rule[f"perm_{operation}"] and rule.groups & role_groups
                    ]
                    if not granted:
                        rights[operation] = "no"
                        continue
                    kinds = {kind for _rule, kind in applying}
                    if not applying or "yes" in kinds:
                        rights[operation] = "yes"
                    elif kinds == {"no"}:
                        rights[operation] = "no"
                    else:
                        rights[operation] = "limited"
                        rule_texts += [
                            f"{LETTERS[operation]}: {rule_labels[rule.id]} {rule.domain_force}"
                            for rule, kind in applying
                            if kind == "limited"
                        ]
                if all(value == "no" for value in rights.values()):
                    continue
                protected = self._protected_fields(model, role, role_groups, policies, cost_group)
                area = area_of.get(model.id)
                result.append(
                    {
                        "kind": "model",
                        "role_id": role.id,
                        "role_sequence": role.id,
                        "area_id": area.id if area else False,
                        "area_sequence": area.sequence if area else 999,
                        "model_id": model.id,
                        "model": model.model,
                        "read_right": rights["read"],
                        "write_right": rights["write"],
                        "create_right": rights["create"],
                        "unlink_right": rights["unlink"],
                        "rights": self._rights_string(rights),
                        "rules": "\n".join(rule_texts),
                        "protected_fields": "\n".join(protected),
                    }
                )
            result.append(self._export_line(role, role_groups))
        return result

    @api.model
    def _rule_labels(self, rules):
        """Name of each rule in the reader's language, by rule id: its
        matrix label, Odoo's rules named here, or else its name."""
        xmlids = rules.get_external_id()
        labels = self._odoo_rule_labels()
        return {
            rule.id: rule.access_matrix_name
            or (
                labels[xmlids[rule.id]]._translate(self.env.lang)
                if xmlids.get(rule.id) in labels
                else rule.name
            )
            for rule in rules
        }

    @api.model
    def _odoo_rule_labels(self):
        """Labels of Odoo's own rules by external id (lazy translations)."""
        return dict(ODOO_RULE_LABELS)

    @api.model
    def _export_line(self, role, role_groups):
        """The line saying whether the role may export lists (Odoo's
        “Export” of list views: the export group, or the settings rights)."""
        may_export = bool(
            role_groups
            & (self.env.ref("base.group_allow_export") | self.env.ref("base.group_erp_manager"))
        )
        return {
            "kind": "export",
            "role_id": role.id,
            "role_sequence": role.id,
            "area_id": False,
            "area_sequence": 1000,
            "model_id": False,
            "model": False,
            "rights": _("Export") if may_export else "–",
            "rules": "",
            "protected_fields": "",
        }

    @api.model
    def _rights_string(self, rights):
        parts = []
        for operation in OPERATIONS:
            if rights[operation] == "yes":
                parts.append(LETTERS[operation])
            elif rights[operation] == "limited":
                parts.append(LETTERS[operation] + "*")
        return " ".join(parts) or "–"

    @api.model
    def _protected_fields(self, model, role, role_groups, policies, cost_group):
        records = self.env[model.model]
        lines = []
        for _name, field in sorted(records._fields.items()):
            if getattr(field, "credential", False) and not self._role_sees_field(
                field, role_groups
            ):
                lines.append(
                    _(
                        "%(field)s: hidden (credential)",
                        field=field._description_string(self.env),
                    )
                )
            elif (
                field.groups
                and "access_roles.group_see_cost" in field.groups
                and cost_group not in role_groups
            ):
                lines.append(
                    _(
                        "%(field)s: hidden (purchase price / cost)",
                        field=field._description_string(self.env),
                    )
                )
        for policy in policies.filtered(lambda p: p.model_id == model and p.group_id == role):
            names = ", ".join(policy.field_ids.mapped("field_description")) or _("no field")
            when = ""
            if policy.status_group_ids:
                when = _(
                    " (in: %(groups)s)", groups=", ".join(policy.status_group_ids.mapped("name"))
                )
            if policy.mode == "only":
                lines.append(_("may change only: %(fields)s%(when)s", fields=names, when=when))
            else:
                lines.append(_("may not change: %(fields)s%(when)s", fields=names, when=when))
        return lines

    @api.model
    def _role_sees_field(self, field, role_groups):
        """Whether a role with the groups ``role_groups`` (itself and the
        groups it implies) passes the field's ``groups``."""
        if not field.groups:
            return True
        definitions = self.env["res.groups"]._get_group_definitions()
        return definitions.parse(field.groups, raise_if_not_found=False).matches(
            set(role_groups.ids)
        )

    @api.model
    def _status_rights(self):
        """Settable statuses per role as (role, description) pairs."""
        result = []
        rights = self.env["access.status.right"].sudo().search([])
        for role in self.env["res.groups"]._get_store_roles():
            role_rights = rights.filtered(lambda r, role=role: r.group_id == role)
            described = ", ".join(right._describe() for right in role_rights) or _("none")
            result.append((role, described))
        return result

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @api.model
    def action_open_matrix(self):
        """Compute the matrix again and show it (the screen's refresh)."""
        self._check_can_view_matrix()
        # sudo: the lines are the system's computation, never typed by a user;
        # they stay the caller's own (create_uid, see the record rule).
        lines = self.sudo()
        lines.search([("create_uid", "=", self.env.uid)]).unlink()
        lines.create(self._compute_matrix())
        return {
            "type": "ir.actions.act_window",
            "name": _("Access matrix"),
            "res_model": self._name,
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("create_uid", "=", self.env.uid)],
            "context": {"search_default_group_by_role": 1},
            "target": "current",
        }

    @api.model
    def action_export(self, file_format="xlsx"):
        self._check_can_view_matrix()
        if file_format not in EXPORT_FORMATS:
            raise UserError(
                _(
                    "The access matrix is exported as %(formats)s only.",
                    formats=", ".join(EXPORT_FORMATS),
                )
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/access_roles/matrix/export/{file_format}",
            "target": "download",
        }

    def action_export_xlsx(self):
        return self.action_export("xlsx")

    def action_export_csv(self):
        return self.action_export("csv")

    # ------------------------------------------------------------------
    # exports
    # ------------------------------------------------------------------
    @api.model
    def _export_rows(self):
        """Rows of the flat export: a header and one row per role and model,
        then one row per role for the settable statuses."""
        roles = {role.id: role.name for role in self.env["res.groups"]._get_store_roles()}
        areas = {area.id: area.name for area in self.env["access.matrix.area"].sudo().search([])}
        models_ = {m.id: m.name for m in self.env["ir.model"].sudo().search([])}
        header = [
            _("Kind"),
            _("Role"),
            _("Area"),
            _("Model"),
            _("Technical name"),
            _("Rights"),
            _("Record rules"),
            _("Protected fields / settable statuses"),
        ]
        rows = [header]
        for line in self._compute_matrix():
            if line["kind"] == "export":
                rows.append(
                    [_("export"), roles[line["role_id"]], "", "", "", line["rights"], "", ""]
                )
                continue
            rows.append(
                [
                    _("rights"),
                    roles[line["role_id"]],
                    areas.get(line["area_id"], _("Other")),
                    models_.get(line["model_id"], line["model"]),
                    line["model"],
                    line["rights"],
                    line["rules"],
                    line["protected_fields"],
                ]
            )
        for role, described in self._status_rights():
            rows.append([_("statuses"), role.name, "", "", "", "", "", described])
        return rows

    @api.model
    def _export_csv(self):
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows(self._export_rows())
        return buffer.getvalue().encode("utf-8-sig")

    @api.model
    def _export_xlsx(self):
        import io

        import xlsxwriter

        matrix = self._compute_matrix()
        roles = self.env["res.groups"]._get_store_roles()
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = workbook.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

        # Sheet 1: models × roles
        sheet = workbook.add_worksheet(_("Rights")[:31])
        sheet.write_row(
            0, 0, [_("Area"), _("Model"), _("Technical name")] + roles.mapped("name"), bold
        )
        model_lines = [line for line in matrix if line["kind"] == "model"]
        cells = {(line["model"], line["role_id"]): line for line in model_lines}
        model_rows = []
        for line in sorted(model_lines, key=lambda cell: (cell["area_sequence"], cell["model"])):
            key = (line["area_id"], line["model_id"], line["model"])
            if key not in model_rows:
                model_rows.append(key)
        for row, (area_id, model_id, model) in enumerate(model_rows, start=1):
            area = self.env["access.matrix.area"].browse(area_id).name if area_id else _("Other")
            sheet.write_row(row, 0, [area, self.env["ir.model"].browse(model_id).name, model])
            for col, role in enumerate(roles, start=3):
                cell = cells.get((model, role.id))
                sheet.write(row, col, cell["rights"] if cell else "–")
        exports = {line["role_id"]: line["rights"] for line in matrix if line["kind"] == "export"}
        row = len(model_rows) + 1
        sheet.write_row(row, 0, [_("Other rights"), _("Export of lists"), ""], bold)
        for col, role in enumerate(roles, start=3):
            sheet.write(row, col, exports.get(role.id, "–"))
        sheet.set_column(0, 2, 28)
        sheet.set_column(3, 3 + len(roles), 16)
        sheet.freeze_panes(1, 3)

        # Sheet 2: record rules, sheet 3: protected fields
        for title, key in (
            (_("Record rules"), "rules"),
            (_("Protected fields"), "protected_fields"),
        ):
            sheet = workbook.add_worksheet(title[:31])
            sheet.write_row(0, 0, [_("Role"), _("Technical name"), title], bold)
            row = 1
            for line in matrix:
                if line[key]:
                    role = roles.browse(line["role_id"])
                    sheet.write_row(row, 0, [role.name, line["model"]])
                    sheet.write(row, 2, line[key], wrap)
                    row += 1
            sheet.set_column(0, 1, 28)
            sheet.set_column(2, 2, 100)

        # Sheet 4: settable statuses
        sheet = workbook.add_worksheet(_("Statuses")[:31])
        sheet.write_row(0, 0, [_("Role"), _("Statuses the role may set")], bold)
        for row, (role, described) in enumerate(self._status_rights(), start=1):
            sheet.write_row(row, 0, [role.name, described])
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 100)
        workbook.close()
        return buffer.getvalue()

    @api.model
    def _can_view_matrix(self):
        # Who may read the matrix's lines (security/ir.model.access.csv), as
        # the user himself even when called with sudo().
        return self.sudo(False).has_access("read")

    @api.model
    def _check_can_view_matrix(self):
        if not self._can_view_matrix():
            raise AccessError(_("Only administrators and managers may open the access matrix."))
