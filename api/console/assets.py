"""Every asset of the console, served by the app itself (no CDN): the stylesheet, the tiny
scripts and the web font's slices."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console import fonts

router = APIRouter()
STATIC = Path(__file__).parent / "static"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml"}
LONG = "public, max-age=31536000, immutable"


@router.get("/static/fonts.css")
async def font_css(request: Request) -> Response:
    base = request.url.path.rsplit("/static/", 1)[0]  # /console or /ballot: the page's own
    return Response(fonts.stylesheet(base), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/fonts/{name}")
async def font(name: str, request: Request) -> Response:
    data = await fonts.font_file(fonts.cache_dir(request.app.state.settings.data_dir), name)
    if data is None:
        return Response(status_code=404)
    return Response(data, media_type="font/woff2", headers={"Cache-Control": LONG})


@router.get("/static/{name}")
async def static(name: str) -> Response:
    path = STATIC / name
    if path.parent != STATIC or path.suffix not in TYPES or not path.is_file():
        return Response(status_code=404)
    return Response(path.read_bytes(), media_type=TYPES[path.suffix],
                    headers={"Cache-Control": "public, max-age=3600"})
