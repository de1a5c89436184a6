"""``gongtui bench documents``: the ballots, tally sheets and result reports of a congress in
every community of a generated district (363 by default), from synthetic facts, timed with
the peak memory of the processes that drew them; to ``bench/results/documents-*.json`` with
the machine noted. Goal: under 60 s for 363 communities.

Per community three PDFs, as a meeting desk prints them: the session's ballots (every
round), its tally sheets, and its result reports (each round's and the meeting's)."""

from __future__ import annotations

import json
import os
import random
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gongtui.bench import bench_app

console = Console(stderr=True)
ROOT = Path(__file__).resolve().parents[2]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌海燕"


def community_facts(i: int, seed: int) -> Any:
    """One community's election up to a counted congress (secretary, deputy, members)."""
    from documents.facts import (
        Candidate,
        ElectionFacts,
        Meeting,
        PostPlan,
        Round,
        TallyLine,
    )
    from rules.counting import ballot_order

    rng = random.Random(seed * 100_003 + i)
    expected = rng.randint(40, 400)
    present = int(expected * rng.uniform(0.82, 0.98))
    used: set[str] = set()

    def person() -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                                   for _ in range(rng.choice((1, 2))))
            if name not in used:
                used.add(name)
                return name

    members = rng.choice((3, 5, 7))
    posts = (("secretary", 1, 2), ("deputy_secretary", 1, 2), ("member", members,
                                                               members + rng.choice((1, 2))))
    rounds = []
    for number, (post, seats, n) in enumerate(posts, start=1):
        names = ballot_order([person() for _ in range(n)])
        cands = tuple(Candidate(f"c{i}-{number}-{k}", nm) for k, nm in enumerate(names))
        invalid = rng.randint(0, 3)
        valid = present - invalid
        tally = []
        for c in cands:
            f = rng.randint(valid // 3, valid)
            a = rng.randint(0, valid - f)
            tally.append(TallyLine(c.person_id, c.name, f, a, valid - f - a))
        tally.sort(key=lambda t: -t.votes_for)
        elected = tuple(t.person_id for t in tally[:seats] if t.votes_for * 2 > present)
        rounds.append(Round(f"rd-{i}-{number}", post, "regular", number, seats, cands,
                            "counted", present, present, valid, invalid, tally=tuple(tally),
                            elected=elected, rules=("M3", "M5"),
                            ballot_box_digest=f"sha256:{rng.getrandbits(256):064x}",
                            source="paper"))
    meeting = Meeting(f"mt-{i}", "congress", 1, "closed", expected, present, 0, True, "M1",
                      tuple(rounds))
    return ElectionFacts(
        election_id=f"bench-{i}", community_id=f"c{i:03d}",
        community_name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice('东西南北中')}社区",
        org_type=rng.choice(("branch", "general_branch", "committee")),
        created_at="2026-03-01T08:00:00+00:00",
        posts=tuple(PostPlan(p, s, 0, 0, n) for p, s, n in posts), meetings=(meeting,),
        chain_head=f"sha256:{rng.getrandbits(256):064x}")


