"""Message templates are texts with the suite's placeholders, not code.

A Marketer edits the customer messages (SMS and e-mail templates of orders):
the texts with the placeholders of the shipped templates are accepted; code
(``object.env``, ``sudo()``) and paths to credentials are refused and the
template keeps its text. Whatever a template holds, the order flow's
rendering gives a customer message no credential and its author no right."""

import re

from odoo.tests import tagged

from .security_common import SecurityCase, credential_fields

ORDER_MODEL = "sale.order"
PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@tagged("post_install", "-at_install")
class TestSecurityTemplates(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_created = cls.env.ref("crm_order_flow.sms_template_order_created")
        cls.mail_created = cls.env.ref("crm_order_flow.mail_template_order_created")
        cls.sms_cancelled = cls.env.ref("crm_order_flow.sms_template_cancelled")

    # ------------------------------------------------------------- helpers
    def leaky_expressions(self, escalate=True):
        """Credential paths (and privilege escalation for the Marketer) a
        template could hold: every credential field of the suite, reached by
        a field path from the order where there is one and through the
        environment in any case (each renders without error when run as
        superuser)."""
        marketer = self.users["marketer"]
        expressions = []
        if escalate:
            expressions.append(
                "object.env.ref('base.group_system').sudo().write({'users': [(4, %d)]})"
                % marketer.id
            )
        paths = {
            "res.company": "object.company_id",
            "novaposhta.account": "object.carrier_id.np_account_id",
        }
        for model_name, name in credential_fields(self.env):
            if self.env[model_name]._transient:
                continue
            if model_name in paths:
                expressions.append(f"{paths[model_name]}.{name}")
            expressions.append(f"object.env['{model_name}'].sudo().search([]).mapped('{name}')")
        return expressions

    def dangerous_expressions(self):
        """What a template may not hold: the leaky expressions, and code."""
        return self.leaky_expressions() + [
            "object.sudo().company_id.name",
            "object.env['res.users'].sudo().search([]).mapped('login')",
            "object.env.cr.execute('select 1')",
            "object.with_user(1).name",
            "object.partner_id.write({'name': 'x'})",
        ]

    def shipped(self, model_name):
        """The customer message templates the order flow ships."""
        ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "crm_order_flow"), ("model", "=", model_name)])
            .mapped("res_id")
        )
        return self.env[model_name].browse(ids).exists()

    # --------------------------------------------------------------- tests
    def test_marketer_edits_the_shipped_texts(self):
        """The Marketer rewords every shipped message, keeping its
        placeholders, and writes new texts with any placeholder the shipped
        ones use (customer's first name, order number, amount due…)."""
        failures = []
        sms_templates = self.shipped("sms.template")
        self.assertTrue(sms_templates)
        for template in sms_templates:
            body = f"{template.body} Дякуємо!"
            answer = self.call("marketer", "sms.template", "write", template.ids, {"body": body})
            if not answer.ok or template.body != body:
                failures.append(f"SMS “{template.name}”: {answer.describe()}")
        placeholders = sorted(
            {found for template in sms_templates for found in PLACEHOLDER.findall(template.body)}
        )
        text = "Вітаємо! " + " / ".join(placeholders)
        answer = self.call(
            "marketer", "sms.template", "write", self.sms_created.ids, {"body": text}
        )
        if not answer.ok or self.sms_created.body != text:
            failures.append(f"an SMS with every shipped placeholder: {answer.describe()}")
        for template in self.shipped("mail.template"):
            vals = {
                "subject": f"{template.subject} (Store)",
                "body_html": f"{template.body_html}<p>Дякуємо, що обрали нас!</p>",
            }
            answer = self.call("marketer", "mail.template", "write", template.ids, vals)
            if not answer.ok or "Дякуємо, що обрали нас!" not in (template.body_html or ""):
                failures.append(f"e-mail “{template.name}”: {answer.describe()}")
        answer = self.call(
            "marketer",
            "sms.template",
            "create",
            {
                "name": "Sale (marketer)",
                "model_id": self.env["ir.model"]._get_id(ORDER_MODEL),
                "body": "Hi {{ object.customer_first_name }}, order {{ object.name }} is ready!",
            },
        )
        if not answer.ok:
            failures.append(f"a new SMS template: {answer.describe()}")
        self.assertFalse(failures, "\n".join(failures))

    def test_marketer_cannot_put_code_or_credentials_in_sms(self):
        failures = []
        before = self.sms_created.body
        for expression in self.dangerous_expressions():
            body = "Order {{ object.name }}: {{ %s }}" % expression
            answer = self.call(
                "marketer", "sms.template", "write", self.sms_created.ids, {"body": body}
            )
            self.sms_created.invalidate_recordset()
            if not answer.refused or self.sms_created.body != before:
                failures.append(f"SMS body accepted: {{{{ {expression} }}}} ({answer.describe()})")
            answer = self.call(
                "marketer",
                "sms.template",
                "create",
                {
                    "name": "Forged",
                    "model_id": self.env["ir.model"]._get_id(ORDER_MODEL),
                    "body": body,
                },
            )
            if not answer.refused:
                failures.append(f"SMS template created with {{{{ {expression} }}}}")
        self.assertFalse(failures, "\n".join(failures))

    def test_marketer_cannot_put_code_or_credentials_in_mail(self):
        failures = []
        before = self.snapshot(self.mail_created, ["subject", "body_html"])
        for expression in self.dangerous_expressions():
            for vals in (
                {"subject": "Order {{ %s }}" % expression},
                {"body_html": '<p>Order <t t-out="%s"/></p>' % expression.replace('"', "'")},
            ):
                answer = self.call(
                    "marketer", "mail.template", "write", self.mail_created.ids, vals
                )
                if (
                    not answer.refused
                    or self.snapshot(self.mail_created, ["subject", "body_html"]) != before
                ):
                    failures.append(f"e-mail template accepted {list(vals)}: {expression}")
        self.assertFalse(failures, "\n".join(failures))

    def inject(self, author, escalate=True):
        """Code in the order-received and cancellation texts, as if a data
        import or an old version had put it there, last changed by
        ``author``."""
        leaky = " ".join("{{ %s }}" % expr for expr in self.leaky_expressions(escalate))
        self.env.cr.execute(
            "UPDATE sms_template SET body = jsonb_build_object('en_US', %s), write_uid = %s "
            "WHERE id IN %s",
            [
                "Order {{ object.name }} " + leaky,
                author.id,
                (self.sms_created.id, self.sms_cancelled.id),
            ],
        )
        html = "<p>Order <t t-out='object.name'/> <t t-out='object.company_id.smsclub_token'/></p>"
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s), "
            "subject = jsonb_build_object('en_US', %s), write_uid = %s WHERE id = %s",
            [html, "Order {{ object.name }} " + leaky, author.id, self.mail_created.id],
        )
        self.env.invalidate_all()

    def assertNoCredentialSent(self):
        """A Sales Manager creates an order and cancels it: the customer
        messages of both statuses go out (or not), never with a credential,
        and the author of the texts gains no right."""
        self.refresh_secrets()
        answer = self.call(
            "sales",
            "sale.order",
            "create",
            {"partner_id": self.customer.id, "user_id": self.users["sales"].id},
        )
        if answer.ok:
            order = self.env["sale.order"].browse(answer.result)
            self.call(
                "sales",
                "sale.order",
                "write",
                order.ids,
                {"stage_id": self.stage("cancelled").id, "operator_comment": "Customer left"},
            )
            texts = self._order_texts(order)
            for secret in self._secret_values:
                self.assertFalse(
                    any(secret in text for text in texts),
                    f"a customer message of the order holds a credential ({secret[:4]}…)",
                )
        marketer = self.users["marketer"]
        marketer.invalidate_recordset()
        self.assertFalse(
            marketer.has_group("base.group_system"),
            "rendering a template made the marketer an administrator",
        )

    def test_shipped_texts_are_sent(self):
        """The control: the order flow renders and sends the shipped text."""
        answer = self.call(
            "sales",
            "sale.order",
            "create",
            {"partner_id": self.customer.id, "user_id": self.users["sales"].id},
        )
        order = self.env["sale.order"].browse(self.assertAccepted(answer))
        self.assertIn(order.name, "\n".join(self._order_texts(order)), "the SMS went out")

    def test_rendering_code_from_another_path_exposes_no_credential(self):
        self.inject(self.users["marketer"])
        self.assertNoCredentialSent()

    def test_rendering_code_an_administrator_wrote_exposes_no_credential(self):
        """Even a text an administrator (or the installation) wrote never
        puts a credential into a customer message."""
        self.inject(self.env.ref("base.user_root"), escalate=False)
        self.assertNoCredentialSent()

    def _order_texts(self, order):
        """Everything the customer gets or staff see of the order's
        messages: chatter, SMS queue, SMS Club journal, the fake's inbox."""
        self.env.invalidate_all()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "sale.order"), ("res_id", "=", order.id)])
        )
        sms = (
            self.env["sms.sms"]
            .sudo()
            .with_context(active_test=False)
            .search([("mail_message_id", "in", messages.ids)])
        )
        texts = [str(body) for body in messages.mapped("body")]
        texts += [subject or "" for subject in messages.mapped("subject")]
        texts += sms.mapped("body")
        self.env["sms.sms"].sudo()._process_queue()
        rows = self.env["sms.club.message"].sudo().search([("order_id", "=", order.id)])
        texts += rows.mapped("body")
        texts += [text for _kind, _phone, text in self.sms_fake.sent()]
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
        texts += [str(body) for body in mails.mapped("body_html")]
        return [text for text in texts if text]
