from odoo import _, api, fields, models
from odoo.tools.safe_eval import safe_eval

TIME_TRIGGERS = ("on_time", "on_time_created", "on_time_updated")


class SaleOrderTriggerMap(models.TransientModel):
    """The live “trigger map”: per order status, the automation rules that
    fire, their delay, what they do and which templates they send. It is
    computed from the rules themselves each time it is opened (by the system:
    its fields are system-only, its rows each user's own)."""

    _name = "sale.order.trigger.map"
    _description = "Order Trigger Map"
    _order = "stage_sequence, stage_id, delay_minutes, sequence"

    stage_id = fields.Many2one(
        "sale.order.stage", string="Status", readonly=True, system_only=True, copy=False
    )
    stage_sequence = fields.Integer(readonly=True, system_only=True, copy=False)
    stage_group_id = fields.Many2one(related="stage_id.group_id", string="Status group")
    automation_id = fields.Many2one(
        "base.automation", string="Automation rule", readonly=True, system_only=True, copy=False
    )
    active = fields.Boolean(readonly=True, default=True, system_only=True, copy=False)
    sequence = fields.Integer(readonly=True, system_only=True, copy=False)
    trigger = fields.Char(readonly=True, system_only=True, copy=False)
    delay = fields.Char(readonly=True, system_only=True, copy=False)
    delay_minutes = fields.Integer(readonly=True, system_only=True, copy=False)
    condition = fields.Char(readonly=True, system_only=True, copy=False)
    actions = fields.Char(readonly=True, system_only=True, copy=False)
    templates = fields.Char(readonly=True, system_only=True, copy=False)

    @api.model
    def _stage_refs(self, automation, stages):
        """Statuses an automation rule is about: the one of “Stage is set
        to”, or those its domain names through stage_id / stage_id.code /
        stage_group_id."""
        if automation.trigger == "on_stage_set":
            return stages.filtered(lambda s: s.id == automation.trg_field_ref)
        domain_text = automation.filter_domain or "[]"
        try:
            domain = safe_eval(domain_text, automation._get_eval_context())
        except Exception:  # noqa: BLE001 - an unreadable domain maps to no status
            return stages.browse()
        found = stages.browse()
        for leaf in domain:
            if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
                continue
            name, operator, value = leaf
            values = value if isinstance(value, (list, tuple)) else [value]
            if operator not in ("=", "in"):
                continue
            if name == "stage_id":
                found |= stages.filtered(lambda s, values=values: s.id in values)
            elif name in ("stage_id.code", "stage_code"):
                found |= stages.filtered(lambda s, values=values: s.code in values)
            elif name in ("stage_group_id.code", "stage_id.group_code", "stage_id.group_id.code"):
                found |= stages.filtered(lambda s, values=values: s.group_code in values)
        return found

    @api.model
    def _describe_action(self, action):
        states = dict(action._fields["state"]._description_selection(self.env))
        label = states.get(action.state, action.state)
        detail = ""
        if action.state == "object_write" and action.update_field_id:
            detail = action.update_field_id.field_description
            if (
                action.update_field_id.name == "stage_id"
                and action.evaluation_type == "value"
                and (action.value or "").isdigit()
            ):
                stage = self.env["sale.order.stage"].browse(int(action.value)).exists()
                detail = _("Status → %(status)s", status=stage.display_name)
        elif action.state == "next_activity":
            detail = action.activity_summary or action.activity_type_id.name
        elif action.state == "code":
            detail = action.name
        return f"{label}: {detail}" if detail else label

    @api.model
    def _compute_map(self):
        stages = self.env["sale.order.stage"].search([])
        # sudo: the map describes the rules' actions and templates to those who
        # may read the rules (managers), who do not read server actions.
        automations = (
            self.env["base.automation"]
            .sudo()
            .with_context(active_test=False)
            .search([("model_name", "=", "sale.order")], order="id")
        )
        triggers = dict(
            self.env["base.automation"]._fields["trigger"]._description_selection(self.env)
        )
        units = dict(
            self.env["base.automation"]
            ._fields["trg_date_range_type"]
            ._description_selection(self.env)
        )
        factors = {"minutes": 1, "hour": 60, "day": 1440, "month": 43200}
        rows = []
        for sequence, automation in enumerate(automations):
            refs = self._stage_refs(automation, stages)
            if automation.trigger in TIME_TRIGGERS:
                delay = "%s %s" % (
                    automation.trg_date_range,
                    units.get(automation.trg_date_range_type, ""),
                )
                if automation.trg_date_id:
                    delay = _(
                        "%(delay)s after “%(field)s”",
                        delay=delay,
                        field=automation.trg_date_id.field_description,
                    )
                minutes = automation.trg_date_range * factors.get(automation.trg_date_range_type, 0)
            else:
                delay, minutes = _("immediately"), 0
            templates = []
            for action in automation.action_server_ids:
                if action.state == "sms" and action.sms_template_id:
                    templates.append(_("SMS: %(name)s", name=action.sms_template_id.name))
                if action.state == "mail_post" and action.template_id:
                    templates.append(_("Email: %(name)s", name=action.template_id.name))
            base = {
                "automation_id": automation.id,
                "active": automation.active,
                "sequence": sequence,
                "trigger": triggers.get(automation.trigger, automation.trigger),
                "delay": delay,
                "delay_minutes": minutes,
                "condition": automation.filter_domain or "",
                "actions": "; ".join(
                    self._describe_action(action) for action in automation.action_server_ids
                ),
                "templates": "; ".join(templates),
            }
            for stage in refs or [stages.browse()]:
                rows.append(dict(base, stage_id=stage.id, stage_sequence=stage.sequence or 0))
        return rows

    @api.model
    def action_open_map(self):
        """Compute the map again and show it: for the roles that may read it
        (administrators, managers)."""
        self.check_access("read")
        # sudo: the rows are the system's computation, never typed by a user;
        # they stay the caller's own (create_uid, see the record rule).
        rows = self.sudo()
        rows.search([("create_uid", "=", self.env.uid)]).unlink()
        rows.create(self._compute_map())
        return {
            "type": "ir.actions.act_window",
            "name": _("Trigger map"),
            "res_model": self._name,
            "view_mode": "list",
            "domain": [("create_uid", "=", self.env.uid)],
            "context": {"group_by": ["stage_id"]},
        }
