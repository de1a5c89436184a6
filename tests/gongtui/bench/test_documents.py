"""`gongtui bench documents` at a tiny scale: the PDFs are drawn, kept, and the result file
names the machine and the figures (speed itself is the benchmark's business)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.documents import pdfcheck


def test_bench_documents_draws_three_pdfs_per_community(tmp_path: Path) -> None:
    out = tmp_path / "documents.json"
    keep = tmp_path / "pdfs"
    run = subprocess.run(
        [sys.executable, "-m", "gongtui.cli", "bench", "documents", "--communities", "3",
         "--workers", "1", "--keep", str(keep), "--out", str(out)],
        capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["communities"] == 3 and result["pdfs"] == 9
    assert result["machine"]["cpus"] >= 1 and result["elapsed_s"] > 0
    assert result["peak_rss_mb_per_worker"] > 0
    pdfs = sorted(keep.glob("*.pdf"))
    assert len(pdfs) == 9
    assert sum(len(pdfcheck.page_size_mm(p.read_bytes())) for p in pdfs) == result["pages"]
    results = pdfcheck.compact(next(keep.glob("c000-results.pdf")).read_bytes())
    assert "选举结果报告单" in results and "总监票人" in results
