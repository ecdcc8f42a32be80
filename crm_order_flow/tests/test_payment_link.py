"""The one-tap payment link: from the customer's message straight to the
payment provider's page, for the amount due now, with nothing taken from the
request but the order and its token."""

import re

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import OrderFlowCommon

REDIRECT_FORM = """
<form action="https://pay.example.com/checkout" method="post">
    <input type="hidden" name="reference" t-att-value="reference"/>
    <input type="hidden" name="amount" t-att-value="amount"/>
</form>
"""


@tagged("post_install", "-at_install")
class TestPaymentLink(OrderFlowCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        view = cls.env["ir.ui.view"].create(
            {"name": "Test acquirer redirect", "type": "qweb", "arch": REDIRECT_FORM}
        )
        method = cls.env.ref("payment.payment_method_unknown")
        cls.env["payment.provider"].search([]).write({"state": "disabled"})
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Test acquirer",
                "code": "none",
                "state": "test",
                "is_published": True,
                "redirect_form_view_id": view.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True

    def _order(self, **vals):
        order = self.make_order(qty=2, require_payment=True, **vals)
        order.order_line.tax_id = False
        self.assertEqual(order.amount_total, 2000.0)
        return order

    def _open(self, url):
        """The customer taps the link: the page, then the form it submits."""
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        token = re.search(r'name="access_token" value="([^"]+)"', page.text).group(1)
        action = url.split("?")[0]
        return page, self.url_open(
            action, data={"csrf_token": csrf, "access_token": token, "amount": "1"}
        )

    def _transactions(self, order):
        return self.env["payment.transaction"].sudo().search([("sale_order_ids", "in", order.ids)])

    def test_the_link_opens_the_providers_page_for_the_amount_due(self):
        order = self._order()
        self.assertIn(f"/order-flow/pay/{order.id}?access_token=", order.payment_url)
        page, redirect = self._open(order.payment_url)
        self.assertIn("2,000.00", page.text)
        self.assertIn(f"<title>{self.company.name}</title>", page.text)
        self.assertEqual(redirect.status_code, 200)
        self.assertIn('action="https://pay.example.com/checkout"', redirect.text)
        tx = self._transactions(order)
        self.assertEqual(len(tx), 1)
        # the amount comes from the order, never from the request ("amount": "1")
        self.assertEqual((tx.amount, tx.currency_id), (2000.0, order.currency_id))
        self.assertEqual((tx.provider_id, tx.partner_id), (self.provider, order.partner_invoice_id))

    def test_tapping_the_link_again_opens_the_same_payment(self):
        """The customer opened the provider's page and came back without
        paying: the link opens that payment again, never a second payment
        the customer could pay as well."""
        order = self._order()
        self._open(order.payment_url)
        self._open(order.payment_url)
        self.assertEqual(len(self._transactions(order)), 1)

    def test_opening_the_link_creates_no_payment(self):
        """Messengers open links to preview them: only the customer's own
        browser (which submits the page's form) starts a payment."""
        order = self._order()
        self.assertEqual(self.url_open(order.payment_url).status_code, 200)
        self.assertFalse(self._transactions(order))

    def test_a_wrong_token_opens_nothing(self):
        order = self._order()
        other = self._order()
        url = f"/order-flow/pay/{order.id}?access_token={other.sudo()._portal_ensure_token()}"
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.url_open(f"/order-flow/pay/{order.id}").status_code, 404)
        self.assertFalse(self._transactions(order))

    def test_partial_prepayment_then_the_rest(self):
        order = self._order(prepayment_percent=0.3)
        self.assertEqual(order._order_flow_link_amount(), 600.0)
        self._open(order.payment_url)
        tx = self._transactions(order)
        self.assertEqual(tx.amount, 600.0)
        tx._set_done()
        self.env.flush_all()
        self.assertEqual((order.paid_amount, order.order_payment_state), (600.0, "partial"))
        # the same link now asks for the rest
        self.assertEqual(order._order_flow_link_amount(), 1400.0)
        self._open(order.payment_url)
        rest = self._transactions(order) - tx
        self.assertEqual(rest.amount, 1400.0)

    def test_a_paid_order_opens_its_portal_page(self):
        order = self._order()
        self._open(order.payment_url)
        self._transactions(order)._set_done()
        self.env.flush_all()
        response = self.url_open(order.payment_url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn(f"/my/orders/{order.id}", response.headers["Location"])

    def test_the_company_chooses_the_provider(self):
        view = self.provider.redirect_form_view_id
        preferred = self.provider.copy(
            {
                "name": "Preferred acquirer",
                "state": "test",
                "is_published": True,
                "redirect_form_view_id": view.id,
            }
        )
        self.company.order_flow_payment_provider_id = preferred
        order = self._order()
        self._open(order.payment_url)
        self.assertEqual(self._transactions(order).provider_id, preferred)
        # an unpublished or disabled choice is passed over (a provider in test
        # mode takes no real money: it reaches customers only when published)
        preferred.is_published = False
        self._open(order.payment_url)
        self.assertEqual(self._transactions(order)[0].provider_id, self.provider)
        preferred.write({"is_published": True, "state": "disabled"})
        self._open(order.payment_url)
        self.assertEqual(self._transactions(order)[0].provider_id, self.provider)

    def test_a_payment_being_confirmed_is_not_asked_for_again(self):
        """The customer paid, the provider has not confirmed it yet: tapping
        the link again asks only for what is not on its way."""
        order = self._order()
        self._open(order.payment_url)
        first = self._transactions(order)
        first._set_pending()
        self.env.flush_all()
        self.assertEqual(order._order_flow_link_amount(), 0.0)
        response = self.url_open(order.payment_url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self._transactions(order), first, "no second payment")
        # the first payment failed: the link asks for the whole amount again
        first._set_error("Declined")
        self.env.flush_all()
        self.assertEqual(order._order_flow_link_amount(), 2000.0)
