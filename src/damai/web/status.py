"""The dashboard's own error pages: 403, 404, 405, 413, 500 and 503 as a small styled page with
the favicon and a way back, Indonesian first and English second (issue #14 part 9).

The page stands alone (it does not extend ``base.html``): a crash or a lost database must still
be able to answer it, without a session or a request's context. The API keeps its JSON errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.responses import HTMLResponse

from damai.web.render import TEMPLATES

__all__ = ["STATUS_TEXTS", "status_page"]

#: status → ((Indonesian title, text), (English title, text))
STATUS_TEXTS: Final[dict[int, tuple[tuple[str, str], tuple[str, str]]]] = {
    400: (("Permintaan tidak sah", "Alamat atau isi permintaan ini tidak bisa dibaca. Periksa "
                                   "alamatnya, lalu coba lagi."),
          ("Bad request", "The address or body of this request cannot be read. Check the "
                          "address, then try again.")),
    403: (("Akses ditolak", "Peran Anda tidak mengizinkan halaman ini. Bila pekerjaan Anda "
                            "memerlukannya, minta admin mengubah peran Anda."),
          ("Access denied", "Your role does not allow this page. If your work needs it, ask an "
                            "admin to change your role.")),
    404: (("Halaman tidak ditemukan", "Alamat ini tidak ada, atau datanya sudah dihapus. "
                                      "Periksa alamatnya, atau mulai lagi dari ringkasan."),
          ("Page not found", "This address does not exist, or its data was removed. Check the "
                             "address, or start again from the overview.")),
    405: (("Permintaan tidak didukung", "Halaman ini tidak menerima permintaan seperti itu. "
                                        "Buka lewat tautan di dasbor."),
          ("Request not supported", "This page does not take that kind of request. Open it "
                                    "through a link in the dashboard.")),
    413: (("Kiriman terlalu besar", "Isi permintaan melebihi batas. Kirim lebih sedikit, lalu "
                                    "coba lagi."),
          ("Request too large", "The request body is over the limit. Send less, then try "
                                "again.")),
    500: (("Terjadi kesalahan di server", "Kesalahannya sudah dicatat. Coba lagi sebentar lagi; "
                                          "bila terus terjadi, beri tahu admin."),
          ("Server error", "The error was logged. Try again shortly; if it goes on, tell an "
                           "admin.")),
    503: (("Basis data tidak terjangkau", "Server akan pulih sendiri begitu basis data kembali. "
                                          "Coba lagi sebentar lagi."),
          ("The database cannot be reached", "The server recovers by itself once the database "
                                             "is back. Try again shortly.")),
}


def status_page(status: int, headers: Mapping[str, str] | None = None, *,
                message: tuple[str, str] | None = None) -> HTMLResponse:
    """The styled page for ``status`` (a status without its own text gets the 500 text), with
    ``message`` (Indonesian, English) in place of the status's own text when given."""
    (title_id, text_id), (title_en, text_en) = STATUS_TEXTS.get(status, STATUS_TEXTS[500])
    if message is not None:
        text_id, text_en = message
    html = TEMPLATES.env.get_template("status.html").render(
        status=status, title_id=title_id, text_id=text_id, title_en=title_en, text_en=text_en)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))
