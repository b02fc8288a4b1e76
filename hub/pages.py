"""The hub's server-made HTML pages: for now the staff login form (Finnish and English)."""

from __future__ import annotations

from html import escape

_LOGIN = """<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kirjaudu – Log in · kiosk-hub</title>
<style>
body {{ font: 1.125rem/1.5 system-ui, sans-serif; max-width: 26rem; margin: 3rem auto;
       padding: 0 1rem; color: #111; background: #fff; }}
label {{ display: block; margin-top: 1rem; font-weight: 600; }}
input {{ font: inherit; width: 100%; padding: .5rem; box-sizing: border-box;
        border: 2px solid #555; border-radius: 4px; }}
input:focus, button:focus {{ outline: 3px solid #0a58ca; outline-offset: 2px; }}
button {{ font: inherit; margin-top: 1.5rem; padding: .6rem 1.5rem; color: #fff;
         background: #0a58ca; border: 0; border-radius: 4px; cursor: pointer; }}
.error {{ color: #a00; border-left: 4px solid #a00; padding-left: .75rem; }}
</style>
</head>
<body>
<main>
<h1>Kirjaudu <span lang="en">/ Log in</span></h1>
{error}
<form method="post" action="/login">
<label for="username">Käyttäjätunnus <span lang="en">/ Username</span></label>
<input id="username" name="username" autocomplete="username" autocapitalize="none"
       spellcheck="false" required value="{username}"{focus_user}>
<label for="password">Salasana <span lang="en">/ Password</span></label>
<input id="password" name="password" type="password" autocomplete="current-password"
       required{focus_password}>
<button type="submit">Kirjaudu <span lang="en">/ Log in</span></button>
</form>
</main>
</body>
</html>
"""

FAILED = (
    "Väärä käyttäjätunnus tai salasana, tai tili on hetken lukittuna. "
    '<span lang="en">Wrong username or password, or the account is locked for a while.</span>'
)


def login_page(*, username: str = "", error: str = "") -> str:
    """The login form; `error` is trusted HTML (one of this module's messages)."""
    shown = f'<p class="error" role="alert" id="login-error">{error}</p>' if error else ""
    return _LOGIN.format(
        error=shown,
        username=escape(username, quote=True),
        focus_user="" if error else " autofocus",
        focus_password=" autofocus" if error else "",
    )
