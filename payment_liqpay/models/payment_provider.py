import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import const
from ..liqpay import CONNECTION, RATE_LIMITED, TIMEOUT, LiqPayClient, scrub

_logger = logging.getLogger(__name__)


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[("liqpay", "LiqPay")], ondelete={"liqpay": "set default"}
    )
    liqpay_public_key = fields.Char(
        string="LiqPay Public Key",
        help="The public key of the shop in the LiqPay cabinet (sandbox_i… in test mode).",
        required_if_provider="liqpay",
        groups="base.group_system",
        copy=False,
    )
    liqpay_private_key = fields.Char(
        string="LiqPay Private Key",
        help="The private key of the shop in the LiqPay cabinet; it signs every message.",
        required_if_provider="liqpay",
        groups="base.group_system",
        copy=False,
    )
    liqpay_api_url = fields.Char(
        string="LiqPay API URL",
        help="The address of LiqPay's checkout and API.",
        default=const.DEFAULT_API_URL,
        required_if_provider="liqpay",
        groups="base.group_system",
    )
    liqpay_reconcile_minutes = fields.Integer(
        string="Check pending LiqPay payments after (minutes)",
        help="A payment that LiqPay has not confirmed this many minutes after its creation "
        "is asked about at LiqPay by a scheduled action (every 5 minutes, for 7 days).",
        default=15,
    )

    # === COMPUTE METHODS === #

    def _compute_feature_support_fields(self):
        """Override of `payment` to enable additional features."""
        res = super()._compute_feature_support_fields()
        self.filtered(lambda p: p.code == "liqpay").update({"support_refund": "partial"})
        return res

    # === CONSTRAINT METHODS === #

    @api.constrains("liqpay_reconcile_minutes")
    def _check_liqpay_reconcile_minutes(self):
        for provider in self:
            if provider.liqpay_reconcile_minutes < 1:
                raise ValidationError(
                    _("Pending payments can be checked after one minute at the soonest.")
                )

    # === BUSINESS METHODS === #

    def _get_supported_currencies(self):
        """Override of `payment` to return the supported currencies."""
        supported_currencies = super()._get_supported_currencies()
        if self.code == "liqpay":
            supported_currencies = supported_currencies.filtered(
                lambda c: c.name in const.SUPPORTED_CURRENCIES
            )
        return supported_currencies

    def _get_default_payment_method_codes(self):
        """Override of `payment` to return the default payment method codes."""
        default_codes = super()._get_default_payment_method_codes()
        if self.code != "liqpay":
            return default_codes
        return const.DEFAULT_PAYMENT_METHOD_CODES

    def _liqpay_client(self, timeout=None):
        """The one place where the LiqPay client is built.

        Note: self.ensure_one(); the caller reads the keys, so it runs as the system.

        :param float timeout: seconds for each request (`const.REQUEST_TIMEOUT` by default)
        """
        self.ensure_one()
        if not self.liqpay_public_key or not self.liqpay_private_key:
            raise UserError(_("LiqPay: set the public and the private key of the shop first."))
        return LiqPayClient(
            self.liqpay_public_key,
            self.liqpay_private_key,
            api_url=self.liqpay_api_url or const.DEFAULT_API_URL,
            timeout=timeout or const.REQUEST_TIMEOUT,
        )

    def _liqpay_scrub(self, text):
        """A text of LiqPay's (an error description) without this provider's keys.

        Note: self.ensure_one(); the caller reads the keys, so it runs as the system.
        """
        self.ensure_one()
        return scrub(text, self.liqpay_public_key, self.liqpay_private_key)

    def _liqpay_is_test(self):
        """Whether LiqPay payments of this provider are sandbox payments."""
        self.ensure_one()
        return self.state == "test"

    @api.model
    def _liqpay_error_message(self, error):
        """The one place where a LiqPay error becomes words for a person.

        :param LiqPayError error: the client's error
        :return: the translated message (never a key, never the HTTP library's text)
        :rtype: str
        """
        if error.code == RATE_LIMITED:
            return _("LiqPay refused the request: too many requests at once. Try again later.")
        if error.uncertain:
            if error.code == TIMEOUT:
                reason = _("LiqPay did not answer in time.")
            elif error.code == CONNECTION:
                reason = _("LiqPay could not be reached or the connection was cut.")
            else:
                reason = _("LiqPay gave an answer that cannot be read.")
            return "%s %s" % (
                reason,
                _("The request may have been carried out: check it in the LiqPay cabinet."),
            )
        return _(
            "LiqPay refused the request: %(message)s (%(code)s).",
            message=error.message,
            code=error.code,
        )

    def _liqpay_user_error(self, error):
        """A :class:`UserError` for a :class:`LiqPayError` (see `_liqpay_error_message`)."""
        return UserError(self._liqpay_error_message(error))
