"""Records the Temporal histories of scenario elections for the replay tests.

``python -m gongtui.simulate.histories NAME …`` plays each scenario of tests/scenarios on an
embedded stack and writes tests/workflows/replay/histories/NAME.json. Commit them: the replay test fails when a
change to the workflow code breaks determinism for an election already under way (use
``workflow.patched`` for such a change).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from temporalio.client import Client

from core.ids import election_workflow_id
from gongtui.runner import play_scenario
from gongtui.simulate.scenario import load
from gongtui.stack import WITHOUT_API, EmbeddedStack, embedded_settings

ROOT = Path(__file__).resolve().parents[2]


async def record(names: list[str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongtui-hist-") as tmp:
        stack = EmbeddedStack(embedded_settings(Path(tmp)), components=WITHOUT_API)
        await stack.start()
        try:
            client = await Client.connect(stack.settings.temporal_address)
            for name in names:
                scenario = load(ROOT / "tests" / "scenarios" / f"{name}.yaml")
                ballots = "electronic" if "electronic" in name else "paper"
                out = await play_scenario(scenario, stack.settings, ballots=ballots)
                handle = client.get_workflow_handle(election_workflow_id(out['election_id']))
                history = await handle.fetch_history()
                (out_dir / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
                print(f"{name}: {out['status']} → {out_dir / (name + '.json')}")
        finally:
            stack.stop()


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:], ROOT / "tests" / "workflows" / "replay" / "histories"))
