"""Fields only the system sets (``system_only=True``) and the records only the
system writes: whatever a role sends, they stay as the system made them."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common import AccessRolesCommon


@tagged("post_install", "-at_install")
class TestSystemOnlyFields(TransactionCase):
    def test_system_only_fields_are_never_copied(self):
        """A copy is created by the person who copies: a system-only field
        copied along would refuse the copy (and copy a fact that belongs to
        the original, like a payment or a waybill state)."""
        copied = [
            f"{model_name}.{name}"
            for model_name in self.env.registry
            for name, field in self.env[model_name]._fields.items()
            if getattr(field, "system_only", False) and field.copy
        ]
        self.assertFalse(copied, "system-only fields copied with their record: %s" % copied)

    def test_defaults_from_the_request_do_not_reach_system_only_fields(self):
        """``default_<field>`` keys of the context and a user's saved defaults
        (ir.default) do not give a system-only field its value."""
        Line = self.env["access.matrix.line"]
        self.assertEqual(Line.default_get(["kind"]), {"kind": "model"})
        tricked = Line.with_context(default_kind="export", default_rights="R W C D")
        self.assertEqual(tricked.default_get(["kind", "rights"]), {"kind": "model"})
        self.env["ir.default"].set("access.matrix.line", "rights", "R W C D")
        self.assertNotIn("rights", Line.default_get(["rights"]))
        # other fields keep Odoo's behaviour
        Area = self.env["access.matrix.area"]
        self.assertEqual(Area.with_context(default_name="X").default_get(["name"]), {"name": "X"})


@tagged("post_install", "-at_install")
class TestAccessMatrixLines(AccessRolesCommon):
    """The lines of the access matrix are computed by the system for the user
    who opens it: nobody writes them, nobody sees another user's lines."""

    def test_lines_are_the_systems_and_each_users_own(self):
        Matrix = self.env["access.matrix.line"]
        manager = self.users["manager"]
        action = Matrix.with_user(manager).action_open_matrix()
        lines = Matrix.with_user(manager).search(action["domain"])
        self.assertTrue(lines)
        line = lines.filtered(lambda line: line.kind == "model")[:1]
        for role in ("manager", "administrator"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role, line=line: line.with_user(self.users[role]).write(
                        {"rights": "R W C D"}
                    ),
                    line,
                    ["rights", "kind"],
                )
                self.assertRefused(
                    lambda role=role: Matrix.with_user(self.users[role]).create(
                        {"model": "res.users", "rights": "R W C D"}
                    )
                )
        # another manager (or the administrator) does not see them
        other = self.users["administrator"]
        Matrix.with_user(other).action_open_matrix()
        self.assertFalse(Matrix.with_user(other).search([("id", "in", lines.ids)]))
        self.assertRefused(lambda: line.with_user(other).read(["rights"]))

    def test_export_needs_the_matrix_right_and_a_known_format(self):
        Matrix = self.env["access.matrix.line"]
        for role in ("sales", "support", "marketer"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    Matrix.with_user(self.users[role]).action_export_csv()
        manager = Matrix.with_user(self.users["manager"])
        self.assertEqual(manager.action_export_xlsx()["url"], "/access_roles/matrix/export/xlsx")
        with self.assertRaises(UserError) as refused:
            manager.action_export("../../web/session/logout")
        self.assertIn("xlsx, csv", str(refused.exception))
