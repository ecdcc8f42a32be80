"""A plain-Python client of monobank acquiring ("plata by mono").

API: https://api.monobank.ua/docs/acquiring.html. Nothing here imports Odoo:
the addon builds one :class:`MonobankClient` per operation
(``payment.provider._monobank_client``) and turns :class:`MonobankError`
into user messages in one place (``payment.provider._monobank_user_error``).

What the client guarantees by itself:

- every request carries ``X-Token: <merchant token>`` and a timeout, never
  follows a redirect (a redirect would carry the token to another host); the
  token is never put in a log line, a URL or an error text;
- every failure is one :class:`MonobankError` with monobank's own code and
  text when it gave them (``errCode``/``errText``), the HTTP status, and
  whether monobank may have processed the request (:attr:`MonobankError.uncertain`):
  ``False`` when the request surely had no effect (a refusal with a 4xx, no
  connection could be opened); ``True`` when it may have had one (no answer in
  time, the connection broke after the request was sent, a 5xx, an answer at
  HTTP 2xx that cannot be read). An uncertain request is never repeated
  blindly: its effect is looked up (invoice status) by the caller.

:func:`verify_signature` checks the ``X-Sign`` header of monobank's
callbacks: base64 of a DER ECDSA signature (P-256, SHA-256) of the raw body,
made with the key :meth:`MonobankClient.public_key` returns.
"""

import base64
import binascii
import json
import logging
import time

import requests
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from urllib3 import exceptions as urllib3_exceptions

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.monobank.ua"
DEFAULT_TIMEOUT = 20.0  # seconds, connect and read
USER_AGENT = "payment_monobank (Odoo 18)"

# Kinds of failure without an answer from monobank (they are also the codes)
KIND_CONFIG = "config"  # the request could not be built: nothing was sent
KIND_CONNECTION = "connection"  # no connection could be opened: nothing was sent
KIND_TIMEOUT = "timeout"  # no answer in time after the request was sent
KIND_BROKEN = "broken"  # the connection broke after the request was sent
KIND_UNREADABLE = "unreadable"  # an answer at HTTP 2xx that cannot be read
KIND_HTTP = "http"  # monobank answered with an error status (code: its errCode)


