"""autodm.to_frame, autodm.classify_frame (pandas) and Verdict._repr_html_ (notebooks)."""

from __future__ import annotations

import io
import math
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autodm
from autodm import Context, Detector, InvalidInputError, Reason, Verdict
from autodm._frames import frame_rows

SPAM = "Thx 4 the follow!! Like my FB page: bit.ly/x1Ab"
CHAT = "see you at 6"
TEMPLATED = "Hey Priya, thanks for the follow! Glad to connect with you here."
API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
FIXED_COLUMNS = [
    "label", "probability", "threshold", "is_automated", "template", "flags", "top_reasons",
]  # fmt: skip


@pytest.fixture(scope="module")
def pd() -> Any:
    return pytest.importorskip("pandas")


# ---------------------------------------------------------------------------------------------
# to_frame
# ---------------------------------------------------------------------------------------------


def test_to_frame_has_one_row_per_verdict(pd: Any, detector: Detector) -> None:
    verdicts = detector.classify_many([SPAM, CHAT, TEMPLATED, "grab it at bit . ly/3xYzAb"])
    frame = autodm.to_frame(verdicts)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [0, 1, 2, 3]
    codes = sorted({r.code for v in verdicts for r in v.reasons})
    assert list(frame.columns) == FIXED_COLUMNS + [f"reason_{c}" for c in codes]
    assert frame["label"].tolist() == [v.label for v in verdicts]
    assert frame["probability"].tolist() == [v.probability for v in verdicts]
    assert frame["threshold"].tolist() == [v.threshold for v in verdicts]
    assert frame["is_automated"].tolist() == [v.is_automated for v in verdicts]
    assert frame["is_automated"].dtype == bool
    assert frame["probability"].dtype == np.float64
    assert frame["flags"].tolist() == [",".join(v.flags) for v in verdicts]
    assert frame.loc[3, "flags"] == "obfuscated_link"
    assert frame.loc[1, "flags"] == ""
    assert frame["template"].isna().tolist() == [v.template is None for v in verdicts]
    assert verdicts[2].template is not None
    assert frame.loc[2, "template"] == verdicts[2].template
    for row, verdict in enumerate(verdicts):
        assert frame.loc[row, "top_reasons"] == "; ".join(r.message for r in verdict.reasons[:3])
        weights = {r.code: r.weight for r in verdict.reasons}
        for code in codes:
            assert frame.loc[row, f"reason_{code}"] == weights.get(code, 0.0)


def test_to_frame_of_hand_made_verdicts(pd: Any) -> None:
    reasons = (
        Reason("b", "second; with a semicolon", -0.5),
        Reason("a", "first", 2.0),
        Reason("c", "third", 0.25),
        Reason("d", "fourth", 0.1),
    )
    verdicts = [
        Verdict(label="automated", probability=0.9, threshold=0.5, reasons=reasons,
                template="t-1", flags=("confusables", "zero_width")),
        Verdict(label="human", probability=0.1, threshold=0.5),
    ]  # fmt: skip
    frame = autodm.to_frame(iter(verdicts), index=["x", "y"])
    assert list(frame.index) == ["x", "y"]
    assert list(frame.columns) == [*FIXED_COLUMNS, "reason_a", "reason_b", "reason_c", "reason_d"]
    assert frame.loc["x", "flags"] == "confusables,zero_width"
    assert frame.loc["x", "top_reasons"] == "second; with a semicolon; first; third"
    assert frame.loc["y", "top_reasons"] == ""
    assert frame.loc["x", "template"] == "t-1"
    assert frame.loc["x", ["reason_a", "reason_b", "reason_d"]].tolist() == [2.0, -0.5, 0.1]
    assert frame.loc["y", ["reason_a", "reason_b", "reason_c", "reason_d"]].tolist() == [0.0] * 4


def test_to_frame_of_no_verdicts(pd: Any) -> None:
    frame = autodm.to_frame([])
    assert list(frame.columns) == FIXED_COLUMNS
    assert len(frame) == 0
    assert frame["probability"].dtype == np.float64
    assert frame["is_automated"].dtype == bool
    assert frame["label"].dtype != np.float64


@pytest.mark.parametrize(
    "verdicts", [Verdict(label="human", probability=0.1, threshold=0.5), 42, [{"label": "human"}]]
)
def test_to_frame_refuses_what_is_not_verdicts(pd: Any, verdicts: object) -> None:
    with pytest.raises(InvalidInputError, match="Verdict"):
        autodm.to_frame(verdicts)  # type: ignore[arg-type]


