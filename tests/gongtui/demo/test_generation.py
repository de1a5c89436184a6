"""The demo's generated districts: the same seed gives the same district, every scenario
passes the scenario format, and the calibrated district holds the seed's figures."""

from __future__ import annotations

import random

import pytest
import yaml

from gongtui.demo.calibrate import SEED, nanjing_2009, targets
from gongtui.demo.generation import generate_district
from gongtui.demo.names import community_name, person_names
from gongtui.simulate.scenario import parse_text


def test_a_seed_gives_the_same_district() -> None:
    assert generate_district(5, 11) == generate_district(5, 11)
    assert generate_district(5, 11) != generate_district(5, 12)


@pytest.mark.parametrize("calibrate", [None, "nanjing-2009"])
def test_every_generated_scenario_is_a_valid_scenario(calibrate: str | None) -> None:
    for scenario in generate_district(20, 3, calibrate):
        assert parse_text(yaml.safe_dump(scenario, allow_unicode=True)) == scenario


def test_an_unknown_calibration_is_refused_naming_the_option() -> None:
    with pytest.raises(ValueError, match="--calibrate"):
        generate_district(3, 1, "beijing-2010")


def test_names_are_distinct_within_a_community_and_places_numbered_on_reuse() -> None:
    taken: set[str] = set()
    names = person_names(random.Random(1), 40, taken, two_given=0.5)
    assert len(set(names)) == 40 and taken == set(names)
    assert community_name(0) == "梅园新村社区"
    assert community_name(18) == "梅园新村2社区"


def test_the_calibrated_district_registers_the_seeds_figures() -> None:
    scenarios = nanjing_2009(36, 2009)
    want = targets(36)
    nominations = [n for s in scenarios for n in s["nominations"]]
    assert len(nominations) == want["registrants"]
    channels = [n["channel"] for n in nominations]
    assert abs(channels.count("self") - want["self"]) <= 1
    assert abs(channels.count("joint") - want["joint"]) <= 1
    cosigners = sum(sum(n["cosigners"].values()) for n in nominations if "cosigners" in n)
    assert cosigners == want["cosigners"]
    rejected = sum(len(s.get("review", {})) for s in scenarios)
    assert len(nominations) - rejected == want["passed"]
    rates = [s["congress"][0]["present"] / (s["roster"]["generate"]["full"]
                                             - s["roster"]["excluded_from_expected"])
             for s in scenarios]
    assert max(rates) == pytest.approx(SEED["congress_attendance_max"], abs=0.005)
    assert sum(rates) / len(rates) == pytest.approx(SEED["congress_attendance_mean"], abs=0.01)
