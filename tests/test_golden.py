"""Golden cases: tests/cases/human.json and tests/cases/automated.json with the bundled model.

Every case is classified with its own ``context`` (when it has one) at the bundled model's
default threshold.

* human.json: one test per case, each must come back "human". Cases the current model
  flags are listed in KNOWN_FALSE_POSITIVES and marked as strict expected failures, so a
  model that fixes one of them makes the run fail until the mark is removed.
* automated.json: the model is young, so the file as a whole has a recall floor
  (measured recall minus 5 points), and a hand-picked clear subset spanning the template
  families and languages must each be caught.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autodm import Detector

CASES_DIR = Path(__file__).resolve().parent / "cases"


def _cases(name: str) -> list[dict[str, Any]]:
    return json.loads((CASES_DIR / name).read_text(encoding="utf-8"))


HUMAN = _cases("human.json")
AUTOMATED = _cases("automated.json")

# Human cases the bundled model (threshold 0.9922, trained 2026-11-29 with the project's own
# DM-like human lines and a second, TF-IDF text model) labels "automated"; measured
# probability in the comment. None now: "subscribe to my little brother's channel" + tinyurl
# (human-request-03) scored 0.9915 at a threshold of 0.9903 before the TF-IDF model and the
# 0.1 % default. (At the 0.4 % default before
# 2026-11-27, seven more of the then 112: personal thank-yous for a follow, a fundraiser
# invitation, discount codes.)
# "Hey Sam! happy birthday 🎉" (human-greet-03, 0.997 before) left this list
# when the model learnt from greeted copies of human lines (docs/model.md, "Greetings by name"),
# and "Hey, thanks for the follow!" + a question about the Porto half (human-ctx-02, 0.995
# before) when a thank-you with only a question began to count for a person (0.883).
# "You're welcome!" (human-reply-01) scored 0.997 before the model learnt from the project's
# own replies to a thanks and welcomes back (0.976; docs/model.md, "Replies to a thanks"); the
# human-reply cases were written with that change, so they guard it rather than check it.
KNOWN_FALSE_POSITIVES: set[str] = set()

# Recall over automated.json measured with the current model: 93 of 96 = 0.9688 (92 with the
# model before names after family words and titles were masked, which missed auto-deal-ja-01
# at 0.9897; auto-obf-09, spaced-out letters, is caught since the text layer joins them).
# The floor is that minus 5 points. Missed: auto-followback-zh-01 (0.559), auto-deal-zh-01
# (0.923) and auto-validate-02 (0.9873; the same three before the DM-like human lines).
MEASURED_RECALL = 93 / 96
RECALL_FLOOR = MEASURED_RECALL - 0.05

# Clear auto-DMs (P >= 0.999 when measured) across families and languages; each must be caught.
CLEAR_AUTOMATED = [
    "auto-thanks-01", "auto-thanks-03", "auto-followback-01", "auto-followback-02",
    "auto-push-01", "auto-book-01", "auto-app-01", "auto-validate-01", "auto-validate-03",
    "auto-footer-01", "auto-deal-01", "auto-deal-03", "auto-phish-01", "auto-phish-02",
    "auto-obf-01", "auto-obf-02", "auto-obf-03", "auto-obf-07", "auto-ctx-01", "auto-ctx-04",
    "auto-thanks-es-01", "auto-phish-es-01", "auto-followback-pt-01", "auto-validate-pt-01",
    "auto-thanks-fr-01", "auto-book-fr-01", "auto-push-de-01", "auto-validate-de-01",
    "auto-thanks-it-01", "auto-app-it-01", "auto-push-tr-01", "auto-push-id-01",
    "auto-thanks-ar-01", "auto-book-zh-01", "auto-thanks-ja-01",
]  # fmt: skip


def _human_params() -> list[Any]:
    params = []
    for case in HUMAN:
        marks = []
        if case["id"] in KNOWN_FALSE_POSITIVES:
            marks.append(pytest.mark.xfail(strict=True, reason="known false positive, see issue 3"))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def _classify(detector: Detector, case: dict[str, Any]):
    return detector.classify(case["text"], case.get("context"))


def test_case_files_are_well_formed(
    automated_cases: list[dict[str, Any]], human_cases: list[dict[str, Any]]
) -> None:
    for cases in (automated_cases, human_cases):
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids)), "case ids must be unique"
        assert all(isinstance(c["text"], str) and isinstance(c["lang"], str) for c in cases)
    assert [c["id"] for c in human_cases] == [c["id"] for c in HUMAN]
    assert [c["id"] for c in automated_cases] == [c["id"] for c in AUTOMATED]
    human_ids = {c["id"] for c in human_cases}
    automated_ids = {c["id"] for c in automated_cases}
    assert human_ids >= KNOWN_FALSE_POSITIVES
    assert set(CLEAR_AUTOMATED) <= automated_ids
    assert len(CLEAR_AUTOMATED) >= 20


def test_clear_subset_spans_families_and_languages(
    automated_cases: list[dict[str, Any]],
) -> None:
    by_id = {c["id"]: c for c in automated_cases}
    languages = {by_id[i]["lang"] for i in CLEAR_AUTOMATED}
    families = {i.split("-")[1] for i in CLEAR_AUTOMATED}
    assert len(languages) >= 10
    assert len(families) >= 10


@pytest.mark.parametrize("case", _human_params())
def test_human_case_is_human(detector: Detector, case: dict[str, Any]) -> None:
    verdict = _classify(detector, case)
    assert verdict.label == "human", (
        f"{case['id']} flagged with P={verdict.probability:.4f}: {case['text']!r} "
        f"reasons={[r.code for r in verdict.reasons]}"
    )


def test_automated_recall_floor(detector: Detector, automated_cases: list[dict[str, Any]]) -> None:
    caught = [c["id"] for c in automated_cases if _classify(detector, c).is_automated]
    recall = len(caught) / len(automated_cases)
    missed = sorted({c["id"] for c in automated_cases} - set(caught))
    assert recall >= RECALL_FLOOR, (
        f"recall {recall:.4f} < floor {RECALL_FLOOR:.4f}; missed {missed}"
    )


@pytest.mark.parametrize("case_id", CLEAR_AUTOMATED)
def test_clear_automated_case_is_automated(
    detector: Detector, automated_cases: list[dict[str, Any]], case_id: str
) -> None:
    case = next(c for c in automated_cases if c["id"] == case_id)
    verdict = _classify(detector, case)
    assert verdict.label == "automated", (
        f"{case_id} missed with P={verdict.probability:.4f}: {case['text']!r}"
    )
    assert verdict.reasons
    assert verdict.reasons[0].weight > 0
