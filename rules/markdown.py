"""The rule table as a Markdown document (``gongtui rules explain --markdown``, docs/rules.md).

The document is generated, never edited: the rows come from ``rules.table``, the parameter
values from the profiles themselves, so the checked-in docs/rules.md can be compared with
this output by a test and cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .model import Profile, RuleRow
from .profile import PARAMS, PROFILE_DIR, list_profiles, load_profile
from .table import rule_table

#: the groups of the table, by ID prefix
_GROUPS: tuple[tuple[str, str], ...] = (
    ("E", "Eligibility (E) · 资格"),
    ("NM", "Nomination (NM) · 提名"),
    ("P", "Plan (P) · 选举工作方案"),
    ("M", "Meetings and counting (M) · 会议与计票"),
    ("A", "Approval (A) · 批准与备案"),
    ("O", "Notices and objections (O) · 公示与异议"),
)

_HEAD = """\
# The rule table

<!-- Generated: `gongtui rules explain --markdown > docs/rules.md`. Do not edit by hand:
change rules/table.py or rules/profiles/ and regenerate (a test compares the two). -->

Every constraint that `rules/` enforces has an ID. Decisions, refusals (the `rule` of an API
error, the `gongtui-rule` trailer of a gRPC status), audit records, scenario outputs and
tests name the rule by that ID.

**Kind**: **N** a national rule (中国共产党基层组织选举工作条例 2020, its 1990 暂行条例, 党章,
支部工作条例); **L** local practice (the Nanjing 公推直选 document and other local rules);
**I** our own reading where no text settles it, kept a profile parameter so that a district
can change it.

The columns on the right give each built-in profile's parameter values as a profile file
writes them; **off** marks a row that profile does not apply.

## Profiles

A profile is data (`rules/profiles/*.yaml`): `national` holds the national rows, `nanjing`
extends it with local practice, `nanjing-xuanwu` adds the trust threshold (M10). A district
defines its own profile in a file that extends one of them; an unknown parameter is an error
(rule `PROFILE`):

```yaml
# xuanwu-2026.yaml — use it with `profile: ./xuanwu-2026.yaml` in a scenario,
# or `gongtui rules explain ./xuanwu-2026.yaml`
name: xuanwu-2026
extends: nanjing-xuanwu          # a built-in name, or a path relative to this file
description: 玄武区2026年换届
params:
  notice_days: 7                 # O1
  joint_min_cosigners: 12        # NM2
  max_additional_rounds: 1       # M7
  funnel:                        # P4: nested parameters merge with the base profile's
    secretary: {shortlist: 5}
```

`gongtui rules explain PROFILE` prints the table of one profile; with `--markdown`, this
document with a column of its own for a profile file. A scenario's `overrides:` takes the
same parameter names, and dotted keys (`funnel.secretary.shortlist`) reach nested ones.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _params_cell(row: RuleRow) -> str:
    values = "<br>".join(f"`{_cell(f'{k} = {_value(v)}')}`" for k, v in row.params.items())
    if row.active:
        return values or "on"
    return "off" + (f"<br>{values}" if values else "")


def builtin_profiles() -> list[Profile]:
    """The built-in profiles, each after the ones it extends."""
    return sorted((load_profile(n) for n in list_profiles()), key=lambda p: (len(p.chain), p.name))


def explained_profiles(profile: Profile | None = None) -> list[Profile]:
    """The built-in profiles and, when ``profile`` is not one of them, ``profile`` last."""
    profiles = builtin_profiles()
    if profile is not None and not any(p.source == profile.source and p.params == profile.params
                                       for p in profiles):
        profiles.append(profile)
    return profiles


def rule_table_markdown(profiles: Sequence[Profile]) -> str:
    """The rule table, grouped as the rule IDs are, with one column of values per profile."""
    if not profiles:
        raise ValueError("rule_table_markdown needs at least one profile")
    tables = [rule_table(p) for p in profiles]
    names = [p.name if Path(p.source or "").parent == PROFILE_DIR else f"{p.name} (file)"
             for p in profiles]
    header = "| ID | rule | kind | source | " + " | ".join(names) + " |\n"
    rule_line = "|---|---|---|---|" + "---|" * len(profiles) + "\n"
    grouped = {r.id for r in tables[0] if r.id.rstrip("0123456789") in dict(_GROUPS)}
    if len(grouped) != len(tables[0]):
        raise ValueError("a rule ID outside the groups of the table: add its prefix to _GROUPS")
    out = [_HEAD]
    for prefix, title in _GROUPS:
        rows = [i for i, r in enumerate(tables[0])
                if r.id.rstrip("0123456789") == prefix]
        if not rows:
            continue
        out.append(f"\n## {title}\n\n{header}{rule_line}")
        for i in rows:
            first = tables[0][i]
            cells = [first.id, _cell(first.text), first.kind, _cell(first.source),
                     *(_params_cell(t[i]) for t in tables)]
            out.append("| " + " | ".join(cells) + " |\n")
    out.append("\n## Parameters\n\nEvery parameter a profile (or a scenario's `overrides:`) may"
               " set, and the rules it belongs to.\n\n| parameter | rules | meaning |\n"
               "|---|---|---|\n")
    for name, (_check, rule_ids, meaning) in PARAMS.items():
        ids = ", ".join(rule_ids) if rule_ids else "the L rows"
        out.append(f"| `{name}` | {ids} | {_cell(meaning)} |\n")
    return "".join(out)
