"""Fields only the system sets: refused for every role, on create and write.

The addon's own code sets them with ``sudo()`` (NP's answers, states, sync
stamps); a person's request, whatever its role or channel (form, import,
JSON-RPC), is refused with a clear message and changes nothing.
"""

from odoo.exceptions import AccessError


def refuse_system_fields(records, vals, names, on_create=False):
    """Raise AccessError when ``vals`` sets one of ``names`` outside
    ``sudo()``. On create, a field given its default value (as a form sends
    it) or an empty one is no change."""
    if records.env.su or not vals:
        return
    refused = [name for name in names if name in vals]
    if on_create and refused:
        defaults = records.default_get(refused)
        refused = [
            name
            for name in refused
            if vals[name] not in (False, None, "", 0)
            and records._fields[name].convert_to_cache(vals[name], records)
            != records._fields[name].convert_to_cache(defaults.get(name, False), records)
        ]
    if refused:
        raise AccessError(
            records.env._(
                "%(fields)s of %(model)s are set by the system only (from Nova Poshta) and "
                "cannot be changed by hand.",
                fields=", ".join(
                    "“%s”" % records._fields[name]._description_string(records.env)
                    for name in refused
                ),
                model=records._description,
            )
        )
