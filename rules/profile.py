"""Rule profiles as data: YAML files that may ``extends:`` another and override ``params:``."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .model import ORG_TYPES, POSTS, PostFunnel, Profile, RuleViolation

PROFILE_DIR = Path(__file__).with_name("profiles")
STAGES: tuple[str, ...] = ("shortlist", "inspected", "candidates")
_TOP_KEYS = {"name", "extends", "description", "params"}


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _opt_int(v: Any) -> bool:
    return v is None or _int(v)


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _order(v: Any) -> bool:
    return v in ("direct", "plenary")


def _funnel(v: Any) -> bool:
    if not isinstance(v, dict):
        return False
    for post, stages in v.items():
        if post not in POSTS or not isinstance(stages, dict):
            return False
        for stage, per_seat in stages.items():
            if stage not in STAGES or not _num(per_seat):  # its range: RANGES
                return False
    return True


def _sizes(v: Any) -> bool:
    return isinstance(v, dict) and all(
        k in ORG_TYPES
        and isinstance(r, list)
        and len(r) == 2
        and all(_int(x) for x in r)
        and r[0] <= r[1]
        for k, r in v.items()
    )


def _posts(v: Any) -> bool:
    return _str_list(v) and all(p in POSTS for p in v)


def _channels(v: Any) -> bool:
    return _str_list(v) and all(p in ("organization", "self", "joint") for p in v)


#: every parameter a profile may set: name -> (check, rule IDs, zh / en description)
PARAMS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "local_practice": (
        _bool,
        (),
        "启用地方做法规则（L） / local-practice rows active",
    ),
    "channels": (_channels, ("NM1",), "提名渠道 / nomination channels offered"),
    "joint_min_cosigners": (_int, ("NM2",), "联名人数下限 / minimum distinct co-signers"),
    "joint_min_member_cosigners": (
        _int,
        ("NM2",),
        "联名人中正式党员下限 / minimum full members among co-signers",
    ),
    "nomination_days": (_int, ("NM3",), "报名期天数 / nomination window in days"),
    "notice_days": (_int, ("O1",), "公示天数 / notice period in days"),
    "max_additional_rounds": (_int, ("M7",), "另行选举最多轮数 / additional rounds allowed"),
    "trust_threshold": (_bool, ("M10",), "信任票须过半 / trust ballots must pass half"),
    "congress_order": (_order, ("P7",), "选举顺序 direct|plenary / congress order"),
    "contested_stages": (_bool, ("P3",), "全程差额 / every stage contested"),
    "funnel": (_funnel, ("P4",), "每名额各阶段人数 / per-seat stage figures"),
    "funnel_minimum_posts": (
        _posts,
        ("P4",),
        "按每名额下限校验的职务 / posts whose funnel is enforced",
    ),
    "min_party_years": (_num, ("E3",), "最低党龄（年） / minimum party standing in years"),
    "min_age": (_opt_int, ("E3",), "最低年龄 / minimum age"),
    "max_age": (_opt_int, ("E3",), "最高年龄 / maximum age"),
    "require_residence": (_bool, ("E3",), "须居住在本社区 / must reside in the community"),
    "committee_size": (_sizes, ("P1",), "委员会人数范围 / committee size by org type"),
    "branch_committee_min_members": (
        _int,
        ("P1",),
        "支部设委员会的党员数下限 / full members for a branch committee",
    ),
    "delegates_min_members": (
        _int,
        ("P5",),
        "召开代表大会的党员数下限 / members for a delegates' meeting",
    ),
    "delegates_min": (_int, ("P5",), "代表名额下限 / minimum delegates"),
    "delegates_max": (_int, ("P5",), "代表名额上限 / maximum delegates"),
    "term_years": (_int, ("P6",), "任期（年） / term in years"),
    "committee_quorum_num": (_int, ("M11",), "票决到会比例分子 / committee quorum numerator"),
    "committee_quorum_den": (_int, ("M11",), "票决到会比例分母 / committee quorum denominator"),
    "exclusion_reasons": (_str_list, ("E2",), "不计入应到会的事由 / exclusion reason codes"),
}

#: the range of every numeric parameter, inclusive (None: no upper bound). Negative values
#: never pass; 0 is allowed only where it means something (notice_days 0 for a drill, no
#: additional rounds, no minimum standing). For dict/list parameters the range applies to
#: each number inside (committee sizes, funnel figures per seat).
RANGES: dict[str, tuple[float, float | None]] = {
    "joint_min_cosigners": (1, 1000),
    "joint_min_member_cosigners": (0, 1000),
    "nomination_days": (1, 60),
    "notice_days": (0, 60),
    "max_additional_rounds": (0, 10),
    "funnel": (1, 10),
    "min_party_years": (0, 80),
    "min_age": (18, 100),
    "max_age": (18, 100),
    "committee_size": (1, 50),
    "branch_committee_min_members": (1, 1000),
    "delegates_min_members": (1, 100000),
    "delegates_min": (1, 10000),
    "delegates_max": (1, 10000),
    "term_years": (1, 10),
    "committee_quorum_num": (1, 100),
    "committee_quorum_den": (1, 100),
}


def param_range(name: str) -> str:
    """The documented range of ``name`` as ``gongtui rules explain`` shows it."""
    if name not in RANGES:
        return ""
    lo, hi = RANGES[name]
    text = f"{lo:g}–{hi:g}" if hi is not None else f"≥ {lo:g}"
    return text + (" (or null)" if name in ("min_age", "max_age") else "")


def _numbers(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every number in a parameter's value, with its dotted path (``funnel.member.shortlist``)."""
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _numbers(v, f"{path}[{i}]")]
    return [(path, value)] if _num(value) else []


