"""The REST surface: one FastAPI application, one OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.deps import ServiceClients
from api.routes import health, notices
from gongtui.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.clients = ServiceClients(settings)
        yield
        await app.state.clients.close()

    app = FastAPI(title="gongtui 公推直选", version="0.1.0", lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(notices.router)
    return app
