import re

from odoo import api, fields, models
from odoo.osv import expression

from ..novaposhta import to_float
from .system_fields import refuse_system_fields

CATEGORIES = [
    ("branch", "Branch"),
    ("postomat", "Parcel locker"),
    ("other", "Other"),
]
# “12”, “№12”, “#12”, “N 12”: a branch number typed into the picker.
NUMBER_RE = re.compile(r"^(?:№|#|n|no\.?)?\s*(\d+)$", re.IGNORECASE)
NP_CATEGORIES = {"Branch": "branch", "Postomat": "postomat", "Store": "branch"}

# Stamps of the directory sync: set by the system only.
SYNC_FIELDS = ("sync_date", "sync_pass")


class NovaPoshtaWarehouse(models.Model):
    """A branch or parcel locker of NP's directory
    (``AddressGeneral.getWarehouses``). Closed ones are archived: they are
    not offered on orders."""

    _name = "novaposhta.warehouse"
    _description = "Nova Poshta Branch or Parcel Locker"
    _order = "city_id, number_int, id"
    _rec_names_search = ["name", "number", "short_address"]

    name = fields.Char(required=True, index="trigram")
    ref = fields.Char(string="NP reference", required=True, index=True, readonly=True)
    number = fields.Char(index=True)
    number_int = fields.Integer(string="Number (for sorting)")
    short_address = fields.Char(string="Address")
    city_id = fields.Many2one("novaposhta.city", index=True, ondelete="restrict")
    category = fields.Selection(CATEGORIES, default="branch", required=True)
    max_weight = fields.Float(string="Max weight (kg)")
    latitude = fields.Float(digits=(10, 6))
    longitude = fields.Float(digits=(10, 6))
    active = fields.Boolean(default=True, help="Closed branches are archived and not offered.")
    sync_date = fields.Datetime(string="Last seen in NP's directory", readonly=True)
    sync_pass = fields.Integer(readonly=True, copy=False)

    _sql_constraints = [
        ("ref_unique", "unique(ref)", "This NP branch is already in the directory.")
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            refuse_system_fields(self, vals, SYNC_FIELDS, on_create=True)
        return super().create(vals_list)

    def write(self, vals):
        refuse_system_fields(self, vals, SYNC_FIELDS + ("ref",))
        return super().write(vals)

    @api.model
    def _search_display_name(self, operator, value):
        """The branch picker finds a branch by its number (“12”, “№12”: that
        branch, not 112 or 120), by a street or by words of its description
        in any order (“Хрещатик 22”)."""
        if operator not in ("ilike", "like", "=ilike", "=like") or not isinstance(value, str):
            return super()._search_display_name(operator, value)
        words = value.replace(",", " ").split()
        if not words:
            return super()._search_display_name(operator, value)
        number = NUMBER_RE.match(value.strip())
        if number:
            return [("number", "=", number.group(1))]
        domains = []
        for word in words:
            match = NUMBER_RE.match(word)
            word_domain = [
                "|",
                "|",
                ("name", "ilike", word),
                ("short_address", "ilike", word),
                ("number", "=", match.group(1) if match else word),
            ]
            domains.append(word_domain)
        return expression.AND(domains)

    @api.depends("name", "number")
    def _compute_display_name(self):
        for warehouse in self:
            warehouse.display_name = warehouse.name or warehouse.number or ""

    @api.model
    def _np_upsert(self, items, stamp, sync_pass=0):
        items = [item for item in items if item.get("Ref")]
        City = self.env["novaposhta.city"].sudo()
        city_refs = {item.get("CityRef") for item in items if item.get("CityRef")}
        cities = {
            city.ref: city.id
            for city in City.with_context(active_test=False).search(
                [("ref", "in", list(city_refs))]
            )
        }
        missing = [
            {"Ref": item["CityRef"], "Description": item.get("CityDescription")}
            for item in items
            if item.get("CityRef") and item["CityRef"] not in cities
        ]
        if missing:
            unique = list({row["Ref"]: row for row in missing}.values())
            cities.update(City._np_upsert(unique, stamp, sync_pass))
        existing = {
            warehouse.ref: warehouse
            for warehouse in self.with_context(active_test=False).search(
                [("ref", "in", [item["Ref"] for item in items])]
            )
        }
        to_create = []
        for item in items:
            closed = (item.get("WarehouseStatus") or "Working") != "Working" or str(
                item.get("DenyToSelect") or "0"
            ) == "1"
            number = str(item.get("Number") or "")
            vals = {
                "name": item.get("Description") or number or item["Ref"],
                "number": number or False,
                "number_int": int(number) if number.isdigit() else 0,
                "short_address": item.get("ShortAddress") or False,
                "city_id": cities.get(item.get("CityRef")) or False,
                "category": NP_CATEGORIES.get(item.get("CategoryOfWarehouse"), "other"),
                "max_weight": to_float(item.get("PlaceMaxWeightAllowed")),
                "latitude": to_float(item.get("Latitude")),
                "longitude": to_float(item.get("Longitude")),
                "active": not closed,
            }
            warehouse = existing.get(item["Ref"])
            if warehouse is None:
                to_create.append(dict(vals, ref=item["Ref"], sync_date=stamp, sync_pass=sync_pass))
                continue
            changed = {}
            for key, val in vals.items():
                current = warehouse[key]
                current = current.id if key == "city_id" else current
                if current != val:
                    changed[key] = val
            if changed:
                warehouse.write(changed)
        seen = self.browse([warehouse.id for warehouse in existing.values()])
        if seen:
            seen.write({"sync_date": stamp, "sync_pass": sync_pass})
        if to_create:
            self.create(to_create)

    def action_np_sync_directories(self):
        """The list's “Sync from Nova Poshta” button (administrators)."""
        return self.env["novaposhta.city"].action_np_sync_directories()

    def _np_archive_unseen(self):
        """Branches missing from a whole directory pass are gone."""
        return self.filtered("active").write({"active": False})
