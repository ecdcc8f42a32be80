from odoo import SUPERUSER_ID, Command, api


def migrate(cr, version):
    """Marketers are no longer Odoo's template editors (they write message
    texts with the allowed placeholders only): users who had the editor group
    only through the Marketer role lose it."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    editor = env.ref("mail.group_mail_template_editor")
    marketer = env.ref("access_roles.group_role_marketer")
    users = marketer.with_context(active_test=False).users.filtered(
        lambda user: editor not in (user.groups_id - editor).trans_implied_ids
    )
    if users:
        editor.with_context(active_test=False).write(
            {"users": [Command.unlink(user.id) for user in users]}
        )
