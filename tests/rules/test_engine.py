"""durable_rules harness: many sessions, threads, catch-all, property tests of counting."""

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rules
from rules import engine


def test_3000_evaluations_in_a_loop(nanjing):
    # more than durable_rules' 1,024 live sessions per ruleset: each session is deleted
    for i in range(3000):
        assert rules.congress_quorum(nanjing, 81 + i % 5, 100).ok


def test_8_threads_concurrently(nanjing):
    errors: list[BaseException] = []
    results: list[bool] = []

    def work(k: int) -> None:
        try:
            for i in range(300):
                present = 70 + (i + k) % 30
                v = rules.congress_quorum(nanjing, present, 100)
                assert v.ok == (present * 5 > 400)
                out = rules.count_round(2, 10, {"a": 6 + k % 3, "b": 5, "c": 6}, ["a", "b", "c"])
                assert len(out.elected) + out.unfilled == 2 or out.tied
                results.append(v.ok)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 8 * 300


def test_catch_all_reports_undecided_fact():
    with pytest.raises(engine.RulesEngineError):
        engine.evaluate_one(engine.PREFIX + "meeting", {"q": "nonsense"})


def test_rulesets_registered_at_import():
    assert set(engine.RULESETS) <= set(engine._names)


names = st.sampled_from(["丁一", "王五", "李四", "张三", "赵六", "刘七", "陈八", "a", "b"])


@settings(max_examples=200, deadline=None)
@given(
    seats=st.integers(min_value=1, max_value=5),
    present=st.integers(min_value=1, max_value=60),
    data=st.data(),
)
def test_count_round_properties(seats, present, data):
    cands = data.draw(st.lists(names, min_size=1, max_size=9, unique=True))
    votes = {c: data.draw(st.integers(min_value=0, max_value=present)) for c in cands}
    out = rules.count_round(seats, present, votes, sorted(cands, key=rules.stroke_key))
    # never more elected than seats; elected + tie-round seats never exceed seats
    assert len(out.elected) <= seats
    assert len(out.elected) + out.unfilled == seats
    # everyone elected or tied passes M5
    assert all(votes[c] * 2 > present for c in out.elected + out.tied)
    # nobody outside elected ∪ tied has more votes than someone elected
    others = [c for c in cands if c not in out.elected and c not in out.tied]
    if out.elected:
        lowest = min(votes[c] for c in out.elected)
        assert all(votes[c] <= lowest for c in others)
    if out.tied:
        assert len(out.tied) > out.unfilled
        assert len({votes[c] for c in out.tied}) == 1
        assert all(votes[c] < votes[out.tied[0]] for c in others)
    assert out.rules[0] == "M5"
    # elected are listed by votes descending
    assert [votes[c] for c in out.elected] == sorted((votes[c] for c in out.elected), reverse=True)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=5),
    votes=st.dictionaries(names, st.integers(min_value=0, max_value=50), min_size=1),
)
def test_shortlist_properties(n, votes):
    p = rules.load_profile("nanjing")
    out = rules.shortlist(p, n, votes, None, [])
    assert len(out.shortlist) >= min(n, len(votes))
    kept_min = min(votes[c] for c in out.shortlist)
    assert all(votes[c] < kept_min for c in votes if c not in out.shortlist)