def test_to_frame_refuses_an_index_of_the_wrong_length(pd: Any) -> None:
    with pytest.raises(InvalidInputError, match="one label per verdict"):
        autodm.to_frame(autodm.classify_many([CHAT]), index=[1, 2])


@pytest.mark.parametrize(
    "index",
    [5, (label for label in "ab"), {"a", "b"}, "ab", {"a": 1, "b": 2}, np.zeros((2, 1))],
    ids=["int", "generator", "set", "str", "dict", "2-d"],
)
def test_to_frame_refuses_an_index_that_is_not_a_sequence(pd: Any, index: object) -> None:
    verdicts = autodm.classify_many([CHAT, SPAM])
    with pytest.raises(InvalidInputError, match=r"^`index` must be a sequence .* Got \w+"):
        autodm.to_frame(verdicts, index=index)


def test_to_frame_takes_any_sequence_or_index(pd: Any) -> None:
    verdicts = autodm.classify_many([CHAT, SPAM])
    for index in (("a", "b"), range(2), np.array([3, 4]), pd.Index(["a", "a"]), pd.Series([5, 6])):
        assert autodm.to_frame(verdicts, index=index).index.tolist() == list(index)
    tuples = [("a", 1), ("b", 2)]
    assert autodm.to_frame(verdicts, index=tuples).index.tolist() == tuples
    levels = pd.MultiIndex.from_tuples(tuples)
    assert autodm.to_frame(verdicts, index=levels).index.equals(levels)


@pytest.mark.parametrize("index", [[[1, 2], [3, 4]], [[1], [2]], [{"a": 1}, {"b": 2}]])
def test_to_frame_refuses_an_index_of_lists(pd: Any, index: list[object]) -> None:
    # Regression: pandas read a list of lists as the levels of a MultiIndex, so
    # [[1, 2], [3, 4]] labelled the rows (1, 3) and (2, 4), and [[1], [2]] raised a bare
    # ValueError.
    verdicts = autodm.classify_many([CHAT, SPAM])
    with pytest.raises(InvalidInputError, match=r"^`index\[0\]` must be a label .* MultiIndex"):
        autodm.to_frame(verdicts, index=index)


def test_without_pandas_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    for call in (lambda: autodm.to_frame([]), lambda: autodm.classify_frame(object())):
        with pytest.raises(
            autodm.MissingDependencyError, match=re.escape("pip install 'autodm[pandas]'")
        ):
            call()


def test_import_autodm_does_not_import_pandas(python_stdout: Callable[..., str]) -> None:
    code = "import sys, autodm\nautodm.to_frame\nprint('pandas' in sys.modules)\n"
    assert python_stdout(code).strip() == "False"


# ---------------------------------------------------------------------------------------------
# classify_frame
# ---------------------------------------------------------------------------------------------


def test_classify_frame_matches_classify_many(pd: Any, detector: Detector) -> None:
    df = pd.DataFrame(
        {
            "text": [SPAM, "Thanks for following!", CHAT, "Thanks for following!"],
            "followed_at": [None, 0.0, np.nan, 0.0],
            "sent_at": [None, 4.0, None, 3 * 86400.0],
            "sender_id": [7, None, 9, None],  # an int column with gaps: pandas makes it float
            "label": ["automated", "automated", "human", "human"],  # not a context key: ignored
            "note": ["a", "b", "c", "d"],
        },
        index=["m1", "m2", "m3", "m4"],
    )
    result = autodm.classify_frame(df, detector=detector)
    contexts = [
        {"sender_id": 7},
        {"followed_at": 0, "sent_at": 4},
        {"sender_id": 9},
        {"followed_at": 0, "sent_at": 3 * 86400},
    ]
    verdicts = detector.classify_many(df["text"].tolist(), contexts)
    expected = autodm.to_frame(verdicts, index=df.index)
    pd.testing.assert_frame_equal(result, expected)
    assert list(result.index) == ["m1", "m2", "m3", "m4"]
    assert result.loc["m2", "probability"] > result.loc["m4", "probability"]
    joined = pd.concat([df, result.add_prefix("autodm_")], axis=1)
    assert list(joined.columns[: len(df.columns)]) == list(df.columns)
    assert "autodm_label" in joined.columns


