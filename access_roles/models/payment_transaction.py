"""Online payments are facts the payment provider reports: the state of a
transaction, the provider's reference and the time and message of its last
change are set by the provider's code only, and the amount, currency,
provider, reference and orders of a transaction never change once it exists.
Odoo lets the accounting groups write transactions; for the store's roles
these fields are refused, whoever asks (an accountant writing "done" on a
transaction would mark an order paid and issue its fiscal receipt).

The fields a payment provider addon (``payment_<provider>``) adds to
transactions hold that provider's answers (its status, the time of its last
notice, the page it opened): they are system-only too, without the provider
addon having to know of the store's roles."""

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError

# Fixed once the transaction is created (Odoo's code never writes them later).
FIXED_AFTER_CREATE = (
    "amount",
    "currency_id",
    "provider_id",
    "payment_method_id",
    "token_id",
    "partner_id",
    "reference",
    "operation",
    "source_transaction_id",
    "sale_order_ids",
)
# Written by Odoo's post-processing of a paid transaction (the accounting
# payment it made, the invoices it paid, whether it ran), which runs as the
# scheduler's user or with sudo: a person changing them would skip the
# post-processing, make a second payment or move what the order counts as paid.
POST_PROCESSING_FIELDS = ("is_post_processed", "payment_id", "invoice_ids")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    state = fields.Selection(system_only=True)
    state_message = fields.Text(system_only=True, copy=False)
    last_state_change = fields.Datetime(system_only=True, copy=False)
    provider_reference = fields.Char(system_only=True, copy=False)

    @api.model
    def _access_system_only_fields(self):
        names = super()._access_system_only_fields()
        return names + tuple(
            name
            for name, field in self._fields.items()
            if (field._module or "").startswith("payment_")
            and field.store
            and not field.related
            and name not in names
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and self.env.uid != SUPERUSER_ID:
            for vals in vals_list:
                self._check_access_transaction_fields(
                    [name for name in POST_PROCESSING_FIELDS if vals.get(name)]
                )
        return super().create(vals_list)

    def _check_access_transaction_fields(self, names):
        if names:
            labels = ", ".join(
                "“%s”" % self._fields[name]._description_string(self.env) for name in names
            )
            raise AccessError(
                _(
                    "%(fields)s of a payment transaction cannot be changed by hand.",
                    fields=labels,
                )
            )

    def write(self, vals):
        if not self.env.su:
            fixed = [name for name in FIXED_AFTER_CREATE if name in vals and name in self._fields]
            if self.env.uid != SUPERUSER_ID:
                fixed += [name for name in POST_PROCESSING_FIELDS if name in vals]
            self._check_access_transaction_fields(fixed)
        return super().write(vals)

    def _update_state(self, allowed_states, target_state, state_message):
        # Every state change of Odoo's payment framework (_set_pending, _set_done,
        # _set_error…) goes through here, called by the provider's code on the
        # provider's answer, also when a person triggered the request (a refund,
        # a capture): sudo because the state is system-only for every role.
        done = super(PaymentTransaction, self.sudo())._update_state(
            allowed_states, target_state, state_message
        )
        return done.with_env(self.env)
