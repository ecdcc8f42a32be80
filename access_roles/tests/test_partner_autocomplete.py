from odoo.tests import tagged
from odoo.tests.common import TransactionCase

AUTOCOMPLETE_WIDGETS = ("field_partner_autocomplete", "res_partner_many2one")


@tagged("post_install", "-at_install")
class TestPartnerAutocompleteOff(TransactionCase):
    """Typing a contact's or a customer's name never reaches Odoo's partner
    autocomplete service: no view carries its widgets, whose every keystroke
    would call the service."""

    FORMS = (
        "res.partner",
        "res.company",
        "sale.order",
        "account.move",
        "stock.picking",
    )

    def _widgets_in(self, model, view_type="form", **options):
        arch = self.env[model].get_view(view_type=view_type, **options)["arch"]
        return [widget for widget in AUTOCOMPLETE_WIDGETS if f'widget="{widget}"' in arch]

    def test_no_autocomplete_widget_in_the_forms(self):
        for model in self.FORMS:
            with self.subTest(model=model):
                self.assertEqual(self._widgets_in(model), [])
        self.assertEqual(self._widgets_in("res.partner", "list"), [])
        simple = self.env.ref("base.view_partner_simple_form")
        self.assertEqual(self._widgets_in("res.partner", view_id=simple.id), [])

    def test_every_view_that_names_the_widgets_is_cleaned(self):
        views = self.env["ir.ui.view"].search(
            [
                "|",
                ("arch_db", "ilike", "res_partner_many2one"),
                ("arch_db", "ilike", "field_partner_autocomplete"),
                ("type", "in", ("form", "list", "kanban")),
            ]
        )
        self.assertTrue(views, "Odoo's forms name the autocomplete widget on customers")
        for view in views:
            root = view
            while root.inherit_id and root.mode != "primary":
                root = root.inherit_id
            if root.model not in self.env:
                continue
            with self.subTest(view=view.xml_id or view.name):
                self.assertEqual(self._widgets_in(root.model, root.type, view_id=root.id), [])

    def test_the_autocomplete_would_be_there_without_the_suite(self):
        # What the test above guards against: with partner_autocomplete
        # installed, Odoo itself puts the widget on the contact's name.
        if "partner_gid" not in self.env["res.partner"]._fields:
            return
        arch, _view = self.env["res.partner"]._get_view(view_type="form")
        self.assertTrue(arch.xpath("//field[@widget='field_partner_autocomplete']"))
