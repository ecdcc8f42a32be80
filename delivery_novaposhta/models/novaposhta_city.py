import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..novaposhta import NovaPoshtaError
from .system_fields import refuse_system_fields

_logger = logging.getLogger(__name__)

CURSOR_PARAM = "delivery_novaposhta.directory_cursor"
PASS_PARAM = "delivery_novaposhta.directory_pass"
PAGE_SIZE = 500

# Stamps of the directory sync: set by the system only.
SYNC_FIELDS = ("sync_date", "sync_pass")


class NovaPoshtaCity(models.Model):
    """A city of NP's directory (``Address.getCities``)."""

    _name = "novaposhta.city"
    _description = "Nova Poshta City"
    _order = "name, id"
    _rec_names_search = ["name", "area"]

    name = fields.Char(required=True, index="trigram")
    ref = fields.Char(string="NP reference", required=True, index=True, readonly=True)
    area = fields.Char(string="Region")
    settlement_type = fields.Char()
    active = fields.Boolean(default=True)
    sync_date = fields.Datetime(string="Last seen in NP's directory", readonly=True)
    sync_pass = fields.Integer(readonly=True, copy=False)
    warehouse_ids = fields.One2many("novaposhta.warehouse", "city_id", string="Branches")

    _sql_constraints = [("ref_unique", "unique(ref)", "This NP city is already in the directory.")]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            refuse_system_fields(self, vals, SYNC_FIELDS, on_create=True)
        return super().create(vals_list)

    def write(self, vals):
        refuse_system_fields(self, vals, SYNC_FIELDS + ("ref",))
        return super().write(vals)

    @api.depends("name", "area")
    def _compute_display_name(self):
        for city in self:
            city.display_name = f"{city.name} ({city.area})" if city.area else city.name

    @api.model
    def _np_upsert(self, items, stamp, sync_pass=0):
        """Create or update the cities of one directory page; returns
        ``{ref: id}`` of them. Two queries for the lookup, one create."""
        items = [item for item in items if item.get("Ref")]
        existing = {
            city.ref: city
            for city in self.with_context(active_test=False).search(
                [("ref", "in", [item["Ref"] for item in items])]
            )
        }
        to_create = []
        for item in items:
            vals = {
                "name": item.get("Description") or item.get("DescriptionRu") or item["Ref"],
                "area": item.get("AreaDescription") or False,
                "settlement_type": item.get("SettlementTypeDescription") or False,
                "active": True,
            }
            city = existing.get(item["Ref"])
            if city is None:
                to_create.append(dict(vals, ref=item["Ref"], sync_date=stamp, sync_pass=sync_pass))
                continue
            changed = {key: val for key, val in vals.items() if city[key] != val}
            if changed:
                city.write(changed)
        seen = self.browse([city.id for city in existing.values()])
        if seen:
            seen.write({"sync_date": stamp, "sync_pass": sync_pass})
        created = self.create(to_create) if to_create else self.browse()
        result = {ref: city.id for ref, city in existing.items()}
        result.update({city.ref: city.id for city in created})
        return result

    # ------------------------------------------------------- directory sync
    def action_np_sync_directories(self):
        """“Sync from Nova Poshta” (menu and list button, administrators):
        the directory sync with the key of the first account that has one,
        as the account's own button does."""
        self.env["novaposhta.account"].check_access("write")
        account = self._np_directory_account()
        if not account:
            raise UserError(
                _(
                    "No Nova Poshta account has an API key yet. An administrator enters it in "
                    "Sales › Nova Poshta › Accounts, then syncs the directories."
                )
            )
        return account.action_sync_directories()

    @api.model
    def _np_directory_account(self):
        return self.env["novaposhta.account"].search([("api_key", "!=", False)], limit=1)

    @api.model
    def _cron_sync_directories(self, pages_per_run=20, page_size=PAGE_SIZE, account=None):
        """Sync cities, then branches and parcel lockers, page by page.

        The cursor (stage, page, start of the pass) is kept in a system
        parameter written in the same transaction as the pages: a run that
        fails or is interrupted continues where the last finished run
        stopped. Branches not seen during a whole pass, or closed, are
        archived so that they are no longer offered. ``account``: whose key
        to use (the account's “Sync directories” button); by default the
        first account with a key."""
        Param = self.env["ir.config_parameter"].sudo()
        cursor = json.loads(Param.get_param(CURSOR_PARAM) or "{}") or {
            "stage": "cities",
            "page": 1,
            "started": fields.Datetime.to_string(fields.Datetime.now()),
            "pass": int(Param.get_param(PASS_PARAM) or 0) + 1,
        }
        account = account or self.sudo()._np_directory_account()
        if not account:
            _logger.info("Nova Poshta directory sync: no account with an API key")
            return False
        client = account._np_client()
        stamp = fields.Datetime.to_datetime(cursor["started"])
        Warehouse = self.env["novaposhta.warehouse"].sudo()
        done_pages = 0
        error_text = False
        while done_pages < pages_per_run and cursor["stage"] != "done":
            try:
                if cursor["stage"] == "cities":
                    items, total = client.get_cities(page=cursor["page"], limit=page_size)
                    self.sudo()._np_upsert(items, stamp, cursor["pass"])
                else:
                    items, total = client.get_warehouses(page=cursor["page"], limit=page_size)
                    Warehouse._np_upsert(items, stamp, cursor["pass"])
            except NovaPoshtaError as error:
                error_text = account._np_problem_text(error)
                _logger.info(
                    "Nova Poshta directory sync stopped at %s page %s: %s",
                    cursor["stage"],
                    cursor["page"],
                    account._np_error_text(error),
                )
                break
            done_pages += 1
            finished = (
                not items
                or len(items) < page_size
                or (total is not None and cursor["page"] * page_size >= total)
            )
            if not finished:
                cursor["page"] += 1
            elif cursor["stage"] == "cities":
                cursor.update(stage="warehouses", page=1)
            else:
                Warehouse.search([("sync_pass", "!=", cursor["pass"])])._np_archive_unseen()
                Param.set_param(PASS_PARAM, str(cursor["pass"]))
                cursor["stage"] = "done"
        if cursor["stage"] == "done":
            Param.set_param(CURSOR_PARAM, "")
            remaining = 0
        else:
            Param.set_param(CURSOR_PARAM, json.dumps(cursor))
            remaining = 1
        # Odoo runs the scheduled action again soon while work remains.
        self.env["ir.cron"]._notify_progress(done=done_pages, remaining=remaining)
        return dict(cursor, error=error_text) if error_text else cursor
