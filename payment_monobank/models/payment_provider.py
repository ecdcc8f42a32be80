import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import const
from ..monobank import DEFAULT_API_URL, MonobankClient, MonobankError, verify_signature
from ..monobank import client as monobank_client

_logger = logging.getLogger(__name__)


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[("monobank", "monobank")], ondelete={"monobank": "set default"}
    )
    monobank_token = fields.Char(
        string="Merchant Token",
        help="The token of the merchant from the monobank acquiring cabinet "
        "(the test token while the provider is in test mode).",
        required_if_provider="monobank",
        groups="base.group_system",
        copy=False,
    )
    monobank_api_url = fields.Char(
        string="API URL",
        help="The address of monobank's acquiring API.",
        default=DEFAULT_API_URL,
        required_if_provider="monobank",
        groups="base.group_system",
    )
    monobank_reconcile_minutes = fields.Integer(
        string="Check pending monobank payments after (minutes)",
        help="A payment still waiting this many minutes after it was started is checked with "
        "monobank by a scheduled action, in case its notification was lost.",
        default=15,
    )
    monobank_pubkey = fields.Text(
        string="monobank Public Key",
        help="monobank's public key that signs its payment notifications; fetched from "
        "monobank and fetched again when a signature does not match it.",
        readonly=True,
        copy=False,
    )
    monobank_pubkey_date = fields.Datetime(
        string="Public Key Fetched On",
        readonly=True,
        copy=False,
    )
    monobank_pubkey_attempt_date = fields.Datetime(
        string="Public Key Last Requested On",
        help="When Odoo last asked monobank for its public key, whether it got it or not: the "
        "key is asked for at most once a minute.",
        readonly=True,
        copy=False,
        groups="base.group_system",
    )

    # === COMPUTE METHODS === #

    def _compute_feature_support_fields(self):
        """Override of `payment` to enable partial refunds."""
        res = super()._compute_feature_support_fields()
        self.filtered(lambda p: p.code == "monobank").update(
            {
                "support_refund": "partial",
            }
        )
        return res

    # === BUSINESS METHODS === #

    def _get_supported_currencies(self):
        """Override of `payment` to return the supported currencies (UAH only)."""
        supported_currencies = super()._get_supported_currencies()
        if self.code == "monobank":
            supported_currencies = supported_currencies.filtered(
                lambda c: c.name in const.SUPPORTED_CURRENCIES
            )
        return supported_currencies

    def _get_default_payment_method_codes(self):
        """Override of `payment` to return the default payment method codes."""
        default_codes = super()._get_default_payment_method_codes()
        if self.code != "monobank":
            return default_codes
        return const.DEFAULT_PAYMENT_METHOD_CODES

    def _monobank_client(self, timeout=None):
        """The one place where the client of monobank's API is built.

        Note: self.ensure_one()

        :param float timeout: seconds to wait for monobank (``REQUEST_TIMEOUT`` by default;
            shorter on the public routes and in the scheduled check)
        """
        self.ensure_one()
        # sudo: only administrators read the token; the system uses it for the user's payment
        provider_sudo = self.sudo()
        return MonobankClient(
            provider_sudo.monobank_token,
            api_url=provider_sudo.monobank_api_url or DEFAULT_API_URL,
            timeout=timeout or const.REQUEST_TIMEOUT,
        )

    @api.model
    def _monobank_user_error(self, error):
        """The one place where a :class:`MonobankError` becomes a user error (in the user's
        language, without any secret).

        :param MonobankError error: the client's error
        :return: the error to raise
        :rtype: ValidationError
        """
        if error.kind == monobank_client.KIND_CONFIG:
            message = _(
                "the monobank payment provider is not configured (merchant token or invoice "
                "missing)."
            )
        elif error.kind == monobank_client.KIND_CONNECTION:
            message = _("monobank could not be reached. Please try again in a few minutes.")
        elif error.uncertain and error.kind != monobank_client.KIND_HTTP:
            message = _(
                "monobank did not answer clearly: the request may have been processed. "
                "Its result will be checked automatically; do not repeat it blindly."
            )
        elif error.status == 403:
            message = _(
                "monobank refused the merchant token. Check the token on the payment provider."
            )
        elif error.status == 429:
            message = _("monobank received too many requests. Please try again in a minute.")
        elif error.status and error.status >= 500:
            message = _("monobank had an internal error. Please try again later.")
        else:
            message = _(
                "monobank refused the request: %(reason)s (%(code)s)",
                reason=error.message,
                code=error.code,
            )
        return ValidationError("monobank: " + message)

    # === SIGNATURES === #

    def _monobank_fetch_pubkey(self):
        """Fetch monobank's public key and cache it on the provider, if the last attempt is
        older than ``PUBKEY_REFRESH_INTERVAL`` seconds.

        The time of the attempt is recorded before monobank is asked, whatever the outcome:
        while monobank is down or slow, forged callbacks cause at most one request a minute.

        Note: self.ensure_one()

        :return: whether a key was fetched
        :rtype: bool
        """
        self.ensure_one()
        if not self._monobank_may_fetch_pubkey():
            return False
        # sudo: the system's own bookkeeping of its requests to monobank (the public webhook)
        self.sudo().monobank_pubkey_attempt_date = fields.Datetime.now()
        try:
            pem = self._monobank_client(timeout=const.PUBLIC_ROUTE_TIMEOUT).public_key()
        except MonobankError as error:
            _logger.warning(
                "monobank: the public key of provider %s could not be fetched: %s",
                self.id,
                error,
            )
            return False
        # sudo: the vendor's answer, not the user's input (the public webhook caches the key)
        self.sudo().write({"monobank_pubkey": pem, "monobank_pubkey_date": fields.Datetime.now()})
        return True

    def _monobank_may_fetch_pubkey(self):
        """Whether the key may be asked for now (the last attempt, failed or not, is older
        than ``PUBKEY_REFRESH_INTERVAL`` seconds)."""
        self.ensure_one()
        # sudo: the time of the last attempt is the system's own bookkeeping
        attempted = self.sudo().monobank_pubkey_attempt_date
        if not attempted:
            return True
        limit = fields.Datetime.now() - timedelta(seconds=const.PUBKEY_REFRESH_INTERVAL)
        return attempted <= limit

    @api.model
    def _monobank_signing_providers(self, body, x_sign):
        """The monobank providers whose public key verifies ``x_sign`` on the raw ``body``.

        A provider without a cached key fetches it; when no cached key verifies the signature,
        each provider fetches its key again (monobank may have rotated it). Either fetch
        happens at most once per ``PUBKEY_REFRESH_INTERVAL`` seconds
        (:meth:`_monobank_fetch_pubkey`).

        :param bytes body: the raw body of the callback
        :param str x_sign: the ``X-Sign`` header
        :return: the providers whose key verifies the signature (empty: not verified), and
            the providers that have no key to check it with (their key could not be fetched
            now: the callback should be refused as "try again later", not as forged)
        :rtype: tuple(payment.provider, payment.provider)
        """
        if not x_sign:
            return self.browse(), self.browse()
        # a provider disabled since the payment started still receives its callbacks
        providers = self.search([("code", "=", "monobank")]).filtered(
            lambda p: p.monobank_pubkey or p.sudo().monobank_token
        )
        fetched = providers.filtered(lambda p: not p.monobank_pubkey)
        for provider in fetched:
            provider._monobank_fetch_pubkey()
        verified = providers.filtered(lambda p: verify_signature(p.monobank_pubkey, body, x_sign))
        if verified:
            return verified, self.browse()
        for provider in providers - fetched:
            if provider._monobank_fetch_pubkey():
                if verify_signature(provider.monobank_pubkey, body, x_sign):
                    verified |= provider
        return verified, providers.filtered(lambda p: not p.monobank_pubkey)
