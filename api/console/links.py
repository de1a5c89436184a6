"""One-time sign-in links for ``gongtui token create --login``: the command creates the token,
then :func:`login_link` prints a link that signs its holder in once within 30 minutes.

The code travels in the URL's fragment (``/console/login#link=…``), which browsers never
send: the sign-in page's script puts it in the form, and the POST carries it; no access log
or proxy ever sees it. A link is used once (api.console.store.ConsoleStore.redeem_link)."""

from __future__ import annotations

from api.console.store import ConsoleStore
from api.db import open_database
from core.config import Settings


async def login_link(settings: Settings, token_id: str, base_url: str = "") -> str:
    db = open_database(settings)
    try:
        await db.create_all()
        code = await ConsoleStore(db).create_link(token_id)
    finally:
        await db.dispose()
    base = base_url or f"http://{settings.host}:{settings.api_port}"
    return f"{base.rstrip('/')}/console/login#link={code}"
