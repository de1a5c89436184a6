"""``gongtui rules explain [PROFILE]``, ``gongtui rules check PLAN.yaml`` and
``gongtui rules strokes NAME...``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from core.vocabulary import DEFAULT_PROFILE

rules_app = typer.Typer(help="the rule table: explain a profile, check a plan, order names",
                        no_args_is_help=True)
out = Console()


@rules_app.command()
def explain(
    profile: Annotated[str, typer.Argument(help="national | nanjing | nanjing-xuanwu | a profile file")] = DEFAULT_PROFILE,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="print the Markdown document (docs/rules.md): the built-in profiles"
        " side by side, and PROFILE when it is a file")] = False,
) -> None:
    """Print the effective rule table: ID, rule, parameter values (with their allowed ranges),
    kind, source."""
    import rules
    from rules.profile import param_range

    try:
        prof = rules.load_profile(profile)
    except rules.RuleViolation as exc:
        out.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if markdown:
        from rules.markdown import explained_profiles, rule_table_markdown

        typer.echo(rule_table_markdown(explained_profiles(prof)), nl=False)
        return
    rows = rules.rule_table(prof)
    if as_json:
        typer.echo(json.dumps([{"id": r.id, "rule": r.text, "params": r.params, "kind": r.kind,
                                "source": r.source, "active": r.active,
                                "ranges": {k: param_range(k) for k in r.params if param_range(k)}}
                               for r in rows],
                              ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=f"profile {prof.name}", show_lines=True)
    for col in ("ID", "rule", "parameters", "kind", "source"):
        table.add_column(col)
    for r in rows:
        params = "\n".join(f"{k} = {v}" + (f"  [{param_range(k)}]" if param_range(k) else "")
                           for k, v in r.params.items())
        style = "" if r.active else "dim"
        table.add_row(r.id + ("" if r.active else " (off)"), r.text, params, r.kind, r.source,
                      style=style)
    out.print(table)


def _plan_from(data: dict[str, Any]) -> tuple[str, str, int, dict[str, Any], dict[str, Any]]:
    """A plan file: {profile, overrides, org_type, full_members, posts}; a scenario file works
    too (its community, roster and plan are used)."""
    if "community" in data:
        from gongtui.simulate.roster import build_roster

        org_type = data["community"].get("org_type", "general_branch")
        full = sum(1 for p in build_roster(data) if p.status == "full")
        posts = data.get("plan", {}).get("posts", {})
    else:
        org_type = data.get("org_type", "general_branch")
        full = int(data.get("full_members", 0))
        posts = data.get("posts", {})
    return (data.get("profile", DEFAULT_PROFILE), org_type, full, posts, data.get("overrides", {}))


@rules_app.command()
def check(plan_file: Annotated[Path, typer.Argument(help="plan YAML (or a scenario file)")]) -> None:
    """Validate an election plan; print each violation with its rule ID (exit 1 when any)."""
    import rules

    try:
        data = yaml.safe_load(plan_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        out.print(f"[red]error:[/] {plan_file}: {exc}")
        raise typer.Exit(2) from exc
    profile_name, org_type, full, posts, overrides = _plan_from(data)
    try:
        profile = rules.load_profile(profile_name, overrides)
        funnels = {post: rules.PostFunnel(int(p["seats"]), int(p["shortlist"]),
                                          int(p["inspected"]), int(p["candidates"]))
                   for post, p in posts.items()}
    except rules.RuleViolation as exc:  # a ValueError too: a parameter, not the posts
        out.print(f"[red]error:[/] {plan_file}: {exc}")
        raise typer.Exit(2) from exc
    except (KeyError, TypeError, ValueError) as exc:
        out.print(f"[red]error:[/] {plan_file}: posts need seats, shortlist, inspected, "
                  f"candidates ({exc})")
        raise typer.Exit(2) from exc
    if profile["notice_days"] == 0:
        out.print("[yellow]warning:[/] notice_days is 0 (O1): fine for a drill, but a real cycle "
                  "needs a notice period (公示期)")
    violations = rules.validate_plan(profile, org_type, full, funnels)
    if not violations:
        out.print(f"[green]plan valid[/] under {profile.name} ({org_type}, {full} full members)")
        return
    for v in violations:
        out.print(f"[red]{v.rule_id}[/] {v.field}={v.value}: {v.message}")
    raise typer.Exit(1)


@rules_app.command()
def strokes(names: Annotated[list[str], typer.Argument(help="names, e.g. 王五 張三 丁一")]) -> None:
    """Print each name's stroke key (M12: strokes per character and their order), then, as the
    last line, the names in ballot order separated by single spaces."""
    from rules.strokes import describe, stroke_sorted

    for name in names:
        typer.echo(f"{name}\t{describe(name)}")
    typer.echo(" ".join(stroke_sorted(names)))