def _recipes() -> list[str]:
    """Each expression the docs give to put classify_frame's verdicts beside ``df``."""
    texts = [API_DOC.read_text(encoding="utf-8"), autodm.classify_frame.__doc__ or ""]
    spans = [s for t in texts for s in re.findall(r"`+([^`]*classify_frame\(df\)[^`]*)`+", t)]
    return [" ".join(span.split()) for span in spans]


def test_the_documented_recipe_keeps_each_row_once_where_the_index_repeats(pd: Any) -> None:
    recipes = _recipes()
    assert len(recipes) == 2  # docs/api.md and the docstring
    labels = [v.label for v in autodm.classify_many([SPAM, CHAT, SPAM])]
    for index in (
        pd.Index(["u1", "u1", "u2"]),
        pd.MultiIndex.from_tuples([("u1", 1), ("u1", 1), ("u2", 1)]),
    ):
        df = pd.DataFrame({"text": [SPAM, CHAT, SPAM], "label": ["a", "b", "c"]}, index=index)
        assert len(df.join(autodm.classify_frame(df).add_prefix("autodm_"))) == 5
        for recipe in recipes:
            names = {"pd": pd, "df": df, "autodm": autodm, "classify_frame": autodm.classify_frame}
            joined = eval(recipe, names)
            assert joined.index.equals(df.index), recipe
            assert joined["label"].tolist() == ["a", "b", "c"], recipe
            assert joined["autodm_label"].tolist() == labels, recipe


def test_classify_frame_reads_every_context_column(pd: Any, detector: Detector) -> None:
    history = ["Hi Ann, thanks for the follow! Check my page", "Hi Bob, thanks for the follow!"]
    row: dict[str, Any] = {
        "sender_id": "s1",
        "recipient_id": 3,
        "sent_at": datetime(2026, 3, 2, 10, 15, 4, tzinfo=UTC),
        "followed_at": "2026-03-02T10:15:00+00:00",
        "sender_history": history,
        "platform": "twitter",
        "first_message": True,
        "recipient_wrote_first": False,
    }
    assert set(row) == set(Context.__slots__)
    message = "Hi Cy, thanks for the follow! Check my page"
    df = pd.DataFrame([{"body": message, **row}])
    result = autodm.classify_frame(df, text="body", detector=detector)
    expected = autodm.to_frame([detector.classify(message, row)])
    pd.testing.assert_frame_equal(result, expected)
    assert result.loc[0, "reason_follow_delay"] > 0


def test_classify_frame_reads_flags_of_one_and_zero(pd: Any, detector: Detector) -> None:
    """A 0/1 column (1.0/0.0 where it has gaps), as a spreadsheet export holds flags."""
    df = pd.DataFrame(
        {
            "text": [CHAT] * 3,
            "first_message": [1, 0, 1],
            "recipient_wrote_first": [1.0, None, 0.0],
        }
    )
    assert df["first_message"].dtype.kind == "i"
    contexts = [
        {"first_message": True, "recipient_wrote_first": True},
        {"first_message": False},
        {"first_message": True, "recipient_wrote_first": False},
    ]
    expected = autodm.to_frame(detector.classify_many([CHAT] * 3, contexts))
    pd.testing.assert_frame_equal(autodm.classify_frame(df, detector=detector), expected)


def test_classify_frame_uses_the_shared_detector_by_default(pd: Any) -> None:
    df = pd.DataFrame({"text": [SPAM, CHAT]})
    result = autodm.classify_frame(df)
    assert result["label"].tolist() == ["automated", "human"]
    assert autodm.classify_frame(df.iloc[:0]).shape[0] == 0


def test_classify_frame_names_the_bad_row(pd: Any) -> None:
    df = pd.DataFrame({"text": [CHAT, None]}, index=["ok", "bad"])
    with pytest.raises(InvalidInputError, match="row 'bad'"):
        autodm.classify_frame(df)
    df = pd.DataFrame({"text": [CHAT, CHAT], "sent_at": ["2026-03-02T10:15:04Z", "yesterday"]})
    with pytest.raises(InvalidInputError, match="row 1: `sent_at`"):
        autodm.classify_frame(df)
    texts = pd.Series([CHAT, "bad \ud800 text"], dtype=object, index=["m1", "m2"])
    for call in (autodm.classify_frame, autodm.classify_many):
        with pytest.raises(InvalidInputError, match=r"^row 'm2': `message` holds lone surrogate"):
            call(pd.DataFrame({"text": texts}))


