from odoo import api, fields, models


class MailTemplatePreview(models.TransientModel):
    """The preview of an order's e-mail template opens on the sample order,
    like the SMS one (see ``sms_template_preview.py``)."""

    _inherit = "mail.template.preview"

    order_flow_sample = fields.Boolean(
        string="Sample order", compute="_compute_mail_template_fields"
    )
    order_flow_sample_note = fields.Char(
        string="About the sample", compute="_compute_mail_template_fields"
    )

    @api.depends("mail_template_id")
    def _compute_resource_ref(self):
        on_sample = self.filtered(lambda p: p.mail_template_id._order_flow_previews_on_sample())
        on_sample.resource_ref = False
        return super(MailTemplatePreview, self - on_sample)._compute_resource_ref()

    @api.depends("model_id")
    def _compute_no_record(self):
        super_previews = self.browse()
        for preview in self:
            model = preview.mail_template_id.sudo().model
            placeholder_models = self.env["mail.render.mixin"]._order_flow_placeholder_models()
            if model in placeholder_models and not self.env[model].has_access("read"):
                preview.no_record = True
            else:
                super_previews |= preview
        return super(MailTemplatePreview, super_previews)._compute_no_record()

    @api.depends("lang", "resource_ref")
    def _compute_mail_template_fields(self):
        # Odoo's computation handles one preview at a time.
        res = None
        for preview in self:
            res = super(MailTemplatePreview, preview)._compute_mail_template_fields()
            preview.order_flow_sample = False
            preview.order_flow_sample_note = False
            model = preview.mail_template_id.sudo().model
            placeholder_models = self.env["mail.render.mixin"]._order_flow_placeholder_models()
            if (
                preview.resource_ref and preview.resource_ref.id
            ) or model not in placeholder_models:
                continue
            template = preview.mail_template_id.with_context(lang=preview.lang or self.env.lang)
            values = {}
            for name in ("subject", "email_from", "email_to", "email_cc", "reply_to", "body_html"):
                engine = getattr(template._fields[name], "render_engine", "inline_template")
                values[name] = template._order_flow_render_sample(template[name], model, engine)
            if any(value is None for value in values.values()):
                preview.order_flow_sample_note = self.env._(
                    "This template holds expressions other than the allowed placeholders: "
                    "only a real order fills them."
                )
                continue
            preview.update(values)
            preview.order_flow_sample = True
            preview.order_flow_sample_note = self.env._(
                "Filled with a sample order: the values are examples, no real order is read."
            )
        return res
