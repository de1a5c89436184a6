"""``gongtui bench roster-readers``: python-calamine against openpyxl (read-only) on a generated
roster, time and peak memory of each read in a fresh process; the figures and the machine go to
``bench/results/roster-readers-*.json``. The roster reader (api/roster_io.py) uses the winner."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gongtui.bench import bench_app
from gongtui.bench.ballots import machine

console = Console(stderr=True)

# each read runs in its own interpreter; its peak is VmHWM (a new address space at exec, unlike
# ru_maxrss, which keeps the forking parent's mark), less the mark after the import
_READ = r"""
import sys, time

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

reader, path = sys.argv[1], sys.argv[2]
if reader == "calamine":
    import python_calamine
elif reader == "openpyxl":
    import openpyxl
base = hwm()
t = time.perf_counter()
rows = 0
if reader == "calamine":
    wb = python_calamine.CalamineWorkbook.from_path(path)
    for row in wb.get_sheet_by_index(0).iter_rows():
        rows += 1
elif reader == "openpyxl":
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        rows += 1
    wb.close()
elapsed = time.perf_counter() - t
peak = hwm()
print(rows, elapsed, base, peak)
"""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建国建华志强"


def write_roster(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    ws.append(["编号", "姓名", "身份", "不计入事由", "党龄", "年龄", "居住本社区"])
    statuses = ["正式党员"] * 8 + ["预备党员", "群众"]
    for i in range(rows):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)]
        ws.append([f"p{i:06d}", name, statuses[i % len(statuses)], "", (i % 50) + 0.5,
                   18 + i % 70, "是" if i % 9 else "否"])
    wb.save(path)


def _read_once(reader: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _READ, reader, str(path)], check=True,
                         capture_output=True, text=True).stdout.split()
    rows, elapsed, base, peak = int(out[0]), float(out[1]), int(out[2]), int(out[3])
    return {"rows": rows, "seconds": round(elapsed, 4), "peak_mb": round((peak - base) / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1)}


@bench_app.command("roster-readers")
def roster_readers(
    rows: Annotated[int, typer.Option(help="data rows in the generated roster")] = 10_000,
    repeat: Annotated[int, typer.Option(help="reads per reader (medians reported)")] = 5,
    out_dir: Annotated[Path, typer.Option(help="where the JSON goes")] = Path("bench/results"),
) -> None:
    """Time and peak memory of python-calamine and openpyxl (read-only) on an XLSX roster."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        write_roster(path, rows)
        size = path.stat().st_size
        results: dict[str, Any] = {}
        for reader in ("calamine", "openpyxl"):
            runs = [_read_once(reader, path) for _ in range(repeat)]
            assert all(r["rows"] == rows + 1 for r in runs), runs
            results[reader] = {
                "median_seconds": round(statistics.median(r["seconds"] for r in runs), 4),
                "min_seconds": round(min(r["seconds"] for r in runs), 4),
                "median_peak_mb": round(statistics.median(r["peak_mb"] for r in runs), 1),
                "median_peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in runs), 1),
                "runs": runs}
            console.print(f"{reader}: {results[reader]['median_seconds']} s, "
                          f"{results[reader]['median_peak_mb']} MB above the import")
    from importlib.metadata import version

    winner = min(results, key=lambda r: results[r]["median_seconds"])
    doc = {"benchmark": "roster-readers", "at": datetime.now().isoformat(timespec="seconds"),
           "machine": machine(), "rows": rows, "file_bytes": size, "repeat": repeat,
           "versions": {"python-calamine": version("python-calamine"),
                        "openpyxl": version("openpyxl")},
           "results": results, "faster": winner,
           "speedup": round(max(r["median_seconds"] for r in results.values())
                            / results[winner]["median_seconds"], 1)}
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"roster-readers-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(str(target))
