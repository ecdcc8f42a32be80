"""The one-tap payment link of the customer messages.

``/order-flow/pay/<order>?access_token=…`` (the order's own portal token) is
what the SMS / Viber / e-mail with the payment link carries. The customer
taps it and lands on the payment page of the store's payment provider for
the amount due now (the prepayment still due when the order asks for a
partial prepayment): no portal page, no login, no choice to make.

It takes two requests on purpose: the link itself (GET) only shows the
amount and a "Pay" button that the browser presses by itself; the payment
is created by that form (POST). Messengers and mail scanners that open
links to preview them create no payment, and no payment page is opened at
the provider for them.

The amount, the currency, the provider and the customer come from the
order on the server: the request brings only the order and its token.
"""

import logging

from odoo import Command, _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.sale.controllers.portal import PaymentPortal

_logger = logging.getLogger(__name__)


class OrderFlowPaymentLink(PaymentPortal):
    def _order_flow_order(self, order_id, access_token):
        """The order the link is for (sudo, checked against its token), or None."""
        try:
            return self._document_check_access("sale.order", order_id, access_token)
        except (AccessError, MissingError):
            return None

    def _order_flow_payable(self, order_sudo):
        """(amount, provider) the link pays now, or (0, empty) when the order
        is not to be paid online now."""
        if order_sudo.state not in ("draft", "sent", "sale") or not order_sudo.require_payment:
            return 0.0, request.env["payment.provider"]
        amount = order_sudo._order_flow_link_amount()
        if not amount:
            return 0.0, request.env["payment.provider"]
        return amount, order_sudo._order_flow_link_provider(amount)

    @http.route(
        "/order-flow/pay/<int:order_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def order_flow_pay(self, order_id, access_token=None, **kwargs):
        order_sudo = self._order_flow_order(order_id, access_token)
        if order_sudo is None:
            raise request.not_found()
        amount, provider_sudo = self._order_flow_payable(order_sudo)
        if not amount or not provider_sudo:
            # Nothing to pay now, or no provider page to open: the order's
            # page on the customer portal says where the order stands.
            return request.redirect(order_sudo.get_portal_url())
        return request.render(
            "crm_order_flow.payment_link_page",
            {
                "order": order_sudo,
                "amount": amount,
                "provider": provider_sudo,
                "access_token": access_token,
            },
        )

    @http.route(
        "/order-flow/pay/<int:order_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def order_flow_pay_go(self, order_id, access_token=None, **kwargs):
        order_sudo = self._order_flow_order(order_id, access_token)
        if order_sudo is None:
            raise request.not_found()
        amount, provider_sudo = self._order_flow_payable(order_sudo)
        if not amount or not provider_sudo:
            return request.redirect(order_sudo.get_portal_url())
        partner = order_sudo.partner_invoice_id
        method = provider_sudo.payment_method_ids.filtered("active")[:1]
        # The customer tapped the link before and did not pay yet: the same
        # payment is opened again (the same page at the provider), never a
        # second one the customer could pay as well.
        tx_sudo = order_sudo.transaction_ids.filtered(
            lambda tx: (
                tx.state == "draft"
                and tx.provider_id == provider_sudo
                and tx.operation == "online_redirect"
                and tx.currency_id == order_sudo.currency_id
                and not tx.currency_id.compare_amounts(tx.amount, amount)
            )
        )[:1]
        tx_sudo = tx_sudo or self._create_transaction(
            provider_id=provider_sudo.id,
            payment_method_id=method.id,
            token_id=None,
            amount=amount,
            currency_id=order_sudo.currency_id.id,
            partner_id=partner.id,
            flow="redirect",
            tokenization_requested=False,
            landing_route=order_sudo.get_portal_url(),
            custom_create_values={"sale_order_ids": [Command.set(order_sudo.ids)]},
            sale_order_id=order_sudo.id,
        )
        try:
            with request.env.cr.savepoint():
                processing_values = tx_sudo._get_processing_values()
        except Exception as exc:  # noqa: BLE001 - shown to the customer, logged for the staff
            _logger.warning(
                "order flow: payment page of %s for order %s not opened: %s",
                provider_sudo.code,
                order_sudo.name,
                exc,
            )
            return request.render(
                "crm_order_flow.payment_link_page",
                {
                    "order": order_sudo,
                    "amount": amount,
                    "provider": provider_sudo,
                    "access_token": access_token,
                    "error": _(
                        "The payment page could not be opened just now. Please try again in a "
                        "minute."
                    ),
                },
            )
        return request.render(
            "crm_order_flow.payment_link_redirect",
            {
                "title": order_sudo.company_id.name,
                "redirect_form_html": processing_values.get("redirect_form_html"),
            },
        )
