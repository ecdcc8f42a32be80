import re

from markupsafe import Markup, escape

from odoo import _, api, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.mail import html_normalize
from odoo.tools.rendering_tools import parse_inline_template

from odoo.addons.access_roles.tools.credentials import redact

# Models whose message templates are limited to the order flow's placeholders.
PLACEHOLDER_MODELS = ("sale.order",)
# A QWeb placeholder as Odoo's own substitution renderer finds it
# (``MailRenderMixin._render_template_qweb_regex``).
QWEB_PLACEHOLDER = re.compile(
    r"""<(\w+)[\s|\n]+t-out=[\s|\n]*(\'|\")((\w|\.)+)(\2)[\s|\n]*((\/>)|(>[\s|\n]*([^<>]*?))[\s|\n]*<\/\1>)""",
    flags=re.DOTALL,
)


class MailRenderMixin(models.AbstractModel):
    """Message templates of orders (``sms.template``, ``mail.template``).

    Odoo renders a template made only of the model's allowed expressions
    (``sale.order.mail_allowed_qweb_expressions``, the order flow's
    placeholders: ``sale.order._order_flow_message_placeholders``, which other
    addons extend) by substitution, without evaluating anything; any other
    expression is Python evaluated with the rights of whoever renders. The
    order flow renders customer messages for automation rules, as superuser.

    So, for the templates of orders:

    - saving: only administrators may write anything but the allowed
      placeholders (whatever Odoo's template editor group says);
    - rendering: a template that is not made of allowed placeholders alone is
      rendered with the rights of the administrator who last changed it
      (never as superuser), or with the rights of the person rendering it in
      a composer; if its last author is no administrator (it reached the
      database by another path), it is not rendered at all. Whatever such a
      template holds, no credential of the suite (``CredentialField``) comes
      out of it: their values are masked in what it renders.
    """

    _inherit = "mail.render.mixin"

    def _order_flow_is_placeholder_template(self):
        return (
            len(self) == 1
            and self._unrestricted_rendering
            and self.sudo().render_model in self._order_flow_placeholder_models()
        )

    @api.model
    def _order_flow_placeholder_models(self):
        """Models whose message templates are limited to placeholders. An
        addon adds its model with ``super()``; the model inherits
        ``order.flow.placeholder.mixin`` and lists its placeholders and their
        sample values, as ``sale.order`` does."""
        return PLACEHOLDER_MODELS

    def _order_flow_has_code(self):
        """Whether the template (in the current language) holds anything but
        the allowed placeholders of its model."""
        self.ensure_one()
        # sudo: the check reads every field of the template, whoever renders it.
        template = self.sudo()
        sources = []
        for name, field in template._fields.items():
            if field.type not in ("char", "text", "html"):
                continue
            value = template[name]
            if value and ("{{" in value or "t-" in value or "#{" in value):
                sources.append((getattr(field, "render_engine", "inline_template"), str(value)))
        return self._order_flow_sources_have_code(template.render_model, tuple(sources))

    @api.model
    @tools.ormcache("model", "sources")
    def _order_flow_sources_have_code(self, model, sources):
        for engine, source in sources:
            if engine in ("qweb", "qweb_view"):
                if self._has_unsafe_expression_template_qweb(source, model):
                    return True
            elif self._has_unsafe_expression_template_inline_template(source, model):
                return True
        return False

    @api.model
    def _order_flow_is_template_admin(self, user):
        return bool(user) and (user._is_superuser() or user._is_system())

    def _order_flow_placeholder_help(self):
        return self.env[self.sudo().render_model]._order_flow_placeholder_labels()

    # -------------------------------------------------------------- preview
    def _order_flow_previews_on_sample(self):
        """Whether the template's preview opens on the sample order: a
        template of orders made of the allowed placeholders alone, or any
        template of orders previewed by someone who may not read orders."""
        self.ensure_one()
        model = self.sudo().render_model
        if model not in self._order_flow_placeholder_models():
            return False
        return not self.env[model].has_access("read") or not self._order_flow_has_code()

    @api.model
    def _order_flow_render_sample(self, source, model, engine="inline_template"):
        """``source`` with each allowed placeholder replaced by its value for
        the sample order (``_order_flow_sample_message_values``), by plain
        substitution: nothing is evaluated and no order is read, so anyone
        who edits the texts may preview them. None when ``source`` holds
        anything but the allowed placeholders (only a real order can fill
        it)."""
        if not source:
            return source or ""
        values = self.env[model]._order_flow_sample_message_values()

        def sample(expression, default):
            return values.get(expression.strip().removeprefix("object.")) or default or ""

        if engine in ("qweb", "qweb_view"):
            if self._has_unsafe_expression_template_qweb(source, model):
                return None

            def replace(match):
                tag, value = match.group(1), escape(sample(match.group(3), match.group(9)))
                return value if tag.lower() == "t" else Markup(f"<{tag}>{value}</{tag}>")

            return Markup(QWEB_PLACEHOLDER.sub(replace, html_normalize(f"<div>{source}</div>")))
        if self._has_unsafe_expression_template_inline_template(str(source), model):
            return None
        return "".join(
            literal + (sample(expression, default) if expression else "")
            for literal, expression, default in parse_inline_template(str(source))
        )

    # ---------------------------------------------------------------- saving
    def _check_access_right_dynamic_template(self):
        # Odoo calls this after each create, write and translation of a
        # template, in the language that changed.
        if not self.env.su and not self._order_flow_is_template_admin(self.env.user):
            for template in self:
                if (
                    template._order_flow_is_placeholder_template()
                    and template._order_flow_has_code()
                ):
                    raise ValidationError(
                        _(
                            "The template “%(template)s” may contain only these placeholders "
                            "(only an administrator may write other expressions): "
                            "%(placeholders)s.",
                            template=template.sudo().display_name,
                            placeholders=template._order_flow_placeholder_help(),
                        )
                    )
        return super()._check_access_right_dynamic_template()

    # ------------------------------------------------------------- rendering
    def _order_flow_renderer(self):
        """The template to render with: itself when it holds allowed
        placeholders only (safe whoever renders it), else the template as its
        last author, an administrator, with his own rights."""
        if not self._order_flow_is_placeholder_template() or not self._order_flow_has_code():
            return self
        # sudo: who last changed the template, whoever renders it.
        author = self.sudo().write_uid
        if not self._order_flow_is_template_admin(author):
            raise UserError(
                _(
                    "The message template “%(template)s” was last changed by %(author)s, who is "
                    "not an administrator, and contains expressions other than the allowed "
                    "placeholders: it is not used. An administrator must check it. Allowed "
                    "placeholders: %(placeholders)s.",
                    template=self.sudo().display_name,
                    author=author.sudo().name or "?",
                    placeholders=self._order_flow_placeholder_help(),
                )
            )
        if self.env.su:
            return self.with_user(author)
        # A person renders it (e.g. in a composer): with his own rights, as Odoo does.
        return self

    def _render_template(
        self, template_src, model, res_ids, engine="inline_template", add_context=None, options=None
    ):
        renderer = self._order_flow_renderer()
        rendered = super(MailRenderMixin, renderer)._render_template(
            template_src,
            model,
            res_ids,
            engine=engine,
            add_context=add_context,
            options=options,
        )
        if self._order_flow_is_placeholder_template() and self._order_flow_has_code():
            rendered = self._order_flow_mask_credentials(rendered)
        return rendered

    @api.model
    @tools.ormcache()
    def _order_flow_credential_fields(self):
        """(model, field) of every credential of the suite (CredentialField)."""
        return tuple(
            (model_name, name)
            for model_name in self.env.registry
            if not self.env[model_name]._abstract and not self.env[model_name]._transient
            for name, field in self.env[model_name]._fields.items()
            if getattr(field, "credential", False) and field.store
        )

    @api.model
    def _order_flow_mask_credentials(self, rendered):
        """``rendered`` ({res_id: text}) with every credential value masked."""
        secrets = set()
        for model_name, name in self._order_flow_credential_fields():
            # sudo: the secrets are read only to be masked, never shown.
            records = self.env[model_name].sudo().with_context(active_test=False).search([])
            secrets.update(str(value) for value in records.mapped(name) if value)
        if not secrets:
            return rendered
        secrets = sorted(secrets, key=len, reverse=True)  # a longer secret first
        masked = {}
        for res_id, text in rendered.items():
            if isinstance(text, Markup):
                masked[res_id] = Markup(redact(str(text), *secrets))
            elif isinstance(text, str):
                masked[res_id] = redact(text, *secrets)
            else:
                masked[res_id] = text
        return masked
