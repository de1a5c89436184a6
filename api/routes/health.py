"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SettingsDep
from core.config import SERVICES
from services.common.probes import grpc_healthy, port_open

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/api/v1/health")
async def readiness(settings: SettingsDep) -> dict[str, object]:
    components: dict[str, bool] = {
        service: await grpc_healthy(settings.service_address(service), settings, service)
        for service in SERVICES}
    components["temporal"] = await port_open(settings.temporal_address)
    return {"status": "ok" if all(components.values()) else "degraded", "components": components}