def test_ids_a_float_column_has_rounded_are_refused(pd: Any) -> None:
    # Regression: 64-bit ids in an int column with a gap (stored as floats) were rounded
    # onto one another, so two senders became one.
    ids = [1834567890123456789, 1834567890123456790, None]
    df = pd.DataFrame({"text": [CHAT] * 3, "sender_id": ids})
    with pytest.raises(InvalidInputError, match=r"row 0: `sender_id` is the float .* Int64"):
        autodm.classify_frame(df)
    df["sender_id"] = pd.array(ids, dtype="Int64")
    assert [c and c.sender_id for c in frame_rows(df)[1]] == [str(i) for i in ids[:2]] + [None]
    exact = pd.DataFrame({"text": [CHAT] * 2, "sender_id": [2.0**53 - 1, None]})
    assert frame_rows(exact)[1][0].sender_id == str(2**53 - 1)  # type: ignore[union-attr]
    # 2**53 + 1 is read as 2**53: the first float that two ids share.
    shared = pd.DataFrame({"text": [CHAT] * 3, "sender_id": [2**53, 2**53 + 1, None]})
    with pytest.raises(InvalidInputError, match=r"row 0: `sender_id` is the float"):
        frame_rows(shared)


def test_classify_frame_takes_any_column_label(pd: Any) -> None:
    df = pd.read_csv(io.StringIO(f"{CHAT}\n{SPAM}\n"), header=None)  # its one column is 0
    assert autodm.classify_frame(df, text=0)["label"].tolist() == ["human", "automated"]
    for label in ("0", [0], None):
        with pytest.raises(
            InvalidInputError, match=re.escape(f"{label!r} is not one of its columns [0]")
        ):
            autodm.classify_frame(df, text=label)  # type: ignore[arg-type]


def test_a_label_on_several_columns_is_refused(pd: Any) -> None:
    one = pd.DataFrame({"text": [CHAT]})
    twice = pd.concat([one, one], axis=1)  # two columns labelled "text"
    for call in (autodm.classify_frame, autodm.classify_many):
        with pytest.raises(InvalidInputError, match=re.escape("'text' labels 2 of its columns")):
            call(twice)
    sent = pd.DataFrame([[CHAT, 4, 5]], columns=["text", "sent_at", "sent_at"])
    with pytest.raises(InvalidInputError, match=r"context key .* 'sent_at' labels 2 of its"):
        autodm.classify_frame(sent)
    tuples = [("text", "body"), ("meta", "sent_at")]
    nested = pd.DataFrame([[CHAT, 4]], columns=pd.MultiIndex.from_tuples(tuples))
    with pytest.raises(InvalidInputError, match=re.escape("'text' heads 1 of its MultiIndex")):
        autodm.classify_frame(nested)
    assert autodm.classify_frame(nested, text=("text", "body"))["label"].tolist() == ["human"]


def test_classify_frame_refuses_bad_arguments(pd: Any) -> None:
    df = pd.DataFrame({"message": [CHAT]})
    with pytest.raises(InvalidInputError, match="'text' is not one of its columns"):
        autodm.classify_frame(df)
    with pytest.raises(InvalidInputError, match="DataFrame"):
        autodm.classify_frame([CHAT])
    with pytest.raises(InvalidInputError, match="detector"):
        autodm.classify_frame(df, text="message", detector="strict")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="n_jobs"):
        autodm.classify_frame(df, text="message", n_jobs=0)


# ---------------------------------------------------------------------------------------------
# Verdict._repr_html_
# ---------------------------------------------------------------------------------------------


def test_repr_is_still_the_dataclass_repr() -> None:
    verdict = Verdict(
        label="human", probability=0.25, threshold=0.5, reasons=(Reason("a", "m", 1.0),)
    )
    assert repr(verdict) == (
        "Verdict(label='human', probability=0.25, threshold=0.5, "
        "reasons=(Reason(code='a', message='m', weight=1.0),), template=None, flags=())"
    )


def test_repr_html_shows_label_probability_and_every_reason(detector: Detector) -> None:
    verdict = detector.classify(TEMPLATED, {"followed_at": 0, "sent_at": 4})
    page = verdict._repr_html_()
    assert page.startswith("<table")
    assert page.endswith("</table>")
    assert verdict.label in page
    assert f"{verdict.probability:.3f}" in page
    assert verdict.reasons
    for reason in verdict.reasons:
        assert f"<code>{reason.code}</code>" in page
        assert f"{reason.weight:+.2f}" in page
    assert page.count("<tr>") == 2 + (verdict.template is not None) + 1 + len(verdict.reasons)