#: parameters whose dict values merge key by key when a profile overrides them
_MERGED = {"funnel", "committee_size"}


def _err(field: str, value: Any, zh: str, en: str) -> RuleViolation:
    return RuleViolation("PROFILE", field, value, f"{zh} / {en}")


def list_profiles() -> list[str]:
    """Names of the built-in profiles."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def _resolve(name_or_path: str, base: Path | None) -> Path:
    s = str(name_or_path)
    looks_like_path = "/" in s or "\\" in s or s.endswith((".yaml", ".yml"))
    if looks_like_path:
        p = Path(s).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        if p.is_file():
            return p
        raise _err("profile", s, "规则配置文件不存在", "profile file not found")
    builtin = PROFILE_DIR / f"{s}.yaml"
    if builtin.is_file():
        return builtin
    if base is not None and (base / f"{s}.yaml").is_file():
        return base / f"{s}.yaml"
    raise _err("profile", s, "未知的规则配置", f"unknown profile (known: {', '.join(list_profiles())})")


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise _err("profile", str(path), "规则配置不是有效的YAML", f"invalid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise _err("profile", str(path), "规则配置应为映射", "a profile is a mapping")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _err(key, doc[key], "规则配置含未知键", f"unknown key in {path.name}")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise _err("params", params, "params 应为映射", "params must be a mapping")
    return doc


def _expand_dotted(overrides: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise _err(key, value, "参数路径冲突", "conflicting parameter path")
        node[parts[-1]] = value
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if key not in PARAMS:
            raise _err(
                f"params.{key}", value, "未知参数", f"unknown parameter in {where}"
            )
        if key in _MERGED and isinstance(value, dict) and isinstance(merged.get(key), dict):
            inner = copy.deepcopy(merged[key])
            for k, v in value.items():
                if isinstance(v, dict) and isinstance(inner.get(k), dict):
                    inner[k] = {**inner[k], **v}
                else:
                    inner[k] = v
            merged[key] = inner
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _load(path: Path, seen: tuple[Path, ...]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    real = path.resolve()
    if real in seen:
        raise _err("extends", str(path), "规则配置循环继承", "profiles extend each other in a cycle")
    doc = _read(path)
    name = str(doc.get("name") or path.stem)
    parent = doc.get("extends")
    if parent:
        _, base, chain = _load(_resolve(str(parent), path.parent), (*seen, real))
    else:
        base, chain = {}, ()
    params = _merge(base, doc.get("params") or {}, path.name)
    return name, params, (name, *chain)


def _validate(params: dict[str, Any]) -> None:
    missing = sorted(set(PARAMS) - set(params))
    if missing:
        raise _err(f"params.{missing[0]}", None, "缺少参数", "parameter missing")
    for key, value in params.items():
        check = PARAMS[key][0]
        if not check(value):
            raise _err(f"params.{key}", value, "参数取值无效", "invalid parameter value")
    for key, (low, high) in RANGES.items():
        for path, number in _numbers(params[key], key):
            if number < low or (high is not None and number > high) or number != number:
                raise _err(f"params.{path}", number, "参数超出范围",
                           f"out of range: {key} is {param_range(key)}")
    if params["joint_min_member_cosigners"] > params["joint_min_cosigners"]:
        raise _err("params.joint_min_member_cosigners", params["joint_min_member_cosigners"],
                   "党员联名人数不能多于联名人数", "more full members than co-signers")
    if params["delegates_min"] > params["delegates_max"]:
        raise _err("params.delegates_min", params["delegates_min"], "代表名额下限大于上限",
                   "delegates_min above delegates_max")
    if params["committee_quorum_num"] > params["committee_quorum_den"]:
        raise _err("params.committee_quorum_num", params["committee_quorum_num"],
                   "到会比例不能大于1", "a quorum ratio above one")
    lo, hi = params["min_age"], params["max_age"]
    if lo is not None and hi is not None and lo > hi:
        raise _err("params.min_age", lo, "最低年龄大于最高年龄", "min_age above max_age")
    if params["committee_quorum_den"] <= 0 or params["committee_quorum_num"] <= 0:
        raise _err(
            "params.committee_quorum_den",
            params["committee_quorum_den"],
            "到会比例须为正",
            "quorum ratio must be positive",
        )
    for post in POSTS:
        stages = params["funnel"].get(post, {})
        if set(stages) != set(STAGES):
            raise _err(f"params.funnel.{post}", stages, "漏斗参数不完整", "funnel needs every stage")


def load_profile(name_or_path: str, overrides: Mapping[str, Any] | None = None) -> Profile:
    """Load a built-in profile by name, or any profile file by path; apply ``overrides``.

    ``overrides`` keys are parameter names, or dotted paths into dict parameters
    (``"funnel.secretary.shortlist": 5``). Unknown names raise ``RuleViolation("PROFILE", …)``.
    """
    path = _resolve(str(name_or_path), None)
    name, params, chain = _load(path, ())
    if overrides:
        params = _merge(params, _expand_dotted(overrides), "overrides")
    _validate(params)
    frozen = MappingProxyType(copy.deepcopy(params))
    return Profile(name=name, params=frozen, chain=chain, source=str(path))


def per_seat_minimum(per_seat: float | int | str, seats: int) -> int:
    """ceil(per_seat × seats) computed exactly (1.2 × 5 = 6, not 6.000000000000001)."""
    return math.ceil(Fraction(str(per_seat)) * seats)


def default_funnel(profile: Profile, post: str, seats: int) -> PostFunnel:
    """The smallest funnel the profile accepts for ``seats`` seats of ``post``."""
    if post not in POSTS:
        raise RuleViolation("P1", "post", post, f"未知职务 / unknown post (one of {', '.join(POSTS)})")
    if seats < 1:
        raise RuleViolation("P1", f"posts.{post}.seats", seats, "应选名额至少为1 / at least one seat")
    shape = profile["funnel"][post]
    strict = 1 if profile["contested_stages"] else 0
    candidates = per_seat_minimum(shape["candidates"], seats)
    if post == "member":  # P2 always applies to committee members
        candidates = max(candidates, per_seat_minimum("1.2", seats), seats + 1)
    candidates = max(candidates, seats + strict)
    inspected = max(per_seat_minimum(shape["inspected"], seats), candidates + strict)
    shortlist = max(per_seat_minimum(shape["shortlist"], seats), inspected + strict)
    return PostFunnel(seats=seats, shortlist=shortlist, inspected=inspected, candidates=candidates)
