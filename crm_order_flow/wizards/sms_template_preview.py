from odoo import api, fields, models


class SmsTemplatePreview(models.TransientModel):
    """The preview of an order's SMS template opens on the sample order:
    its placeholders are filled by plain substitution from fictional values,
    so people who edit the texts without reading the store's orders (the
    Marketer) see them filled. Whoever may read orders may still choose a
    real one."""

    _inherit = "sms.template.preview"

    order_flow_sample = fields.Boolean(
        string="Sample order", compute="_compute_sms_template_fields"
    )
    order_flow_sample_note = fields.Char(
        string="About the sample", compute="_compute_sms_template_fields"
    )

    def _order_flow_is_order_template(self):
        self.ensure_one()
        return (
            self.sms_template_id.sudo().model
            in self.env["mail.render.mixin"]._order_flow_placeholder_models()
        )

    @api.model
    def default_get(self, fields_list):
        template = self.env["sms.template"].browse(self.env.context.get("default_sms_template_id"))
        if template and template._order_flow_previews_on_sample():
            # No real order picked: the preview starts on the sample order.
            fields_list = [name for name in fields_list if name != "resource_ref"]
        return super().default_get(fields_list)

    @api.depends("model_id")
    def _compute_no_record(self):
        super_previews = self.browse()
        for preview in self:
            model = preview.sms_template_id.sudo().model
            placeholder_models = self.env["mail.render.mixin"]._order_flow_placeholder_models()
            if model in placeholder_models and not self.env[model].has_access("read"):
                preview.no_record = True
            else:
                super_previews |= preview
        return super(SmsTemplatePreview, super_previews)._compute_no_record()

    @api.depends("lang", "resource_ref")
    def _compute_sms_template_fields(self):
        res = super()._compute_sms_template_fields()
        for preview in self:
            preview.order_flow_sample = False
            preview.order_flow_sample_note = False
            if preview.resource_ref or not preview._order_flow_is_order_template():
                continue
            template = preview.sms_template_id.with_context(lang=preview.lang or self.env.lang)
            body = template._order_flow_render_sample(template.body, template.sudo().model)
            if body is None:
                preview.order_flow_sample_note = self.env._(
                    "This template holds expressions other than the allowed placeholders: "
                    "only a real order fills them."
                )
                continue
            preview.body = body
            preview.order_flow_sample = True
            preview.order_flow_sample_note = self.env._(
                "Filled with a sample order: the values are examples, no real order is read."
            )
        return res
