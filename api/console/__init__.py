"""The web console (zh-CN): server-rendered pages for every role of the election, on the
API's own dependencies and route functions, so each page checks exactly the role and scope
the REST route checks. ``api.main`` includes :data:`router`.

* ``/console/...`` — signed-in pages (cookie session), the public notice board and the big
  screen;
* ``/ballot/...`` — the voter's ballot page: no session, no cookie, no log line."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from api.console import (
    approver,
    assets,
    auth,
    complaints,
    dashboard,
    desk,
    desk_acts,
    nominate,
    office,
    public,
    screen,
    street,
    street_work,
    supervisor,
    timeline,
    tokens,
    voter,
)
from api.console.web import PREFIX

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


for module in (auth, approver, dashboard, desk, office, public, screen, street, supervisor,
               tokens, assets):
    router.include_router(module.router, prefix=PREFIX)
# the election's working screens (timeline, nominations, desk acts, inspections, complaints)
for module in (timeline, nominate, desk_acts, street_work, complaints):
    router.include_router(module.router, prefix=PREFIX)
router.include_router(voter.router)
router.include_router(assets.router, prefix=voter.PATH)
