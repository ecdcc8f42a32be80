"""Refusal risk of the order's customer: how many parcels the customer
refused or sent back, and the share of cash-on-delivery orders not collected
(the badge on the order), the company's policy "prepayment from customers
with N or more refusals" as an entry validation of the statuses that ask for
it (``sale.order.stage.refusal_prepay_required``: "Sent to assembly"), and
the administrator's waiver of that requirement for one order.

What counts is computed on demand from the orders of every contact with the
customer's phone number (``res_partner_refusal_risk.py``), in a few queries
for all the records at hand: nothing is stored, so a changed phone, a merged
contact or a parcel refused a minute ago counts at once.

For another addon: ``_order_flow_refusal_facts(order_ids)`` says how each
order ended; a carrier adds its own refusal and return statuses and its
cash-on-delivery facts with ``super()`` (``delivery_novaposhta`` does)."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    refusal_risk_count = fields.Integer(
        string="Refused or returned parcels",
        compute="_compute_refusal_risk",
        help="Orders of this customer (every contact with the same phone number) that were "
        "refused or returned.",
    )
    refusal_risk_text = fields.Char(string="Refusal risk", compute="_compute_refusal_risk")
    refusal_risk_blocking = fields.Boolean(
        string="Prepayment required",
        compute="_compute_refusal_risk",
        help="The customer reached the company's number of refusals from which a "
        "prepayment is required.",
    )
    refusal_prepay_waived = fields.Boolean(
        string="Prepayment requirement waived",
        system_only=True,
        copy=False,
        tracking=True,
        help="An administrator let this order go to assembly without the prepayment the "
        "store asks of customers with many refusals.",
    )
    refusal_prepay_waiver_comment = fields.Text(
        string="Why the prepayment requirement is waived", system_only=True, copy=False
    )
    refusal_prepay_waived_by_id = fields.Many2one(
        "res.users", string="Waived by", system_only=True, copy=False, ondelete="set null"
    )
    refusal_prepay_waived_date = fields.Datetime(string="Waived on", system_only=True, copy=False)

    # Computed for each request (orders of other contacts, other salespeople
    # and carriers' reports all count), for the orders at hand only (the order
    # form; no list shows it); again when the customer is changed on the form.
    @api.depends("partner_id", "company_id")
    def _compute_refusal_risk(self):
        risks = self.partner_id._order_flow_refusal_risk()
        for order in self:
            risk = risks.get(order.partner_id.id) or {}
            order.refusal_risk_count = risk.get("refused", 0)
            order.refusal_risk_text = order.partner_id._order_flow_refusal_risk_text(risk)
            order.refusal_risk_blocking = order._order_flow_refusal_blocks(risk)

    def _order_flow_refusal_blocks(self, risk):
        """Whether ``risk`` (of the order's customer) reaches the company's
        number of refusals from which a prepayment is required."""
        self.ensure_one()
        # sudo: the company's policy applies to whoever moves the order.
        threshold = self.company_id.sudo().order_flow_refusal_prepay_threshold
        return bool(threshold) and risk.get("refused", 0) >= threshold

    # ---------------------------------------------------------------- facts
    @api.model
    def _order_flow_refusal_facts(self, order_ids):
        """How the orders ``order_ids`` ended, as far as the order flow knows:
        ``{order id: {"refused": bool, "cod": bool, "collected": bool}}``.

        - refused: the order reached the status “Returned” (code ``returned``);
        - cod: paid on delivery (agreed, or expected by the carrier);
        - collected: the carrier collected the cash on delivery, or the order
          was completed.

        Extension point: a carrier module adds its own facts with
        ``super()`` (its refusal and return statuses, its cash on delivery).
        Counts only: read with SQL whoever asks, as the badge shows them to
        everyone who sees the order."""
        if not order_ids:
            return {}
        self.env["sale.order"].flush_model(
            ["payment_on_delivery", "delivery_cod_state", "stage_id", "stage_group_id"]
        )
        self.env["sale.order.stage.history"].flush_model(["order_id", "stage_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT o.id,
                       COALESCE(o.payment_on_delivery, FALSE)
                           OR COALESCE(o.delivery_cod_state, 'none') != 'none',
                       COALESCE(o.delivery_cod_state IN ('collected', 'transferred'), FALSE)
                           OR COALESCE(g.code = 'done', FALSE),
                       EXISTS (
                           SELECT 1
                             FROM sale_order_stage_history h
                             JOIN sale_order_stage s ON s.id = h.stage_id
                            WHERE h.order_id = o.id AND s.code = 'returned'
                       )
                  FROM sale_order o
                  LEFT JOIN access_status_group g ON g.id = o.stage_group_id
                 WHERE o.id IN %s
                """,
                tuple(order_ids),
            )
        )
        return {
            order_id: {"cod": cod, "collected": collected, "refused": refused}
            for order_id, cod, collected, refused in self.env.cr.fetchall()
        }

    # ----------------------------------------------------------- validation
    def _order_flow_check_move(self, stage, vals):
        result = super()._order_flow_check_move(stage, vals)
        # sudo: whether the status asks for it is the status's setting.
        if stage.sudo().refusal_prepay_required:
            self._order_flow_check_refusal_prepayment(stage)
        return result

    def _order_flow_check_refusal_prepayment(self, stage):
        """The company's policy: an order of a customer with the company's
        number of refusals or more enters ``stage`` only when it is paid at
        least in part (cash on delivery alone is not enough), unless an
        administrator waived the requirement for the order."""
        candidates = self.filtered(
            lambda order: (
                order.company_id.sudo().order_flow_refusal_prepay_threshold
                and not order.refusal_prepay_waived
                and order.order_payment_state == "not_paid"
                and not float_is_zero(
                    order.amount_total, precision_rounding=order.currency_id.rounding or 0.01
                )
            )
        )
        if not candidates:
            return
        risks = candidates.partner_id._order_flow_refusal_risk()
        for order in candidates:
            risk = risks.get(order.partner_id.id) or {}
            if order._order_flow_refusal_blocks(risk):
                raise UserError(
                    _(
                        "Order %(order)s cannot move to “%(status)s” without a prepayment: "
                        "the customer refused or did not collect %(count)s parcel(s), and the "
                        "store asks a prepayment of customers with %(threshold)s or more. "
                        "Register the customer's prepayment (at least a part of the amount), "
                        "or ask an administrator to waive the requirement for this order "
                        "with a comment (“Waive prepayment” on the order).",
                        order=order.name,
                        status=stage.name,
                        count=risk.get("refused", 0),
                        threshold=order.company_id.sudo().order_flow_refusal_prepay_threshold,
                    )
                )

    # --------------------------------------------------------------- waiver
    def _order_flow_check_waiver_right(self):
        """Only administrators waive the prepayment requirement."""
        user = self.env.user
        if not (user.has_group("access_roles.group_role_administrator") or user._is_system()):
            raise AccessError(
                _(
                    "Only an administrator may waive the prepayment required from customers "
                    "with refusals. Ask an administrator, or register the customer's "
                    "prepayment."
                )
            )

    def action_order_flow_waive_prepayment(self):
        """Button (administrators): waive the prepayment requirement for
        this order, with a comment."""
        self.ensure_one()
        self._order_flow_check_waiver_right()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive prepayment"),
            "res_model": "sale.order.refusal.waiver",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _order_flow_waive_prepayment(self, comment):
        """Record the administrator's waiver with its comment on the order
        (fields, chatter note)."""
        self._order_flow_check_waiver_right()
        comment = (comment or "").strip()
        if not comment:
            raise UserError(_("Write why the prepayment is not required for this order."))
        for order in self:
            order.check_access("write")
            # sudo: the waiver fields are system-only; the administrator's
            # right was checked above.
            order.sudo().write(
                {
                    "refusal_prepay_waived": True,
                    "refusal_prepay_waiver_comment": comment,
                    "refusal_prepay_waived_by_id": self.env.user.id,
                    "refusal_prepay_waived_date": fields.Datetime.now(),
                }
            )
            order.message_post(
                body=_(
                    "Prepayment requirement for a customer with refusals waived by "
                    "%(user)s: %(comment)s",
                    user=self.env.user.name,
                    comment=comment,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return True
