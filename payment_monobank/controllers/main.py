import json
import logging

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .. import const
from ..monobank import MonobankError

_logger = logging.getLogger(__name__)


class MonobankController(http.Controller):
    _return_url = "/payment/monobank/return"
    _webhook_url = "/payment/monobank/webhook"

    @http.route(
        _return_url,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def monobank_return_from_checkout(self, ref=None, **data):
        """The customer's browser comes back from monobank's payment page.

        Nothing the browser sends is trusted: the transaction's reference (``ref``, put in the
        return URL when the invoice was created) only says which payment to ask monobank
        about; its status comes from monobank's API (at most once per ``RETURN_CHECK_INTERVAL``
        seconds per transaction, waiting at most ``PUBLIC_ROUTE_TIMEOUT`` seconds), or from the
        webhook. A refund's reference asks nothing: refunds are followed by the webhook and the
        scheduled check only. Then the customer sees Odoo's payment status page.

        The route is flagged with `save_session=False` like Odoo's providers' return routes: the
        session cookie may be missing when coming back from another site, and the redirection
        to `/payment/status` finds the session again.
        """
        if isinstance(ref, str) and ref:
            # sudo: the public return route looks the transaction up by its reference only to
            # ask monobank for its status
            tx_sudo = (
                request.env["payment.transaction"]
                .sudo()
                .search(
                    [
                        ("reference", "=", ref),
                        ("provider_code", "=", "monobank"),
                        ("operation", "!=", "refund"),
                    ],
                    limit=1,
                )
            )
            if (
                tx_sudo
                and tx_sudo.state in ("draft", "pending")
                and not tx_sudo._monobank_checked_recently()
            ):
                try:
                    if tx_sudo._monobank_reconcile(timeout=const.PUBLIC_ROUTE_TIMEOUT):
                        request.env.ref("payment.cron_post_process_payment_tx")._trigger()
                except (MonobankError, UserError, ValidationError) as error:
                    _logger.warning(
                        "monobank: the status of transaction %s could not be checked on the "
                        "customer's return (the webhook or the scheduled check will): %s",
                        tx_sudo.reference,
                        error,
                    )
        return request.redirect("/payment/status")

    @http.route(
        _webhook_url,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=const.WEBHOOK_MAX_BODY,
    )
    def monobank_webhook(self):
        """Process monobank's server-to-server callback (the invoice status as JSON).

        A body larger than ``WEBHOOK_MAX_BODY`` is refused (413) before it is read. The
        ``X-Sign`` signature is checked on the raw body before anything is read (403 when it
        does not match monobank's public key; 503 when monobank's key could not be fetched,
        so that monobank sends the callback again later); the transaction is found by our
        reference (404 when unknown); the status is then applied (an amount or currency that
        differs from the transaction's sets it in error and is acknowledged with 200) and
        Odoo's post-processing is triggered at once.
        """
        remote = request.httprequest.remote_addr
        # the route's max_content_length is enforced by werkzeug >= 2.3 only: the declared
        # length is checked here before the body is read
        length = request.httprequest.content_length
        if length is None or length > const.WEBHOOK_MAX_BODY:
            # monobank declares the length of its callbacks; a body without one (chunked)
            # would be read whole before any check
            _logger.warning(
                "monobank: a callback from %s is refused: its length (%s bytes) is not declared "
                "or over the limit",
                remote,
                length,
            )
            return request.make_json_response({"error": "too large"}, status=413)
        body = request.httprequest.get_data(cache=True)
        x_sign = request.httprequest.headers.get("X-Sign", "")
        # sudo: the public webhook checks the signature with the providers' public keys
        providers_sudo, keyless_sudo = (
            request.env["payment.provider"].sudo()._monobank_signing_providers(body, x_sign)
        )
        if not providers_sudo and keyless_sudo:
            _logger.warning(
                "monobank: a callback from %s cannot be checked now: monobank's public key "
                "could not be fetched (refused with 503, monobank sends it again later)",
                remote,
            )
            return request.make_json_response(
                {"error": "try again later"},
                status=503,
                headers=[("Retry-After", str(const.PUBKEY_REFRESH_INTERVAL))],
            )
        if not providers_sudo:
            _logger.warning(
                "monobank: a callback from %s is refused: its signature does not match "
                "monobank's public key (%s bytes, X-Sign %s)",
                remote,
                len(body),
                "present" if x_sign else "missing",
            )
            return request.make_json_response({"error": "invalid signature"}, status=403)
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            _logger.warning("monobank: a signed callback from %s cannot be read", remote)
            return request.make_json_response({"error": "unreadable"}, status=400)
        # sudo: the signed callback is monobank's answer, not the user's input
        tx_model_sudo = request.env["payment.transaction"].sudo()
        try:
            tx_sudo = tx_model_sudo._get_tx_from_notification_data("monobank", data)
        except ValidationError:
            tx_sudo = tx_model_sudo
        if not tx_sudo or tx_sudo.provider_id not in providers_sudo:
            _logger.warning(
                "monobank: a callback for unknown reference %r (invoice %r) is refused",
                data.get("reference"),
                data.get("invoiceId"),
            )
            return request.make_json_response({"error": "unknown reference"}, status=404)
        _logger.info(
            "monobank: callback for transaction %s: status %s of %s",
            tx_sudo.reference,
            data.get("status"),
            data.get("modifiedDate"),
        )
        tx_sudo._handle_notification_data("monobank", data)
        request.env.ref("payment.cron_post_process_payment_tx")._trigger()
        return request.make_json_response({"status": "ok"})
