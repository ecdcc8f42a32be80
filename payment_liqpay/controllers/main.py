import logging
from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .. import const
from ..liqpay import LiqPayError, decode_data, verify

_logger = logging.getLogger(__name__)


class LiqPayController(http.Controller):
    _return_url = "/payment/liqpay/return"
    _webhook_url = "/payment/liqpay/webhook"

    @http.route(
        _return_url,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def liqpay_return_from_checkout(self, ref=None, **_kwargs):
        """The customer's browser comes back from LiqPay's checkout.

        Nothing the browser sends is trusted: while the payment (never a refund) is still
        open, LiqPay's status API is asked with a short timeout (the callback may not have
        come yet; at most once per transaction in `const.RETURN_CHECK_INTERVAL` seconds);
        then the customer goes to `/payment/status`.

        The route is flagged with `save_session=False` (like Odoo's providers) so that a
        POST coming back from LiqPay does not replace the customer's session, whose
        transaction `/payment/status` shows.

        :param str ref: our transaction reference, embedded in the return URL
        """
        if ref and isinstance(ref, str):
            # sudo: the public visitor has no right on transactions; the reference only
            # chooses which payment LiqPay is asked about, LiqPay's answer is what counts.
            tx_sudo = (
                request.env["payment.transaction"]
                .sudo()
                .search(
                    [
                        ("reference", "=", ref),
                        ("provider_code", "=", "liqpay"),
                        ("operation", "!=", "refund"),
                    ],
                    limit=1,
                )
            )
            now = fields.Datetime.now()
            recently = now - timedelta(seconds=const.RETURN_CHECK_INTERVAL)
            if (
                tx_sudo
                and tx_sudo.state in ("draft", "pending")
                and not (tx_sudo.liqpay_checked_at and tx_sudo.liqpay_checked_at > recently)
            ):
                # at most one question to LiqPay per transaction in a short while, however
                # often the page is reloaded
                tx_sudo.liqpay_checked_at = now
                state = tx_sudo.state
                try:
                    # a short wait: the customer's browser waits too; without an answer
                    # in time the callback or the scheduled check tells
                    tx_sudo._liqpay_reconcile(timeout=const.RETURN_TIMEOUT)
                except LiqPayError as error:
                    _logger.info(
                        "LiqPay: status of %s not known on return (%s); the callback or the "
                        "scheduled check will tell",
                        tx_sudo.reference,
                        error.code,
                    )
                except (UserError, ValidationError) as error:
                    _logger.info("LiqPay: status of %s not checked: %s", tx_sudo.reference, error)
                if tx_sudo.state != state:
                    tx_sudo._liqpay_trigger_post_processing()
        return request.redirect("/payment/status")

    @http.route(
        _webhook_url,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=const.WEBHOOK_MAX_CONTENT_LENGTH,
    )
    def liqpay_webhook(self, **post):
        """LiqPay's server-to-server callback: `data` and `signature` (form encoded).

        A body over `const.WEBHOOK_MAX_CONTENT_LENGTH` is refused (413) before it is
        read. The signature is checked first (403), then the shop (403), then the
        transaction is looked up by our reference (404); the payment data are
        processed (amount and currency checked there) and Odoo's post-processing
        of transactions is triggered at once.

        :return: an empty answer with HTTP 200 once processed
        """
        data = post.get("data")
        signature = post.get("signature")
        provider_sudo = self._liqpay_signing_provider(data, signature)
        if not provider_sudo:
            _logger.warning("LiqPay: callback refused: missing or invalid signature")
            return request.make_response("", status=403)
        try:
            payment_data = decode_data(data)
        except LiqPayError:
            _logger.warning("LiqPay: callback refused: its data cannot be read")
            return request.make_response("", status=400)
        if payment_data.get("public_key") != provider_sudo.liqpay_public_key:
            _logger.warning("LiqPay: callback refused: it is about another shop")
            return request.make_response("", status=403)
        reference = payment_data.get("order_id")
        tx_sudo = request.env["payment.transaction"]
        if reference and isinstance(reference, str):
            # a callback is about a payment (a refund shows on its payment), never a refund
            tx_sudo = provider_sudo.env["payment.transaction"].search(
                [
                    ("reference", "=", reference),
                    ("provider_id", "=", provider_sudo.id),
                    ("operation", "!=", "refund"),
                ],
                limit=1,
            )
        if not tx_sudo:
            _logger.warning("LiqPay: callback for an unknown transaction %r", reference)
            return request.make_response("", status=404)
        _logger.info(
            "LiqPay: callback for transaction %s: status %s",
            tx_sudo.reference,
            payment_data.get("status"),
        )
        try:
            tx_sudo._handle_notification_data("liqpay", payment_data)
        except ValidationError as error:
            _logger.warning("LiqPay: callback for %s not processed: %s", reference, error)
            return request.make_response("", status=400)
        tx_sudo._liqpay_trigger_post_processing()
        return request.make_response("", status=200)

    @staticmethod
    def _liqpay_signing_provider(data, signature):
        """The LiqPay provider whose private key signed `data`, if any.

        :return: the provider, in sudo mode, or an empty recordset
        """
        if not isinstance(data, str) or not isinstance(signature, str) or not data:
            return request.env["payment.provider"]
        # sudo: the private keys are readable by the system only; they check the signature.
        # A disabled provider still hears about the payments made before it was disabled.
        providers_sudo = request.env["payment.provider"].sudo().search([("code", "=", "liqpay")])
        for provider_sudo in providers_sudo:
            if verify(provider_sudo.liqpay_private_key, data, signature):
                return provider_sudo
        return request.env["payment.provider"]
