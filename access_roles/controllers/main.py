from odoo import _, http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

EXPORTS = {
    "xlsx": ("_export_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("_export_csv", "text/csv; charset=utf-8"),
}


class AccessMatrixController(http.Controller):
    @http.route("/access_roles/matrix/export/<string:file_format>", type="http", auth="user")
    def export_matrix(self, file_format, **kwargs):
        if file_format not in EXPORTS:
            raise request.not_found()
        env = request.env
        if not env["access.matrix.line"]._can_view_matrix():
            raise AccessError(_("Only administrators and managers may export the access matrix."))
        method, content_type = EXPORTS[file_format]
        content = getattr(env["access.matrix.line"], method)()
        filename = f"access_matrix.{file_format}"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", content_type),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
