"""The district's docker-compose.yml and Dockerfile. There is no Docker engine here, so: the
file parses, every project container runs a real ``gongtui serve`` target with variables the
settings know, everything has a healthcheck and waits for what it needs to be healthy, the
secrets are required (``${VAR:?}``) and the workers scale. (The same topology runs as
processes in tests/e2e/test_topology.py.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.config import Settings
from gongtui.cli import COMPONENTS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def project_services(compose: dict) -> dict:  # type: ignore[type-arg]
    return {name: svc for name, svc in compose["services"].items()
            if svc.get("build") == "." or str(svc.get("image", "")).startswith("${GONGTUI_IMAGE")}


def test_the_district_topology(compose: dict) -> None:  # type: ignore[type-arg]
    services = compose["services"]
    assert {"postgresql", "temporal-postgresql", "temporal", "temporal-ui", "nomination",
            "voting", "approval", "api", "worker"} <= set(services)
    assert services["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert services["temporal"]["environment"]["DB"].startswith("postgres")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["postgresql"]["image"].startswith("postgres:")


def test_every_command_is_a_gongtui_serve_target(compose: dict) -> None:  # type: ignore[type-arg]
    ours = project_services(compose)
    assert set(ours) == {"nomination", "voting", "approval", "api", "worker"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["gongtui"]' in dockerfile
    for name, svc in ours.items():
        command = svc["command"]
        assert command[0] == "serve" and command[1] in COMPONENTS, name
        assert command[1] == name, name
    # and the CLI accepts exactly these targets (an unknown one is refused)
    proc = subprocess.run([sys.executable, "-m", "gongtui.cli", "serve", "no-such-thing"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "unknown component" in proc.stderr + proc.stdout


def test_variables_are_settings_and_secrets_are_required(compose: dict) -> None:  # type: ignore[type-arg]
    fields = {f"GONGTUI_{name.upper()}" for name in Settings.model_fields}
    for name, svc in project_services(compose).items():
        for var in svc["environment"]:
            if var.startswith("GONGTUI_"):
                assert var in fields, f"{name}: {var} is not a setting"
    text = COMPOSE.read_text()
    for secret in ("POSTGRES_PASSWORD", "TEMPORAL_DB_PASSWORD"):
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses and all(u.startswith(":?") for u in uses), secret


def test_healthchecks_and_healthy_dependencies(compose: dict) -> None:  # type: ignore[type-arg]
    services = compose["services"]
    for name, svc in services.items():
        if name != "temporal-ui":
            assert "healthcheck" in svc and svc["healthcheck"]["test"], name
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert cond == {"condition": "service_healthy"}, (name, dep)
            assert dep in services
    for name in ("nomination", "voting", "approval"):
        assert set(services[name]["depends_on"]) == {"postgresql", "temporal"}
    assert {"nomination", "voting", "approval", "temporal"} <= set(services["worker"]["depends_on"])
    assert "/readyz" in str(services["api"]["healthcheck"]["test"])


def test_workers_scale(compose: dict) -> None:  # type: ignore[type-arg]
    worker = compose["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 timeout=30).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_it() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose CLI on this machine (parsed with PyYAML above)")
    import os

    env = dict(os.environ, POSTGRES_PASSWORD="x", TEMPORAL_DB_PASSWORD="y")
    proc = subprocess.run([*cli, "-f", str(COMPOSE), "config", "-q"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    env.pop("POSTGRES_PASSWORD")
    missing = subprocess.run([*cli, "-f", str(COMPOSE), "config", "-q"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr


def test_only_the_api_is_published(compose: dict) -> None:  # type: ignore[type-arg]
    published = {name for name, svc in compose["services"].items() if svc.get("ports")}
    assert published == {"api"}
    networks = compose["networks"]
    assert networks["district"]["internal"] is True
    for name, svc in compose["services"].items():
        joined = set(svc["networks"])
        assert joined == ({"district", "public"} if name == "api" else {"district"}), name
    assert "TEMPORAL_UI_PORT" not in COMPOSE.read_text()


def test_the_operator_overlay_publishes_the_ui_on_loopback_only() -> None:
    overlay = yaml.safe_load((ROOT / "docker-compose.operator.yml").read_text(encoding="utf-8"))
    assert set(overlay["services"]) == {"temporal-ui"}
    (port,) = overlay["services"]["temporal-ui"]["ports"]
    assert port.startswith("127.0.0.1:") and port.endswith(":8080")


def test_each_component_mounts_the_ca_and_only_its_own_certificate(  # type: ignore[type-arg]
        compose: dict) -> None:
    from gongtui.certs_cli import paths
    from services.common.tls import COMPONENTS

    secrets = compose["secrets"]
    for name, svc in project_services(compose).items():
        assert name in COMPONENTS
        assert set(svc["secrets"]) == {"gongtui-ca", f"{name}-cert", f"{name}-key"}, name
        env = svc["environment"]
        assert env["GONGTUI_TLS_CA"] == "/run/secrets/gongtui-ca", name
        assert env["GONGTUI_TLS_CERT"] == f"/run/secrets/{name}-cert", name
        assert env["GONGTUI_TLS_KEY"] == f"/run/secrets/{name}-key", name
        assert "GONGTUI_ALLOW_INSECURE" not in env, name
        # the files are the ones `gongtui certs --out ${GONGTUI_CERTS:-./certs}` writes
        cert, key = paths(Path("${GONGTUI_CERTS:-./certs}"), name)
        assert secrets[f"{name}-cert"]["file"] == str(cert)
        assert secrets[f"{name}-key"]["file"] == str(key)
    assert secrets["gongtui-ca"]["file"] == "${GONGTUI_CERTS:-./certs}/ca.pem"
    # nobody but the API holds the key that signs the callers' assertions
    holders = [n for n, svc in compose["services"].items() if "api-key" in svc.get("secrets", [])]
    assert holders == ["api"]