class MonobankError(Exception):
    """Any failure of a call to monobank.

    :param code: monobank's ``errCode`` when it gave one, otherwise the kind of
        failure (``timeout``, ``connection``, ``broken``, ``unreadable``,
        ``config``, ``http_<status>``);
    :param message: monobank's ``errText`` when it gave one, otherwise an
        English description;
    :param status: the HTTP status of the answer, ``None`` without answer;
    :param uncertain: whether monobank may have processed the request;
    :param kind: one of the ``KIND_*`` constants (the Odoo layer words it).
    """

    def __init__(self, code, message, status=None, uncertain=False, kind=KIND_HTTP):
        self.code = str(code or "")
        self.message = str(message or "")
        self.status = status
        self.uncertain = bool(uncertain)
        self.kind = kind
        super().__init__(self.__str__())

    def __str__(self):
        details = [self.code] if self.code else []
        if self.status:
            details.append(f"HTTP {self.status}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.message}{suffix}"


def _never_sent(error):
    """Whether a connection error happened before the request was sent
    (connection refused, name not resolved, connect timeout)."""
    seen, stack = set(), [error]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(
            item,
            urllib3_exceptions.NewConnectionError
            | urllib3_exceptions.ConnectTimeoutError
            | ConnectionRefusedError,
        ):
            return True
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        stack.extend(arg for arg in getattr(item, "args", ()) if isinstance(arg, BaseException))
    return False


def decode_public_key(key_b64):
    """monobank's ``key`` (base64 of a PEM EC public key) → the PEM text.

    :raise MonobankError: (unreadable) if it is not a P-256 public key.
    """
    try:
        pem = base64.b64decode(key_b64 or "", validate=True)
        key = serialization.load_pem_public_key(pem)
    except (binascii.Error, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise MonobankError(
            KIND_UNREADABLE,
            "monobank sent a public key that cannot be read.",
            status=200,
            kind=KIND_UNREADABLE,
        ) from error
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise MonobankError(
            KIND_UNREADABLE,
            "monobank sent a public key that is not an elliptic-curve key.",
            status=200,
            kind=KIND_UNREADABLE,
        )
    return pem.decode("ascii")


def verify_signature(pubkey_pem, body, x_sign):
    """Whether ``x_sign`` (base64 of a DER ECDSA P-256/SHA-256 signature) signs
    the raw ``body`` (bytes) with the PEM public key ``pubkey_pem``. Any
    malformed input is a failed check, never an exception."""
    if not pubkey_pem or not x_sign or body is None:
        return False
    try:
        if isinstance(pubkey_pem, str):
            pubkey_pem = pubkey_pem.encode("ascii")
        if isinstance(body, str):
            body = body.encode("utf-8")
        signature = base64.b64decode(x_sign, validate=True)
        key = serialization.load_pem_public_key(pubkey_pem)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


class MonobankClient:
    """monobank acquiring API.

    :param token: the merchant token (``X-Token``), production or test;
    :param api_url: the API base URL (``https://api.monobank.ua``);
    :param timeout: seconds to wait for a connection and for an answer.
    """

    def __init__(self, token, api_url=DEFAULT_API_URL, timeout=DEFAULT_TIMEOUT):
        self._token = token or ""
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.timeout = float(timeout or DEFAULT_TIMEOUT)

    def __repr__(self):
        return f"<MonobankClient {self.api_url}>"

    # ------------------------------------------------------------------ API
    def create_invoice(self, payload):
        """``POST /api/merchant/invoice/create`` → ``{invoiceId, pageUrl}``."""
        answer = self._request("POST", "/api/merchant/invoice/create", payload=payload)
        if not isinstance(answer.get("invoiceId"), str) or not isinstance(
            answer.get("pageUrl"), str
        ):
            raise self._unreadable("monobank's answer has no invoice id or payment page.")
        return answer

    def invoice_status(self, invoice_id):
        """``GET /api/merchant/invoice/status?invoiceId=…`` → the invoice."""
        if not invoice_id:
            raise MonobankError(KIND_CONFIG, "No invoice id to look up.", kind=KIND_CONFIG)
        answer = self._request(
            "GET", "/api/merchant/invoice/status", params={"invoiceId": invoice_id}
        )
        if not answer.get("status"):
            raise self._unreadable("monobank's answer has no invoice status.")
        return answer

    def cancel_invoice(self, invoice_id, ext_ref, amount=None, items=None):
        """``POST /api/merchant/invoice/cancel``: a refund (partial when
        ``amount``, in kopecks, is given) → ``{status, createdDate, modifiedDate}``."""
        if not invoice_id:
            raise MonobankError(KIND_CONFIG, "No invoice id to refund.", kind=KIND_CONFIG)
        payload = {"invoiceId": invoice_id, "extRef": ext_ref}
        if amount is not None:
            payload["amount"] = int(amount)
        if items:
            payload["items"] = items
        answer = self._request("POST", "/api/merchant/invoice/cancel", payload=payload)
        if not answer.get("status"):
            raise self._unreadable("monobank's answer has no refund status.")
        return answer

    def public_key(self):
        """``GET /api/merchant/pubkey`` → the PEM text of monobank's key that
        signs the callbacks."""
        answer = self._request("GET", "/api/merchant/pubkey")
        return decode_public_key(answer.get("key"))

    # ------------------------------------------------------------ transport
    @staticmethod
    def _unreadable(message, status=200):
        return MonobankError(
            KIND_UNREADABLE, message, status=status, uncertain=True, kind=KIND_UNREADABLE
        )

    def _scrub(self, text):
        """monobank's own text, without the token should it ever echo it."""
        text = str(text or "").strip()
        if self._token and self._token in text:
            text = text.replace(self._token, "***")
        return text[:500]

    def _request(self, method, path, params=None, payload=None):
        if not self._token:
            raise MonobankError(KIND_CONFIG, "No merchant token is set.", kind=KIND_CONFIG)
        if not self.api_url.startswith(("https://", "http://")):
            raise MonobankError(KIND_CONFIG, "The API address is not valid.", kind=KIND_CONFIG)
        url = f"{self.api_url}{path}"
        headers = {
            "X-Token": self._token,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        _logger.debug("monobank request: %s %s", method, path)
        started = time.monotonic()
        try:
            response = requests.request(
                method,
                url,
                params=params,
                json=payload,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout as error:
            raise MonobankError(
                KIND_CONNECTION,
                "monobank could not be reached in time: nothing was sent.",
                kind=KIND_CONNECTION,
            ) from error
        except requests.exceptions.Timeout as error:
            raise MonobankError(
                KIND_TIMEOUT,
                "monobank did not answer in time: the request may have been processed.",
                uncertain=True,
                kind=KIND_TIMEOUT,
            ) from error
        except requests.exceptions.RequestException as error:
            if _never_sent(error):
                raise MonobankError(
                    KIND_CONNECTION,
                    "monobank could not be reached: nothing was sent.",
                    kind=KIND_CONNECTION,
                ) from error
            raise MonobankError(
                KIND_BROKEN,
                "The connection to monobank broke: the request may have been processed.",
                uncertain=True,
                kind=KIND_BROKEN,
            ) from error
        _logger.debug(
            "monobank answer: %s %s: HTTP %s in %.2f s",
            method,
            path,
            response.status_code,
            time.monotonic() - started,
        )
        return self._read(response)

    def _read(self, response):
        status = response.status_code
        try:
            answer = json.loads(response.content.decode("utf-8")) if response.content else None
        except (ValueError, UnicodeDecodeError):
            answer = None
        if 200 <= status < 300:
            if not response.content:
                raise self._unreadable("monobank sent an empty answer.", status)
            if not isinstance(answer, dict):
                raise self._unreadable("monobank sent an answer that cannot be read.", status)
            return answer
        code = message = None
        if isinstance(answer, dict):
            code = answer.get("errCode") or answer.get("errorCode")
            message = answer.get("errText") or answer.get("errorDescription")
        code = self._scrub(code) or f"http_{status}"
        message = self._scrub(message) or f"monobank answered with HTTP status {status}."
        raise MonobankError(code, message, status=status, uncertain=status >= 500, kind=KIND_HTTP)
