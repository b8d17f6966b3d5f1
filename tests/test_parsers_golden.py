"""Golden answers for every parser, asserted field by field (tests/golden/KIND.yaml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from worker.analysis.parsers import PARSERS, parse

GOLDEN = Path(__file__).resolve().parent / "golden"
REFERENCE = date(2026, 11, 18)  # a Wednesday


def _cases() -> list[Any]:
    cases = []
    for kind in PARSERS:
        path = GOLDEN / f"{kind}.yaml"
        if path.exists():
            for case in yaml.safe_load(path.read_text(encoding="utf-8")):
                cases.append(pytest.param(kind, case, id=f"{kind}:{case['id']}"))
    return cases


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return abs(actual - expected) < 0.051
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(_matches, actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(_matches(actual.get(k), v) for k, v in expected.items())
    return bool(actual == expected)


@pytest.mark.parametrize(("kind", "case"), _cases())
def test_golden(kind: str, case: dict[str, Any]) -> None:
    result = parse(kind, case["raw"], REFERENCE)
    produced = result.as_json()
    unknown = set(case["expect"]) - set(produced)
    assert not unknown, f"the case names fields the parser does not have: {unknown}"
    assert result.raw == case["raw"], "the raw text is kept exactly"
    for field, expected in case["expect"].items():
        assert _matches(produced.get(field), expected), (
            f"{field}: expected {expected!r}, got {produced.get(field)!r} ({result.problems})"
        )


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_each_kind_has_thirty_golden_answers(kind: str) -> None:
    cases = yaml.safe_load((GOLDEN / f"{kind}.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 30
    assert len({c["id"] for c in cases}) == len(cases), "ids are unique"
    statuses = {c["expect"]["status"] for c in cases}
    assert statuses >= {"ok", "failed"}
