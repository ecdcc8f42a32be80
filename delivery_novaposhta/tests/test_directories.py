from odoo.tests import tagged

from .common import NovaPoshtaCommon


@tagged("post_install", "-at_install")
class TestDirectories(NovaPoshtaCommon):
    def test_directory_synced_and_searchable(self):
        Warehouse = self.env["novaposhta.warehouse"]
        self.assertEqual(self.kyiv.name, "Київ")
        self.assertEqual(self.kyiv_1.city_id, self.kyiv)
        self.assertEqual(self.postomat.category, "postomat")
        # by number or by name, as a user types it on the order
        found = Warehouse.name_search("5001")
        self.assertEqual([row[0] for row in found], self.postomat.ids)
        found = Warehouse.name_search("Тестова, 2", args=[("city_id", "=", self.lviv.id)])
        self.assertEqual([row[0] for row in found], self.lviv_2.ids)
        self.assertEqual(
            [row[0] for row in self.env["novaposhta.city"].name_search("Льв")], self.lviv.ids
        )

    def test_closed_branch_not_offered(self):
        closed = (
            self.env["novaposhta.warehouse"]
            .with_context(active_test=False)
            .search([("ref", "=", "wh-city-kyiv-closed")])
        )
        self.assertTrue(closed)
        self.assertFalse(closed.active)
        self.assertNotIn(
            closed.id, [r[0] for r in self.env["novaposhta.warehouse"].name_search("99")]
        )

    def test_paged_and_resumable(self):
        City = self.env["novaposhta.city"]
        Param = self.env["ir.config_parameter"].sudo()
        self.fake.warehouses[0] = dict(self.fake.warehouses[0], WarehouseStatus="Archive")
        self.fake.cities.append({"Ref": "city-dnipro", "Description": "Дніпро"})
        # one page of 2 per run: the cursor survives between runs
        cursor = City._cron_sync_directories(pages_per_run=1, page_size=2)
        self.assertEqual(cursor, dict(cursor, stage="cities", page=2))
        self.assertTrue(Param.get_param("delivery_novaposhta.directory_cursor"))
        # a failing page stops the run; the next run resumes at the same page
        self.fake.fail_next("np_error", "getCities")
        cursor = City._cron_sync_directories(pages_per_run=1, page_size=2)
        self.assertEqual(cursor["page"], 2)
        calls_before = self.fake.count_calls("getCities")
        for _run in range(20):
            cursor = City._cron_sync_directories(pages_per_run=1, page_size=2)
            if cursor["stage"] == "done":
                break
        self.assertEqual(cursor["stage"], "done")
        self.assertFalse(Param.get_param("delivery_novaposhta.directory_cursor"))
        self.assertEqual(self.fake.count_calls("getCities") - calls_before, 1)
        self.assertTrue(City.search([("ref", "=", "city-dnipro")]))
        self.assertFalse(self.kyiv_1.active, "a branch NP closed is no longer offered")

    def test_unseen_branch_archived(self):
        gone = self.fake.warehouses.pop(1)
        self.env["novaposhta.city"]._cron_sync_directories()
        branch = (
            self.env["novaposhta.warehouse"]
            .with_context(active_test=False)
            .search([("ref", "=", gone["Ref"])])
        )
        self.assertFalse(branch.active)
        self.assertTrue(self.lviv_2.active)
