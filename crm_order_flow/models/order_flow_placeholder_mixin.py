from odoo import api, models


class OrderFlowPlaceholderMixin(models.AbstractModel):
    """A model whose customer message templates are limited to placeholders
    (``sale.order``, and the records of other addons that message customers
    through the order flow, such as a customer's stay in a segment).

    The model lists its placeholders in ``_order_flow_message_placeholders``
    (names of its fields; their strings are the labels template authors see)
    and their sample values in ``_order_flow_sample_message_values``; it is
    added to ``mail.render.mixin._order_flow_placeholder_models``. Templates
    made of these placeholders alone are rendered by substitution, nothing
    evaluated (``mail_render_mixin.py``)."""

    _name = "order.flow.placeholder.mixin"
    _description = "Customer Message Placeholders"

    @api.model
    def _order_flow_message_placeholders(self):
        return ()

    @api.model
    def _order_flow_sample_message_values(self):
        return {}

    @api.model
    def mail_allowed_qweb_expressions(self):
        # The only expressions a non-administrator may put into the message
        # templates of this model (Odoo renders templates made of them alone
        # without evaluating any code).
        return tuple(f"object.{name}" for name in self._order_flow_message_placeholders())

    @api.model
    def _order_flow_placeholder_labels(self):
        """The allowed placeholders, as a template author writes them, with
        their labels in the user's language."""
        return ", ".join(
            "{{ object.%s }} (%s)" % (name, self._fields[name]._description_string(self.env))
            for name in self._order_flow_message_placeholders()
        )
