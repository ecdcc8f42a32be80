"""Message templates are texts with the suite's placeholders, not code.

A Marketer edits the customer messages (SMS and e-mail templates of orders):
the texts with the placeholders of the shipped templates are accepted; code
(``object.env``, ``sudo()``) and paths to credentials are refused and the
template keeps its text. Whatever a template holds, the order flow's
rendering gives a customer message no credential and its author no right."""

from odoo.tests import tagged

from .security_common import SecurityCase, credential_fields

ORDER_MODEL = "sale.order"


@tagged("post_install", "-at_install")
class TestSecurityTemplates(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_created = cls.env.ref("crm_order_flow.sms_template_order_created")
        cls.mail_created = cls.env.ref("crm_order_flow.mail_template_order_created")
        cls.sms_cancelled = cls.env.ref("crm_order_flow.sms_template_cancelled")

    # ------------------------------------------------------------- helpers
    def leaky_expressions(self):
        """Credential paths and privilege escalation a template could hold:
        every credential field of the suite, reached by a field path from
        the order where there is one and through the environment in any
        case (each renders without error when run as superuser)."""
        marketer = self.users["marketer"]
        expressions = [
            "object.env.ref('base.group_system').sudo().write({'users': [(4, %d)]})" % marketer.id,
        ]
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

    def ok_sms_text(self):
        return (
            "Вітаємо, {{ object.customer_first_name }}! Замовлення {{ object.name }}: до сплати "
            "{{ format_amount(object.amount_due, object.currency_id) }}. "
            "Трек-номер {{ object.delivery_tracking_ref }}, {{ object.delivery_point_name }} до "
            "{{ format_date(object.delivery_storage_until) }}. {{ object.payment_url }} "
            "{{ object.promo_line }}"
        )

    # --------------------------------------------------------------- tests
    def test_marketer_writes_texts_with_the_placeholders(self):
        answer = self.call(
            "marketer", "sms.template", "write", self.sms_created.ids, {"body": self.ok_sms_text()}
        )
        self.assertAccepted(answer, "the marketer edits an SMS text")
        self.assertEqual(self.sms_created.body, self.ok_sms_text())
        html = (
            '<div><p>Hello, <t t-out="object.customer_first_name"/>!</p>'
            '<p>Order <strong t-out="object.name"/>: amount due '
            '<t t-out="format_amount(object.amount_due, object.currency_id)"/></p></div>'
        )
        answer = self.call(
            "marketer",
            "mail.template",
            "write",
            self.mail_created.ids,
            {"subject": "Order {{ object.name }} received", "body_html": html},
        )
        self.assertAccepted(answer, "the marketer edits an e-mail text")
        self.assertEqual(self.mail_created.subject, "Order {{ object.name }} received")
        self.assertIn("object.customer_first_name", self.mail_created.body_html)
        # and a new message of orders with the same placeholders
        answer = self.call(
            "marketer",
            "sms.template",
            "create",
            {
                "name": "Sale (marketer)",
                "model_id": self.env["ir.model"]._get_id(ORDER_MODEL),
                "body": "Hi {{ object.customer_first_name }}, order {{ object.name }}!",
            },
        )
        self.assertAccepted(answer, "the marketer creates an SMS template")

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

    def test_rendering_an_order_message_exposes_no_credential(self):
        """A template that reached the database with code in it (by any
        path) still gives the customer no credential and its author no
        right when the order flow sends it."""
        self.refresh_secrets()
        # First, the shipped text goes out: the order flow renders it.
        answer = self.call(
            "sales",
            "sale.order",
            "create",
            {"partner_id": self.customer.id, "user_id": self.users["sales"].id},
        )
        self.assertAccepted(answer)
        first = self.env["sale.order"].browse(answer.result)
        self.assertIn(first.name, "\n".join(self._order_texts(first)), "the SMS went out")
        # Then the same with code in the texts (as if an old template or
        # an import put it there).
        leaky = " ".join("{{ %s }}" % expr for expr in self.leaky_expressions())
        self.env.cr.execute(
            "UPDATE sms_template SET body = jsonb_build_object('en_US', %s) WHERE id IN %s",
            ["Order {{ object.name }} " + leaky, (self.sms_created.id, self.sms_cancelled.id)],
        )
        html = "<p>Order <t t-out='object.name'/> <t t-out='object.company_id.smsclub_token'/></p>"
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s), "
            "subject = jsonb_build_object('en_US', %s) WHERE id = %s",
            [html, "Order {{ object.name }} " + leaky, self.mail_created.id],
        )
        self.customer.email = "olha.h-sec@example.com"
        self.env.invalidate_all()
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
            "rendering a template made its author an administrator",
        )

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