def test_repr_html_escapes_every_piece_of_text() -> None:
    verdict = Verdict(
        label="automated",
        probability=0.75,
        threshold=0.5,
        reasons=(
            Reason("x<script>", "<script>alert('hi')</script> & more", 1.5),
            Reason("human_ish", 'says "hi" <b>', -0.75),
        ),
        template="<img src=x onerror=alert(1)>",
        flags=("<i>",),
    )
    page = verdict._repr_html_()
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; &amp; more" in page
    assert "x&lt;script&gt;" in page
    assert "says &quot;hi&quot; &lt;b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # Bars: the strongest reason spans half the track, towards automated; the other half of
    # that, towards human.
    assert "left:50%;top:0;width:50.0%" in page
    assert "right:50%;top:0;width:25.0%" in page


def test_repr_html_without_reasons_and_with_odd_weights() -> None:
    page = Verdict(label="human", probability=0.0, threshold=0.5)._repr_html_()
    assert "reasons" not in page
    odd = Verdict(
        label="human", probability=0.5, threshold=0.5, reasons=(Reason("z", "zero", 0.0),)
    )
    assert "width:0.0%" in odd._repr_html_()
    nan = Verdict(
        label="human", probability=math.nan, threshold=0.5, reasons=(Reason("n", "n", math.nan),)
    )
    assert "width:0.0%" in nan._repr_html_()


def test_classify_many_reads_a_dataframe_by_rows() -> None:
    pd = pytest.importorskip("pandas")
    import autodm

    df = pd.DataFrame(
        {
            "text": ["see you at 6", "Thx 4 the follow!! Like my FB page: bit.ly/x1Ab"],
            "followed_at": [None, 0.0],
            "sent_at": [None, 4.0],
        }
    )
    verdicts = autodm.classify_many(df)
    assert [v.label for v in verdicts] == ["human", "automated"]
    assert "follow_delay" in [r.code for r in verdicts[1].reasons]
    with pytest.raises(autodm.InvalidInputError, match="contexts"):
        autodm.classify_many(df, [None, None])


def test_classify_many_reads_a_dataframe_subclass_by_rows() -> None:
    pd = pytest.importorskip("pandas")

    class Inbox(pd.DataFrame):  # type: ignore[misc]
        """A frame of a notebook's own, as pandas' docs show how to make."""

        @property
        def _constructor(self) -> type[Inbox]:
            return Inbox

    df = Inbox({"text": [SPAM, CHAT, CHAT], "sent_at": [4.0, None, None]})
    verdicts = autodm.classify_many(df)  # not its one column name, "text"
    assert [v.label for v in verdicts] == ["automated", "human", "human"]
    assert verdicts == autodm.classify_many(pd.DataFrame(df))


def test_classify_many_of_a_list_does_not_import_pandas(python_stdout: Callable[..., str]) -> None:
    code = "import sys, autodm\nautodm.classify_many(['hi'])\nprint('pandas' in sys.modules)\n"
    assert python_stdout(code).strip() == "False"


def test_classify_frame_names_columns_that_misspell_a_context_key(pd: Any) -> None:
    # Regression: a "Sent_At" column was dropped in silence, and with it the timing evidence.
    df = pd.DataFrame({"text": ["hi", "yo"], "Sent_At": [4, 5], "note": ["a", "b"]})
    with pytest.warns(UserWarning, match=r"'Sent_At' \(the key is 'sent_at'\)") as caught:
        autodm.classify_frame(df)
    assert len(caught) == 1
    assert "note" not in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the call
    for call in (autodm.classify_many, autodm.Detector().classify_many):
        with pytest.warns(UserWarning, match="'Sent_At'") as caught:
            call(df)
        assert caught[0].filename == __file__  # whichever way the frame is reached


def test_a_column_label_of_na_is_no_misspelt_key(pd: Any) -> None:
    # Found in review: comparing a pd.NA label with the text column's raised a TypeError.
    df = pd.DataFrame([["hi", 1]], columns=pd.Index(["text", pd.NA], dtype=object))
    assert autodm.classify_frame(df)["label"].tolist() == ["human"]
