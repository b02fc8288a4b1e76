"""The demo site's page skeleton: one stylesheet, bilingual headings, scripts from /static."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"


def both(en: str, fi: str) -> str:
    """English and Finnish side by side, as every text on the demo site is."""
    return f'<span lang="en">{escape(en)}</span> / {escape(fi)}'


def page(
    title: str,
    body: str,
    *,
    scripts: Sequence[str] = (),
    data: Mapping[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    """An HTML page: `title` is plain text, `body` is HTML; `data` become the body's data-
    attributes (what the page's scripts need to know, such as the off-list site's origin)."""
    attributes = "".join(f' data-{name}="{escape(value)}"' for name, value in (data or {}).items())
    tags = "".join(f'<script src="/static/{escape(name)}" defer></script>' for name in scripts)
    text = (
        '<!DOCTYPE html>\n<html lang="fi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/site.css">{tags}'
        f"</head><body{attributes}>{body}</body></html>\n"
    )
    return web.Response(text=text, content_type="text/html", status=status)


def heading(en: str, fi: str, *, home: bool = True) -> str:
    """The page's heading, with a link to the start page unless `home` is False."""
    back = f'<p><a href="/">{both("Home", "Etusivu")}</a></p>' if home else ""
    return f"<header><h1>{both(en, fi)}</h1></header>{back}"


def para(en: str, fi: str, *, id: str = "") -> str:
    ident = f' id="{escape(id)}"' if id else ""
    return f"<p{ident}>{both(en, fi)}</p>"


def link_button(
    id: str, href: str, en: str, fi: str, *, secondary: bool = False, new: bool = False
) -> str:
    """A link that looks like a large button; `new` opens it as a new window (target=_blank)."""
    kind = "button secondary" if secondary else "button"
    target = ' target="_blank"' if new else ""
    return f'<a class="{kind}" id="{escape(id)}" href="{escape(href)}"{target}>{both(en, fi)}</a>'


def shown(id: str, en: str, fi: str, value: str) -> str:
    """A labelled value that a script or a test reads by its id."""
    return f'<p>{both(en, fi)}: <span class="result" id="{escape(id)}">{escape(value)}</span></p>'
