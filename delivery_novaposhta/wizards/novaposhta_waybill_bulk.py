from markupsafe import Markup, escape

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.crm_order_flow.tools import error_text


class NovaPoshtaWaybillBulk(models.TransientModel):
    """Create the waybills of many orders at once; one result per order."""

    _name = "novaposhta.waybill.bulk"
    _description = "Create Nova Poshta Waybills"

    order_ids = fields.Many2many("sale.order", string="Orders")
    result = fields.Html(readonly=True, sanitize=True)
    done = fields.Boolean(readonly=True)

    def action_create(self):
        self.ensure_one()
        self.order_ids._np_check_rights()
        rows = []
        for order in self.order_ids:
            try:
                with self.env.cr.savepoint():
                    waybill = order._np_carrier()._np_create_waybill(order)
                if waybill.state == "created":
                    rows.append((order.name, _("Waybill %(number)s", number=waybill.name), "ok"))
                else:
                    rows.append(
                        (
                            order.name,
                            _(
                                "%(problem)s The waybill may have been created: it is looked "
                                "up at Nova Poshta automatically.",
                                problem=waybill.error_message or "",
                            ),
                            "warning",
                        )
                    )
            except (UserError, ValidationError) as error:
                rows.append((order.name, error_text(error), "error"))
        body = Markup("").join(
            Markup("<tr><td>%s</td><td class='%s'>%s</td></tr>")
            % (
                name,
                {"ok": "text-success", "warning": "text-warning", "error": "text-danger"}[kind],
                escape(text),
            )
            for name, text, kind in rows
        )
        self.write(
            {
                "result": Markup("<table class='table table-sm'>%s</table>") % body,
                "done": True,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Create Nova Poshta waybills"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
