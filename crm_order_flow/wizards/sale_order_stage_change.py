from markupsafe import Markup, escape

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import error_text


class SaleOrderStageChange(models.TransientModel):
    """Change the status of several orders at once. Every order is checked
    on its own (matrix, role, validations); the ones refused keep their
    status and the wizard lists them with the reason."""

    _name = "sale.order.stage.change"
    _description = "Change Order Status"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    stage_id = fields.Many2one("sale.order.stage", string="New status", required=True)
    operator_comment = fields.Text(
        help="Written on every order; required to cancel orders or register returns.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", system_only=True, copy=False
    )
    result = fields.Html(readonly=True, sanitize=True, system_only=True, copy=False)
    moved_count = fields.Integer(readonly=True, system_only=True, copy=False)
    refused_count = fields.Integer(readonly=True, system_only=True, copy=False)

    def action_apply(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(_("These status changes are already applied."))
        # The orders are the user's own choice: each must be one he may read.
        self.order_ids.check_access("read")
        moved, refused = self.env["sale.order"], []
        for order in self.order_ids:
            vals = {"stage_id": self.stage_id.id}
            if self.operator_comment:
                vals["operator_comment"] = self.operator_comment
            try:
                with self.env.cr.savepoint():
                    order.write(vals)
                moved |= order
            except (UserError, AccessError, ValidationError) as error:
                refused.append((order, error_text(error)))
        rows = Markup("").join(
            Markup("<li><b>%s</b>: %s</li>") % (order.name, reason) for order, reason in refused
        )
        summary = escape(
            _(
                "%(moved)s order(s) moved to “%(status)s”, %(refused)s refused.",
                moved=len(moved),
                status=self.stage_id.name,
                refused=len(refused),
            )
        )
        # sudo: the result is the system's report of what happened (system-only fields).
        self.sudo().write(
            {
                "state": "done",
                "moved_count": len(moved),
                "refused_count": len(refused),
                "result": Markup("<p>%s</p>") % summary
                + (Markup("<ul>%s</ul>") % rows if refused else Markup("")),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Change status"),
        }
