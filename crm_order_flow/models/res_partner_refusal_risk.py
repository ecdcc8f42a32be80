"""Refusal risk of a customer, on the contact and for the order's badge and
validation (``sale_order_refusal_risk.py``).

One customer is every contact with the same phone number, compared as
Odoo's ``phone_sanitized`` (the number in E.164 computed by the store's one
phone rule, ``tools/phone.py`` through ``models/base.py``: the mobile, or
the phone when there is no mobile), so ``067 123 45 67`` and ``+380671234567``
on two contacts are one customer. A contact without a valid number is a
customer by itself.

Computed on demand, in a fixed number of queries for all the contacts at
hand (their numbers, the contacts sharing them, their orders, the facts of
those orders), never per order: nothing to keep in step when a phone, an
order status or a carrier's report changes."""

from odoo import _, api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # The contacts of one customer are looked up by their sanitized number.
    phone_sanitized = fields.Char(index="btree_not_null")

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

    @api.depends("phone", "mobile")
    @api.depends_context("uid", "company")
    def _compute_refusal_risk(self):
        # Shown to the people who see orders; others (Marketers, Purchasers)
        # see no risk on the contact.
        if not self.env["sale.order"].has_access("read"):
            self.refusal_risk_count = 0
            self.refusal_risk_text = False
            self.refusal_risk_blocking = False
            return
        risks = self._order_flow_refusal_risk()
        # sudo: the company's policy is shown to whoever sees the risk.
        threshold = self.env.company.sudo().order_flow_refusal_prepay_threshold
        for partner in self:
            risk = risks.get(partner.id) or {}
            partner.refusal_risk_count = risk.get("refused", 0)
            partner.refusal_risk_text = self._order_flow_refusal_risk_text(risk)
            partner.refusal_risk_blocking = bool(threshold) and (
                risk.get("refused", 0) >= threshold
            )

    @api.model
    def _order_flow_refusal_risk_text(self, risk):
        """The badge: “Refusal risk: 3 refused or returned, 40 % of
        cash-on-delivery orders not collected”, or False without refusals."""
        count = risk.get("refused", 0)
        if not count:
            return False
        decided = risk.get("cod_decided", 0)
        if not decided:
            return _("Refusal risk: %(count)s refused or returned", count=count)
        return _(
            "Refusal risk: %(count)s refused or returned, %(percent)s %% of cash-on-delivery "
            "orders not collected",
            count=count,
            percent=round(100.0 * risk.get("cod_uncollected", 0) / decided),
        )

    def _order_flow_customer_contacts(self):
        """``{contact id: ids of every contact of the same customer}`` for
        these contacts (same sanitized phone number; the contact alone
        without one), archived contacts included. A contact being edited
        (a form's onchange) is looked up by the number it has on the form."""
        numbers = {partner.id: partner.phone_sanitized for partner in self}
        by_number = {}
        wanted = tuple({number for number in numbers.values() if number})
        if wanted:
            self.env["res.partner"].flush_model(["phone_sanitized"])
            self.env.cr.execute(
                SQL(
                    "SELECT phone_sanitized, array_agg(id) FROM res_partner "
                    "WHERE phone_sanitized IN %s GROUP BY phone_sanitized",
                    wanted,
                )
            )
            by_number = dict(self.env.cr.fetchall())
        contacts = {}
        for partner in self:
            own = {partner._origin.id} if partner._origin.id else set()
            contacts[partner.id] = set(by_number.get(numbers[partner.id]) or ()) | own
        return contacts

    def _order_flow_refusal_risk(self):
        """``{contact id: {"refused": n, "cod_decided": n, "cod_uncollected": n}}``
        for these contacts, each over the orders of every contact of the same
        customer: the orders refused or returned, the cash-on-delivery orders
        whose outcome is known (collected, or refused / returned) and those of
        them not collected. The facts of each order come from
        ``sale.order._order_flow_refusal_facts`` (extended by carriers)."""
        contacts = self._order_flow_customer_contacts()
        all_ids = tuple(set().union(*contacts.values()))
        if not all_ids:
            return {partner_id: {} for partner_id in contacts}
        Order = self.env["sale.order"]
        Order.flush_model(["partner_id"])
        # Counts over every order of the customer, whoever's they are: read
        # with SQL (the badge shows numbers only).
        self.env.cr.execute(
            SQL("SELECT id, partner_id FROM sale_order WHERE partner_id IN %s", all_ids)
        )
        orders_by_partner = {}
        for order_id, partner_id in self.env.cr.fetchall():
            orders_by_partner.setdefault(partner_id, []).append(order_id)
        order_ids = [oid for ids in orders_by_partner.values() for oid in ids]
        facts = Order._order_flow_refusal_facts(order_ids)
        risks = {}
        for pid, customer_ids in contacts.items():
            refused = decided = uncollected = 0
            for partner_id in customer_ids:
                for order_id in orders_by_partner.get(partner_id, ()):
                    fact = facts.get(order_id) or {}
                    refused += bool(fact.get("refused"))
                    if fact.get("cod") and (fact.get("refused") or fact.get("collected")):
                        decided += 1
                        uncollected += not fact.get("collected")
            risks[pid] = {
                "refused": refused,
                "cod_decided": decided,
                "cod_uncollected": uncollected,
            }
        return risks
