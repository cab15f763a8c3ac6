"""autodm.AutoDMFeatures: the extractor signals as a scikit-learn transformer."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import autodm
from autodm import AutoDMFeatures, Context, Detector, InvalidInputError

PAIRS: list[tuple[str, Any]] = [
    ("Thanks for following!", {"followed_at": 0, "sent_at": 4}),
    ("Hi Sam, thanks for the follow", Context(sender_history=["Hi Ann, thanks for the follow"])),
    ("see you at 6", None),
]


@pytest.fixture(scope="module")
def corpus(
    automated_cases: list[dict[str, Any]], human_cases: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """The golden messages (text only) and their labels."""
    texts = [c["text"] for c in automated_cases] + [c["text"] for c in human_cases]
    labels = ["automated"] * len(automated_cases) + ["human"] * len(human_cases)
    return texts, labels


def _expected(detector: Detector, message: str, context: Any, fill: float) -> list[float]:
    signals = detector.features(message, context)
    return [fill if signals[n].value is None else signals[n].value for n in detector.feature_names]


def _same(actual: np.ndarray, expected: list[list[float]]) -> bool:
    return bool(np.array_equal(actual, np.asarray(expected, dtype=np.float64), equal_nan=True))


def _model(**features: Any) -> Pipeline:
    """Features, scaling and a logistic regression: a model that takes raw messages."""
    return make_pipeline(
        AutoDMFeatures(**{"missing": 0.0, **features}), StandardScaler(), LogisticRegression()
    )


def test_fit_returns_self_and_transform_matches_detector_features(detector: Detector) -> None:
    messages = ["Thx 4 the follow! bit.ly/x1Ab", "see you at 6", ""]
    transformer = AutoDMFeatures()
    assert transformer.fit(messages) is transformer
    assert transformer.fit(messages, ["automated", "human", "human"]) is transformer
    X = transformer.transform(messages)
    assert isinstance(X, np.ndarray)
    assert X.dtype == np.float64
    assert X.shape == (3, len(detector.feature_names))
    assert _same(X, [_expected(detector, m, None, math.nan) for m in messages])
    assert _same(AutoDMFeatures().fit_transform(messages), X.tolist())
    # Without context the timing and history signals do not apply: NaN by default.
    column = list(detector.feature_names).index("seconds_after_follow")
    assert np.isnan(X[:, column]).all()


def test_missing_fills_signals_that_do_not_apply(detector: Detector) -> None:
    messages = ["see you at 6", "Thanks for following!"]
    X = AutoDMFeatures(missing=-1.0).transform(messages)
    assert not np.isnan(X).any()
    assert _same(X, [_expected(detector, m, None, -1.0) for m in messages])
    assert (X == -1.0).any()


def test_missing_zero_equals_nan_filled_with_zero() -> None:
    messages = ["see you at 6", "Thanks for following!"]
    with_nan = AutoDMFeatures().transform(messages)
    assert np.array_equal(AutoDMFeatures(missing=0).transform(messages), np.nan_to_num(with_nan))


@pytest.mark.parametrize("missing", [True, "0", None, math.inf, [0.0]])
def test_bad_missing_is_refused(missing: object) -> None:
    with pytest.raises(InvalidInputError, match="missing"):
        AutoDMFeatures(missing=missing).fit(["hi"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="missing"):
        AutoDMFeatures(missing=missing).transform(["hi"])  # type: ignore[arg-type]


def test_pairs_with_contexts(detector: Detector) -> None:
    X = AutoDMFeatures().fit_transform(PAIRS)
    assert _same(X, [_expected(detector, m, c, math.nan) for m, c in PAIRS])
    names = list(detector.feature_names)
    assert X[0, names.index("seconds_after_follow")] == 4.0
    assert X[1, names.index("history_similarity")] > 0.5
    # Messages and pairs may be mixed, lists count as pairs, and arrays are read by row.
    mixed: list[Any] = ["see you at 6", ["Thanks for following!", {"followed_at": 0, "sent_at": 4}]]
    assert _same(AutoDMFeatures().transform(mixed), X[[2, 0]].tolist())
    array = np.empty((len(PAIRS), 2), dtype=object)
    array[:] = PAIRS
    assert _same(AutoDMFeatures().transform(array), X.tolist())
    assert _same(AutoDMFeatures().transform(np.array(["see you at 6"])), X[[2]].tolist())
    assert _same(AutoDMFeatures().transform(np.array([["see you at 6"]])), X[[2]].tolist())


def test_an_empty_context_cell_is_no_context() -> None:
    """A context column with gaps (NaN from a join, NaT, pd.NA) reads as no context."""
    pd = pytest.importorskip("pandas")
    none = AutoDMFeatures().transform([("see you at 6", None)])
    for empty in (math.nan, np.float32("nan"), np.datetime64("NaT"), pd.NaT, pd.NA):
        frame = pd.DataFrame({"text": ["see you at 6"], "context": [empty]})
        assert _same(AutoDMFeatures().transform(frame), none.tolist())
        assert _same(AutoDMFeatures().transform([("see you at 6", empty)]), none.tolist())
    with pytest.raises(InvalidInputError, match="a mapping or None"):
        AutoDMFeatures().transform([("see you at 6", 0.0)])


def test_empty_input_gives_no_rows(detector: Detector) -> None:
    assert AutoDMFeatures().fit_transform([]).shape == (0, len(detector.feature_names))


@pytest.mark.parametrize(
    "X",
    [
        "see you at 6",
        b"see you at 6",
        42,
        [42],
        [b"hi"],
        [("hi", "followed_at=0")],
        [("hi", None, None)],
        [(None, None)],
        np.zeros((2, 3), dtype=object),
    ],
    ids=["str", "bytes", "int", "int-item", "bytes-item", "str-ctx", "triple", "no-text", "3-col"],
)
def test_bad_input_is_refused(X: object) -> None:
    with pytest.raises(InvalidInputError):
        AutoDMFeatures().fit_transform(X)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ({"m1": "see you at 6", "m2": "Thx 4 the follow! bit.ly/x1Ab"}, "read by its keys"),
        ({"see you at 6", "Thx 4 the follow! bit.ly/x1Ab"}, "not a str, a mapping or a set"),
        (frozenset({"see you at 6"}), "not a str, a mapping or a set"),
        ({"m1": "see you at 6"}.keys(), "not a str, a mapping or a set"),
    ],
    ids=["dict", "set", "frozenset", "dict-keys"],
)
def test_unordered_collections_are_refused_as_classify_many_refuses_them(
    X: object, match: str
) -> None:
    """A mapping would give the features of its keys, a set rows in no particular order."""
    for call in (AutoDMFeatures().fit, AutoDMFeatures().transform):
        with pytest.raises(InvalidInputError, match=match):
            call(X)
    with pytest.raises(InvalidInputError, match=match):
        autodm.classify_many(X)  # type: ignore[arg-type]


def test_bad_context_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="unknown context key"):
        AutoDMFeatures().transform([("hi", {"sent": 5})])


def test_feature_names(detector: Detector) -> None:
    names = AutoDMFeatures().get_feature_names_out()
    assert isinstance(names, np.ndarray)
    assert names.dtype == object
    assert tuple(names) == detector.feature_names
    assert tuple(AutoDMFeatures().fit(["hi"]).get_feature_names_out(["text"])) == tuple(names)
    pipeline = make_pipeline(AutoDMFeatures(missing=0.0), StandardScaler())
    pipeline.fit(["hi", "see you at 6"])
    assert tuple(pipeline.get_feature_names_out()) == tuple(names)


def test_pandas_output(detector: Detector) -> None:
    pd = pytest.importorskip("pandas")
    messages = pd.Series(["Thx 4 the follow! bit.ly/x1Ab", "see you at 6"], index=[10, 20])
    transformer = AutoDMFeatures().set_output(transform="pandas")
    frame = transformer.fit_transform(messages)
    assert isinstance(frame, pd.DataFrame)
    assert tuple(frame.columns) == detector.feature_names
    assert list(frame.index) == [10, 20]
    assert _same(frame.to_numpy(), AutoDMFeatures().transform(list(messages)).tolist())
    assert isinstance(transformer.transform(["hi"]), pd.DataFrame)
    # A one-column DataFrame (as ColumnTransformer passes it) is read as messages.
    two_d = AutoDMFeatures().transform(pd.DataFrame({"text": list(messages)}))
    assert _same(two_d, frame.to_numpy().tolist())


def test_column_transformer_beside_other_columns(detector: Detector) -> None:
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer

    df = pd.DataFrame(
        {
            "text": ["see you at 6", "Thanks for following!"],
            "context": [None, {"followed_at": 0, "sent_at": 4}],
            "followers": [120, 3],
        }
    )
    columns = ColumnTransformer(
        [
            ("dm", AutoDMFeatures(missing=0.0), "text"),  # a Series of messages
            ("dm_ctx", AutoDMFeatures(missing=0.0), ["text", "context"]),  # (message, context)
            ("num", "passthrough", ["followers"]),
        ]
    )
    out = columns.fit_transform(df)
    n = len(detector.feature_names)
    assert out.shape == (2, 2 * n + 1)
    names = list(columns.get_feature_names_out())
    assert names[:n] == [f"dm__{name}" for name in detector.feature_names]
    assert names[-1] == "num__followers"
    delay = list(detector.feature_names).index("seconds_after_follow")
    assert out[:, delay].tolist() == [0.0, 0.0]
    assert out[:, n + delay].tolist() == [0.0, 4.0]


def test_clone_and_params() -> None:
    transformer = AutoDMFeatures(missing=-1.0)
    assert transformer.get_params() == {"missing": -1.0}
    copy = clone(transformer)
    assert copy is not transformer
    assert copy.get_params() == {"missing": -1.0}
    assert repr(copy) == "AutoDMFeatures(missing=-1.0)"
    assert repr(clone(AutoDMFeatures())) == "AutoDMFeatures()"
    assert math.isnan(clone(AutoDMFeatures()).missing)
    assert copy.set_params(missing=2.0) is copy
    assert copy.missing == 2.0
    assert transformer.missing == -1.0


def test_usable_without_fit() -> None:
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(AutoDMFeatures())  # stateless: does not raise


def test_pipeline_with_logistic_regression(corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = corpus
    model = _model().fit(texts, labels)
    assert list(model.classes_) == ["automated", "human"]
    assert model.score(texts, labels) > 0.8
    predictions = model.predict(["Thx 4 the follow!! Like my FB page: bit.ly/x1Ab", "see you at 6"])
    assert list(predictions) == ["automated", "human"]
    assert model.predict_proba(["hi"]).shape == (1, 2)


def test_the_documented_imputer_keeps_every_column_in_line_with_the_names(
    corpus: tuple[list[str], list[str]],
) -> None:
    # Without contexts the context columns are nan throughout; a plain SimpleImputer drops
    # them, and its output no longer matches get_feature_names_out (docs/api.md).
    from sklearn.impute import SimpleImputer

    texts, labels = corpus
    features = AutoDMFeatures()
    model = make_pipeline(features, SimpleImputer(keep_empty_features=True), LogisticRegression())
    model.fit(texts, labels)
    names = features.get_feature_names_out()
    assert model[:2].transform(texts).shape == (len(texts), len(names))
    assert np.isnan(features.transform(texts)).all(axis=0).any()  # why the option is needed


def test_pipeline_with_pandas_output(corpus: tuple[list[str], list[str]]) -> None:
    pytest.importorskip("pandas")
    texts, labels = corpus
    model = _model().set_output(transform="pandas").fit(texts, labels)
    assert list(model.predict(["Thx 4 the follow!! Like my FB page: bit.ly/x1Ab"])) == ["automated"]


def test_cross_val_score(corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = corpus
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(_model(), texts, labels, cv=folds, error_score="raise")
    assert scores.shape == (3,)
    assert scores.mean() > 0.7


def test_grid_search_over_a_transformer_parameter(corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = corpus
    grid = GridSearchCV(
        _model(),
        {"autodmfeatures__missing": [0.0, -1.0], "logisticregression__C": [0.1, 1.0]},
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
        error_score="raise",
    )
    grid.fit(texts, labels)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["autodmfeatures__missing"] in (0.0, -1.0)
    best = grid.best_estimator_.named_steps["autodmfeatures"]
    assert best.missing == grid.best_params_["autodmfeatures__missing"]
    assert grid.best_score_ > 0.7


def test_pickle_round_trip(corpus: tuple[list[str], list[str]]) -> None:
    transformer = AutoDMFeatures(missing=-1.0)
    restored = pickle.loads(pickle.dumps(transformer))
    assert type(restored) is AutoDMFeatures
    assert restored.get_params() == transformer.get_params()
    assert np.array_equal(restored.transform(PAIRS), transformer.transform(PAIRS))
    texts, labels = corpus
    model = _model().fit(texts, labels)
    again = pickle.loads(pickle.dumps(model))
    assert np.array_equal(again.predict_proba(texts[:5]), model.predict_proba(texts[:5]))


def test_lazy_export_is_the_class_and_is_listed() -> None:
    from autodm._sklearn import AutoDMFeatures as defined

    assert autodm.AutoDMFeatures is defined
    assert "AutoDMFeatures" in dir(autodm)
    assert "AutoDMFeatures" in autodm.__all__
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        autodm.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_import_autodm_imports_no_sklearn_scipy_or_pandas(
    python_stdout: Callable[..., str],
) -> None:
    """Nor, for a cold classify, autodm's training, evaluation, campaign and data-frame modules."""
    code = (
        "import sys, autodm\n"
        "assert 'AutoDMFeatures' in autodm.__all__ and 'AutoDMFeatures' in dir(autodm)\n"
        "autodm.classify('hi')\n"
        "heavy = lambda: sorted(\n"
        "    {m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'pandas'}\n"
        ")\n"
        "lazy = lambda: sorted(\n"
        "    set(sys.modules)\n"
        "    & {'autodm._training', 'autodm._design', 'autodm._fitting', 'autodm._checks',\n"
        "       'autodm._evaluation', 'autodm._campaigns', 'autodm._frames'}\n"
        ")\n"
        "print(heavy(), lazy())\n"
        "features = autodm.AutoDMFeatures\n"
        "print('sklearn' in heavy(), features.__module__)\n"
        "autodm.train\n"
        "print(lazy())\n"
    )
    assert python_stdout(code).splitlines() == [
        "[] []",
        "True autodm._sklearn",
        "['autodm._checks', 'autodm._design', 'autodm._fitting', 'autodm._training']",
    ]


def test_evaluate_imports_neither_sklearn_nor_the_training_modules(
    python_stdout: Callable[..., str],
) -> None:
    """evaluate needs only numpy: it shares checks and metrics with train, not the fit."""
    code = (
        "import sys, autodm\n"
        "autodm.evaluate(['see you at 6', 'Thx 4 the follow! bit.ly/x1Ab'], ['human', 'auto'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))\n"
        "print(sorted(set(sys.modules) & {'autodm._training', 'autodm._design'}))\n"
    )
    assert python_stdout(code).splitlines() == ["[]", "[]"]
