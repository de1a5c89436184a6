"""The district report's chart in Chinese, set in the documents' font: matplotlib finds a
glyph for every label (no missing-glyph warning) and the chart is written."""

from __future__ import annotations

import warnings
from pathlib import Path

from gongtui.demo.report import write_chart


def test_chart_labels_render_in_the_cjk_font(tmp_path: Path) -> None:
    report = {
        "district_id": "玄武区", "completed": 2, "communities": 2, "elapsed_s": 12.5,
        "funnel": {p: {"shortlisted": 4, "inspected": 3, "candidates": 2, "elected": 1}
                   for p in ("secretary", "deputy_secretary", "member")},
        "congress_attendance": {"mean": 0.9},
        "per_community": [
            {"congress_attendance": 0.9, "street_id": "梅园新村街道", "status": "completed",
             "started_at": "2026-03-01T08:00:00", "ended_at": "2026-03-01T08:00:10"},
            {"congress_attendance": 0.88, "street_id": "玄武门街道", "status": "completed",
             "started_at": "2026-03-01T08:00:01", "ended_at": "2026-03-01T08:00:12"}],
    }
    path = tmp_path / "chart.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would fail here
        write_chart(report, path)
    assert path.stat().st_size > 10_000
    from matplotlib import rcParams

    assert rcParams["font.family"] == ["Noto Sans SC"]
