"""The second text model (autodm._tfidf): its counts against a slow reference, its scoring
against the training path, and bundles that hold it."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import reference_hash
from hypothesis import given, settings
from hypothesis import strategies as st

import autodm
from autodm import _tfidf as tfidf
from autodm._bundle import Bundle, bundle_from_parts, load_bundle
from autodm._model import Scorer
from autodm._ngrams import MAX_BATCH_CHARS
from autodm._text import view
from autodm.errors import BundleError, InvalidInputError, ThinDataWarning

BUCKETS = 1 << 12


def reference_counts(text: str, buckets: int = BUCKETS) -> Counter[int]:
    """Every character n-gram of every space-padded word, hashed one at a time in Python
    integers, counted."""
    counts: Counter[int] = Counter()
    for word in text.casefold().split():
        padded = f" {word} "
        for n in tfidf.SIZES:
            for i in range(len(padded) - n + 1):
                counts[reference_hash(padded[i : i + n], n, buckets)] += 1
    return counts


def as_counters(texts: list[str], buckets: int = BUCKETS) -> list[Counter[int]]:
    rows, ids, counts = tfidf.count_entries(texts, buckets)
    out: list[Counter[int]] = [Counter() for _ in texts]
    for r, i, c in zip(rows.tolist(), ids.tolist(), counts.tolist(), strict=True):
        assert out[r][i] == 0, "a (row, bucket) pair appears twice"
        out[r][i] = int(c)
    return out


def test_words_are_padded_and_counted() -> None:
    # " hi " gives 6 n-grams of 2 to 5 characters; twice, 12, in 6 buckets (or fewer).
    [hi] = as_counters(["Hi  HI"])
    assert sum(hi.values()) == 12
    assert hi == reference_counts("hi hi")
    # A one-letter word gives " a", "a " and " a ": nothing of 4 or 5 characters.
    assert sum(as_counters(["a"])[0].values()) == 3
    assert as_counters(["", "   \n\t "]) == [Counter(), Counter()]


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["Thanks for the follow! 🙏 bit.ly/x", "フォローありがとう", "İstanbul ß ǅ"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(text, max_size=6))
def test_counts_equal_the_reference_whatever_the_batch(texts: list[str]) -> None:
    found = as_counters(texts)
    assert found == [reference_counts(t) for t in texts]


def test_batches_split_at_the_character_bound_count_the_same() -> None:
    long = ["word " * 400 + f"tail{i}" for i in range(2 * MAX_BATCH_CHARS // 2000 + 3)]
    together = as_counters(long)
    assert together == [as_counters([t])[0] for t in long]


def _fit_on(texts: list[str], labels: list[int], buckets: int = BUCKETS) -> tfidf.TfidfFit:
    counts = tfidf.count_matrix(texts, buckets)
    y = np.array(labels, dtype=np.int8)
    return tfidf.fit(counts, y, np.ones(len(y)))


AUTO = [f"Thanks for the follow! Grab my free guide at example.com/{i}" for i in range(12)]
HUMAN = [f"are we still meeting at {i} for the report? bring the charger" for i in range(12)]


def test_scoring_equals_the_training_path_and_ranks() -> None:
    model = _fit_on(AUTO + HUMAN, [1] * 12 + [0] * 12)
    texts = ["thanks for the follow, grab my guide", "still meeting for the report?", ""]
    scored = tfidf.decision(texts, model)
    trained = tfidf.matrix_decision(tfidf.count_matrix(texts, BUCKETS), model)
    np.testing.assert_allclose(scored, trained, rtol=1e-12, atol=1e-12)
    assert scored[0] > 0 > scored[1]
    assert scored[2] == pytest.approx(model.intercept)  # no n-grams: the intercept alone


def test_rare_buckets_play_no_part() -> None:
    # A bucket only one training message holds gets idf 0: a message made of it alone
    # scores the intercept, with no division by a zero norm.
    model = _fit_on(AUTO + HUMAN + ["zqxjv"], [1] * 12 + [0] * 13, tfidf.BUCKETS)
    only_rare = tfidf.count_matrix(["zqxjv"])  # no collisions in 2**20 buckets
    assert all(model.idf[i] == 0 for i in only_rare.indices)
    assert tfidf.decision(["zqxjv"], model)[0] == pytest.approx(model.intercept)


def _training_set() -> tuple[list[str], list[str]]:
    auto = [f"Thanks for following! Check out my page https://bit.ly/p{i}" for i in range(25)]
    auto += [f"Follow back or I unfollow you in {i} days, I always follow back" for i in range(25)]
    human = [
        f"hey, are we still on for lunch on the {i}th? I can bring the notes" for i in range(25)
    ]
    human += [f"thanks for the help with the move {i}, the couch fits!" for i in range(25)]
    return auto + human, ["automated"] * 50 + ["human"] * 50


@pytest.fixture(scope="module")
def pair() -> tuple[Bundle, Bundle]:
    """The same data trained without and with a TF-IDF model at weight 0.4."""
    messages, labels = _training_set()
    with pytest.warns(ThinDataWarning):
        plain = autodm.train(messages, labels, cv=3, buckets=4096)
    with pytest.warns(ThinDataWarning):
        both = autodm.train(messages, labels, cv=3, buckets=4096, tfidf_weight=0.4)
    return plain, both


def test_train_writes_the_tfidf_model(pair: tuple[Bundle, Bundle]) -> None:
    plain, both = pair
    assert plain.tfidf_idf is None
    assert "tfidf" not in plain.manifest
    assert plain.manifest["format_version"] <= 2
    assert both.manifest["format_version"] == 3
    spec = both.manifest["tfidf"]
    assert (spec["weight"], spec["sizes"], spec["buckets"]) == (0.4, [2, 3, 4, 5], tfidf.BUCKETS)
    assert both.tfidf_idf is not None
    assert both.tfidf_coef is not None
    assert both.tfidf_idf.shape == both.tfidf_coef.shape == (tfidf.BUCKETS,)
    assert both.manifest["training"]["tfidf_weight"] == 0.4


def test_scoring_averages_the_two_models_log_odds(pair: tuple[Bundle, Bundle]) -> None:
    _, both = pair
    assert both.tfidf_idf is not None
    assert both.tfidf_coef is not None
    # The bundle's first model alone: its text log-odds, uncalibrated.
    manifest = {k: v for k, v in both.manifest.items() if k != "tfidf"}
    first = dataclasses.replace(both, manifest=manifest, tfidf_idf=None, tfidf_coef=None)
    slope, offset = both.calibration
    second = tfidf.TfidfFit(both.tfidf_idf, both.tfidf_coef, both.tfidf_intercept)
    texts = ["Thanks for following! my page bit.ly/z", "lunch on the 3rd?", "ok", ""]
    p_first = [v.probability for v in autodm.Detector(first).classify_many(texts)]
    p_both = [v.probability for v in autodm.Detector(both).classify_many(texts)]
    for message, a, b in zip(texts, p_first, p_both, strict=True):
        text_a = (math.log(a / (1 - a)) - offset) / slope
        [text_b] = tfidf.decision([tfidf.reading(view(message))], second)
        expected = slope * (0.6 * text_a + 0.4 * text_b) + offset
        assert math.log(b / (1 - b)) == pytest.approx(expected, abs=1e-6)


def test_the_reason_names_the_second_model(pair: tuple[Bundle, Bundle]) -> None:
    _, both = pair
    verdict = autodm.Detector(both).classify("Thanks for following! Check out my page bit.ly/q")
    [reason] = [r for r in verdict.reasons if r.code == "characters"]
    assert reason.weight > 0
    assert "typical of auto-DMs" in reason.message
    one = autodm.Detector(both).classify("hey, are we still on for lunch? I can bring the notes")
    [reason] = [r for r in one.reasons if r.code == "characters"]
    assert reason.weight < 0
    assert "typical of messages people write" in reason.message


def test_round_trip_keeps_the_scores(pair: tuple[Bundle, Bundle], tmp_path: Path) -> None:
    _, both = pair
    texts = ["Follow back or I unfollow you", "thanks for the help with the move"]
    before = [v.probability for v in autodm.Detector(both).classify_many(texts)]
    for target in (tmp_path / "folder", tmp_path / "bundle.zip"):
        loaded = load_bundle(both.save(target))
        assert loaded.tfidf_intercept == both.tfidf_intercept
        after = [v.probability for v in autodm.Detector(loaded).classify_many(texts)]
        assert after == pytest.approx(before, abs=1e-12)


def test_float32_weights_stay_float32_and_score_as_float64(
    pair: tuple[Bundle, Bundle], tmp_path: Path
) -> None:
    """The 2**20 per-bucket arrays are kept as stored (float32, half the memory), and every
    value scoring reads is widened to float64: the scores are those of float64 copies, to
    the last bit. (A Python float times a float32 array stays float32.)"""
    _, both = pair
    for bundle in (both, load_bundle(both.save(tmp_path / "b"))):
        assert bundle.tfidf_idf is not None
        assert bundle.tfidf_coef is not None
        assert bundle.tfidf_idf.dtype == bundle.tfidf_coef.dtype == np.float32
        assert not bundle.tfidf_coef.flags.writeable
        wide = dataclasses.replace(
            bundle,
            tfidf_idf=bundle.tfidf_idf.astype(np.float64),
            tfidf_coef=bundle.tfidf_coef.astype(np.float64),
        )
        texts = ["Thanks for following! my page bit.ly/z", "lunch on the 3rd?", "Hi Sam 👋", ""]
        narrow = autodm.Detector(bundle)
        narrow_p = [v.probability for v in narrow.classify_many(texts)]
        wide_p = [v.probability for v in autodm.Detector(wide).classify_many(texts)]
        assert narrow_p == wide_p
        # and scoring holds no copy of them (4 MB as stored, 8 MB as float64)
        assert np.shares_memory(narrow._scorer._tfidf.coef, bundle.tfidf_coef)


def test_a_bundle_built_in_code_with_lists_scores_as_with_arrays(
    pair: tuple[Bundle, Bundle],
) -> None:
    _, both = pair
    assert both.tfidf_idf is not None
    assert both.tfidf_coef is not None
    listed = dataclasses.replace(
        both, tfidf_idf=both.tfidf_idf.tolist(), tfidf_coef=both.tfidf_coef.tolist()
    )
    texts = ["Thanks for following! my page bit.ly/z", "lunch on the 3rd?"]
    expected = [v.probability for v in autodm.Detector(both).classify_many(texts)]
    assert [v.probability for v in autodm.Detector(listed).classify_many(texts)] == expected


def _parts(bundle: Bundle) -> tuple[dict, dict]:
    return dict(bundle.manifest), bundle._stored_arrays()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m, a: a.pop("tfidf_coef"), "holds \\['tfidf_idf', 'tfidf_intercept'\\]"),
        (lambda m, a: m.pop("tfidf"), "`tfidf` is absent"),
        (lambda m, a: m.update(format_version=2), "needs format_version 3"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "weight": 0}), "`tfidf` must be"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "weight": True}), "`tfidf` must be"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "weight": 1.5}), "`tfidf` must be"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "sizes": []}), "`tfidf` must be"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "buckets": 1000}), "`tfidf` must be"),
        (lambda m, a: m.update(tfidf={**m["tfidf"], "buckets": 1 << 19}), "`tfidf.buckets`"),
        (lambda m, a: m.update(tfidf="yes"), "`tfidf` must be"),
        (lambda m, a: a.update(tfidf_idf=-a["tfidf_idf"] - 1), "0 or positive"),
        (lambda m, a: a.update(tfidf_coef=np.full(1 << 20, np.nan)), "NaN or infinite"),
        (lambda m, a: a.update(tfidf_coef=np.full(1 << 20, 1e9)), "slope \\* tfidf_coef"),
        (lambda m, a: a.update(tfidf_intercept=np.zeros(2)), "'tfidf_intercept'"),
    ],
)
def test_loading_refuses_a_broken_tfidf_model(pair: tuple[Bundle, Bundle], change, message) -> None:
    _, both = pair
    manifest, arrays = _parts(both)
    change(manifest, arrays)
    with pytest.raises(BundleError, match=message):
        bundle_from_parts(manifest, arrays)


def test_a_bundle_built_in_code_with_half_a_tfidf_model_is_refused(
    pair: tuple[Bundle, Bundle],
) -> None:
    _, both = pair
    for half in (
        dataclasses.replace(both, tfidf_coef=None),
        dataclasses.replace(
            both, manifest={k: v for k, v in both.manifest.items() if k != "tfidf"}
        ),
    ):
        with pytest.raises(BundleError, match="exactly when"):
            Scorer(half)


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan"), "0.3", None])
def test_train_refuses_a_bad_tfidf_weight(weight: object) -> None:
    messages, labels = _training_set()
    with pytest.raises(InvalidInputError, match="`tfidf_weight` must be a float in \\[0, 1\\]"):
        autodm.train(messages, labels, cv=3, tfidf_weight=weight)  # type: ignore[arg-type]


def test_the_bundled_model_reads_with_both_models() -> None:
    bundle = load_bundle()
    assert bundle.manifest["format_version"] == 3
    assert 0 < bundle.manifest["tfidf"]["weight"] < 1
    verdict = autodm.Detector(bundle).classify("Thanks for the follow! Like my page bit.ly/xyz")
    assert "characters" in {r.code for r in verdict.reasons}


def test_leetspeak_reads_as_the_words_it_hides() -> None:
    """Regression: the model read the masked text as it was, so "f0ll0w" shared few n-grams
    with "follow" and leetspeak rewrites of auto-DMs lost recall (benchmarks/evasion.py)."""
    model = _fit_on(AUTO + HUMAN, [1] * 12 + [0] * 12)
    clean, leet = (
        view("Thanks for the follow! Grab my free guide"),
        view("Th4nks f0r the f0ll0w! Gr@b my fr33 gu1de"),
    )
    assert tfidf.reading(leet) == tfidf.reading(clean)
    assert tfidf.decision([tfidf.reading(leet)], model) == pytest.approx(
        tfidf.decision([tfidf.reading(clean)], model)
    )
    # Numbers, prices and words of letters alone are left as the masked text has them.
    plain = view("see you at 6, it costs $5")
    assert tfidf.reading(plain) == plain.masked


@settings(max_examples=100, deadline=None)
@given(text)
def test_the_reading_is_a_function_of_the_masked_text(message: str) -> None:
    """Verdicts are kept by view (autodm._sharing): two messages with one masked text must
    read the same. A view with the same masked text and tokens reads the same."""
    one = view(message)
    again = view(one.masked)
    if again.masked == one.masked and again.leet_tokens == one.leet_tokens:
        assert tfidf.reading(again) == tfidf.reading(one)
