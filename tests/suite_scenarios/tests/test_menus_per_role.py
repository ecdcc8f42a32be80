import logging

from odoo.tests import HttpCase, tagged

from odoo.addons.access_roles.tests.common import ROLES

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestMenusPerRole(HttpCase):
    """Each demo role opens every menu of every app it sees, in Ukrainian, with
    Odoo's own click bot: an error dialog, a JavaScript error or a traceback
    fails the walk. (The tours of each role open the records and buttons of
    its daily job.)"""

    allow_end_on_form = True

    def _walk(self, login):
        user = self.env.ref(f"access_roles.user_demo_{login}")
        user.write({"lang": "uk_UA", "tour_enabled": False})
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        apps = [menus[app_id] for app_id in menus["root"]["children"]]
        self.assertTrue(apps, f"{login} sees no app")
        for app in apps:
            with self.subTest(role=login, app=app["xmlid"]):
                _logger.info("%s walks the menus of %s", login, app["xmlid"])
                self.browser_js(
                    "/odoo",
                    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
                    f".startClickEverywhere('{app['xmlid']}', true);",
                    "odoo.isReady === true",
                    login=login,
                    timeout=600,
                    success_signal="clickbot test succeeded",
                )


def _make_test(role):
    def test(self):
        self._walk(role)

    test.__name__ = f"test_menus_of_{role}"
    test.__doc__ = f"The {role} demo user opens every menu of its apps."
    return test


for _role in ROLES:
    setattr(TestMenusPerRole, f"test_menus_of_{_role}", _make_test(_role))