def draw_community(args: tuple[int, int, str, bool]) -> tuple[int, int, int, float, int]:
    """Draws one community's three PDFs; returns (pdfs, pages, bytes, CPU seconds, the
    process's peak RSS in KiB). ``shared``: the font parsed once per process (documents.faces)
    or, as before, by every document."""
    from documents import ballots, results, tally
    from documents.pdf import Doc

    i, seed, out, shared = args
    Doc.shared_fonts = shared
    cpu = time.process_time()
    facts = community_facts(i, seed)
    meeting = facts.meetings[0]
    kinds = ("ballots", "tally", "results")
    pages = size = 0
    for kind in kinds:
        doc = Doc(f"{facts.community_name} {kind}", facts.date, facts)
        for r in meeting.rounds:
            if kind == "ballots":
                ballots.draw(doc, facts, meeting, r)
            elif kind == "tally":
                tally.draw(doc, facts, meeting, r)
            else:
                results.draw_round(doc, facts, meeting, r)
        if kind == "results":
            results.draw_meeting(doc, facts, meeting)
        data = doc.output_bytes()
        pages += doc.pages_count
        size += len(data)
        if out:
            (Path(out) / f"{facts.community_id}-{kind}.pdf").write_bytes(data)
    return (len(kinds), pages, size, time.process_time() - cpu,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _run(communities: int, workers: int, seed: int, keep: Path | None,
         shared: bool) -> dict[str, Any]:
    """One timed pass over every community on a fresh pool of ``workers`` processes."""
    jobs = [(i, seed, str(keep or ""), shared) for i in range(communities)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(draw_community, jobs, chunksize=max(1, communities // (workers * 8))))
    elapsed = time.perf_counter() - started
    pdfs = sum(d[0] for d in done)
    return {
        "fonts": "parsed once per process" if shared else "parsed by every document",
        "pdfs": pdfs, "pages": sum(d[1] for d in done), "bytes": sum(d[2] for d in done),
        "elapsed_s": round(elapsed, 2), "cpu_s": round(sum(d[3] for d in done), 2),
        "per_pdf_ms": round(elapsed * 1000 / max(1, pdfs), 1),
        "cpu_per_pdf_ms": round(sum(d[3] for d in done) * 1000 / max(1, pdfs), 1),
        "peak_rss_mb_per_worker": round(max(d[4] for d in done) / 1024, 1),
        # the machine is shared: its load says how much of it the run had
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _warm() -> None:
    from documents import fonts

    for weight in (fonts.REGULAR, fonts.BOLD):
        for cut in fonts.CUTS:
            fonts.cut_path(weight, cut)


@bench_app.command("documents")
def documents(
    communities: Annotated[int, typer.Option(help="communities in the district")] = 363,
    workers: Annotated[int, typer.Option(help="processes drawing (default: the CPUs)")] = 0,
    seed: Annotated[int, typer.Option(help="seed of the synthetic facts")] = 1,
    keep: Annotated[Path | None, typer.Option(help="write the PDFs here")] = None,
    out: Annotated[Path | None, typer.Option(help="result file (default bench/results/"
                                                  "documents-<time>.json)")] = None,
    compare: Annotated[int, typer.Option(
        help="first draw this many communities (the first ones) with the font parsed by every "
             "document, as before, for the speedup (0: no comparison; 363: all)")] = 0,
) -> None:
    """Ballots, tally sheets and result reports of a congress in every community."""
    from gongtui.bench.ballots import machine

    workers = workers or os.cpu_count() or 1
    _warm()  # the font cuts are made once per machine, not timed
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    before = _run(min(compare, communities), workers, seed, None, shared=False) \
        if compare > 0 else None
    after = _run(communities, workers, seed, keep, shared=True)
    result: dict[str, Any] = {
        "bench": "documents", "at": datetime.now().isoformat(timespec="seconds"),
        "communities": communities, "workers": workers, "seed": seed, **after,
        "goal_s": 60, "met": after["elapsed_s"] < 60, "machine": machine(),
    }
    if before is not None:
        result["before"] = before
        result["before_communities"] = min(compare, communities)
        # per PDF, so a comparison on the first communities only still compares like with like
        result["speedup_cpu_per_pdf"] = round(
            before["cpu_per_pdf_ms"] / max(0.01, after["cpu_per_pdf_ms"]), 2)
        result["speedup_elapsed_per_pdf"] = round(
            before["per_pdf_ms"] / max(0.01, after["per_pdf_ms"]), 2)
    path = out or ROOT / "bench" / "results" / (
        f"documents-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for label, r in (("before", before), ("after", after)):
        if r is not None:
            console.print(f"{label}: {r['pdfs']} PDFs ({r['pages']} pages) for "
                          f"{r['pdfs'] // 3} "
                          f"communities in {r['elapsed_s']:.1f} s on {workers} processes "
                          f"(CPU {r['cpu_s']:.1f} s, peak RSS {r['peak_rss_mb_per_worker']} MB "
                          f"per process; fonts {r['fonts']})")
    console.print(f"→ {path}")
