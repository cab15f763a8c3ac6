"""The evaluation report (Evaluation.write_report, `autodm evaluate --report`) and the
evaluation's notebook display."""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from unittest import mock

import hypothesis
import numpy as np
import pytest
from hypothesis import strategies as st

import autodm
from autodm import AutoDMError, Detector, InvalidInputError, _report
from autodm.__main__ import main
from autodm._evaluation import Evaluation, Mistake
from autodm._plots import precision_recall, reliability
from autodm.errors import MissingDependencyError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: A human message that the detector flags, and an automated one that it passes, each with
#: markup that would run if the page did not escape it.
HOSTILE_FP = 'hey <script>alert(1)</script> "><img src=x onerror=alert(2)> follow me bit.ly/x'
HOSTILE_FN = 'see you at 6 "><img src=x onerror=alert(3)> <script>alert(4)</script>'
HOSTILE_SOURCE = '<b onmouseover="alert(5)">src</b>'
HOSTILE_TITLE = "</title><script>alert(6)</script>"


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the text of each message cell
    under the ``<h2>`` heading it follows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.messages: dict[str, list[str]] = {}
        self.probabilities: dict[str, list[str]] = {}
        self._heading = ""
        self._in: str | None = None
        self._buffer: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "h2":
            self._in, self._buffer = "h2", []
        elif tag == "div" and attributes.get("class") == "text":
            self._in, self._buffer = "message", []
        elif tag == "td" and attributes.get("class") == "prob":
            self._in, self._buffer = "prob", []

    def handle_endtag(self, tag: str) -> None:
        if self._in == "h2" and tag == "h2":
            self._heading = "".join(self._buffer)
        elif self._in == "message" and tag == "div":
            self.messages.setdefault(self._heading, []).append("".join(self._buffer))
        elif self._in == "prob" and tag == "td":
            self.probabilities.setdefault(self._heading, []).append("".join(self._buffer))
        else:
            return
        self._in = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in is not None:
            self._buffer.append(data)


def _parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def labelled(
    automated_cases: list[dict[str, Any]], human_cases: list[dict[str, Any]]
) -> tuple[list[str], list[str], list[str]]:
    """The golden cases plus two hostile messages: texts, labels and sources."""
    texts, labels, sources = [], [], []
    for cases, label in ((automated_cases, "automated"), (human_cases, "human")):
        for case in cases:
            texts.append(case["text"])
            labels.append(label)
            sources.append(case.get("lang", "und"))
    texts += [HOSTILE_FP, HOSTILE_FN]
    labels += ["human", "automated"]
    sources += [HOSTILE_SOURCE, "en"]
    return texts, labels, sources


@pytest.fixture(scope="module")
def fixed() -> Detector:
    return Detector(threshold=0.5)


@pytest.fixture(scope="module")
def evaluation(labelled: tuple[list[str], list[str], list[str]], fixed: Detector) -> Evaluation:
    texts, labels, sources = labelled
    return autodm.evaluate(texts, labels, detector=fixed, sources=sources)


@pytest.fixture(scope="module")
def report(evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = evaluation.write_report(tmp_path_factory.mktemp("report") / "out", title=HOSTILE_TITLE)
    assert path.name == "index.html"
    assert path.parent.name == "out"
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# What evaluate keeps for the report
# ---------------------------------------------------------------------------------------------


def test_evaluation_keeps_probabilities_labels_and_worst_mistakes(
    labelled: tuple[list[str], list[str], list[str]], fixed: Detector, evaluation: Evaluation
) -> None:
    texts, labels, sources = labelled
    probs = [fixed.classify(t).probability for t in texts]
    y = [1 if label == "automated" else 0 for label in labels]
    assert evaluation.probabilities == pytest.approx(probs)
    assert evaluation.labels == tuple(y)
    fp = sorted(
        (i for i in range(len(texts)) if y[i] == 0 and probs[i] >= 0.5), key=lambda i: -probs[i]
    )
    fn = sorted(
        (i for i in range(len(texts)) if y[i] == 1 and probs[i] < 0.5), key=probs.__getitem__
    )
    assert evaluation.fp == len(fp) > 10  # enough that only the worst are kept
    assert [m.index for m in evaluation.false_positives] == fp[:10]
    assert [m.index for m in evaluation.false_negatives] == fn[:10]
    assert fn, "the hostile automated message must be passed as human"
    for mistake in (*evaluation.false_positives, *evaluation.false_negatives):
        assert isinstance(mistake, Mistake)
        assert mistake.text == texts[mistake.index]
        assert mistake.source == sources[mistake.index]
        assert mistake.verdict == fixed.classify(texts[mistake.index])
    assert HOSTILE_FP in [m.text for m in evaluation.false_positives]
    assert HOSTILE_FN in [m.text for m in evaluation.false_negatives]


def test_evaluation_to_dict_keeps_its_keys(evaluation: Evaluation) -> None:
    assert sorted(evaluation.to_dict()) == [
        "accuracy", "by_source", "confusion", "f1", "fpr", "mcc", "n", "operating_points",
        "precision", "recall", "roc_auc", "threshold", "thresholds",
    ]  # fmt: skip
    json.dumps(evaluation.to_dict())


def test_evaluation_repr_and_html(evaluation: Evaluation) -> None:
    text = repr(evaluation)
    assert text.startswith(f"Evaluation(n={evaluation.n}, threshold=0.5000, recall=")
    assert f"fp={evaluation.fp}" in text
    assert HOSTILE_FP not in text  # the per-message data stays out of the repr
    page = evaluation._repr_html_()
    parsed = _parse(page)
    assert "<script" not in page
    content = "".join(parsed.text)
    for name in ("spam caught (recall)", "ham blocked (false-positive rate)", "ROC-AUC", "MCC"):
        assert name in content
    assert f"{evaluation.mcc:.3f}" in content


def test_a_one_class_evaluation_shows_n_a() -> None:
    result = autodm.evaluate(["see you at 6", "lol"], ["human", "human"])
    content = "".join(_parse(result._repr_html_()).text)
    assert "spam caught (recall)n/a (0 of 0)" in content


@hypothesis.given(st.lists(st.integers(0, 30), min_size=4, max_size=4))
def test_rates_are_those_of_scikit_learn(counts: list[int]) -> None:
    # Regression: F1 was nan, not 0, when nothing flagged was automated and nothing
    # automated was flagged (precision and recall both 0).
    from sklearn.metrics import f1_score, precision_score, recall_score

    tp, fp, tn, fn = counts
    hypothesis.assume(sum(counts))
    e = Evaluation(n=sum(counts), threshold=0.5, tp=tp, fp=fp, tn=tn, fn=fn, roc_auc=0.5)
    truth = [1] * tp + [0] * fp + [0] * tn + [1] * fn
    flagged = [1] * tp + [1] * fp + [0] * tn + [0] * fn
    for ours, theirs in (
        (e.f1, f1_score),
        (e.precision, precision_score),
        (e.recall, recall_score),
    ):
        expected = theirs(truth, flagged, zero_division=np.nan)
        assert ours == pytest.approx(expected, nan_ok=True)


def test_zero_dimensional_arrays_are_refused_with_a_typed_error() -> None:
    for messages, labels in ((["hi"], np.array(0)), (np.array("hi"), [0])):
        with pytest.raises(InvalidInputError, match="must be an ordered iterable"):
            autodm.evaluate(messages, labels)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def test_report_parses_and_holds_two_png_images(report: str) -> None:
    parsed = _parse(report)
    assert parsed.doctype.lower() == "doctype html"
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert len(images) == 2
    for attrs in images:
        src = attrs["src"]
        assert src is not None
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.removeprefix("data:image/png;base64,"), validate=True)
        assert png.startswith(PNG_MAGIC)
        assert len(png) > 5_000  # a drawn plot, not an empty image
        assert attrs["alt"]


def test_report_holds_the_metrics(report: str, evaluation: Evaluation) -> None:
    content = "".join(_parse(report).text)
    e = evaluation
    assert f"spam caught (recall){e.recall:.3f} ({e.tp} of {e.tp + e.fn})" in content
    assert f"ham blocked (false-positive rate){e.fpr:.3f} ({e.fp} of {e.fp + e.tn})" in content
    for name, value in (("precision", e.precision), ("F1", e.f1), ("MCC", e.mcc)):
        assert f"{name}{value:.3f}" in content
    assert f"ROC-AUC{e.roc_auc:.3f}" in content
    assert f"labelled automated{e.tp} (tp){e.fn} (fn)" in content
    assert f"labelled human{e.fp} (fp){e.tn} (tn)" in content
    for row in e.thresholds:  # the threshold table, row by row
        assert f"{row['threshold']:.2f}{row['recall']:.3f}{row['fpr']:.3f}" in content
    assert e.operating_points
    for name, point in e.operating_points.items():  # the presets, here and as trained
        measured = f"{point['threshold']:.4f}{point['recall']:.3f}{point['fpr']:.3f}"
        assert f"{name}{measured}{point['expected_recall']:.3f}" in content
    en = e.by_source["en"]
    assert f"en{en['n']}{en['automated']}{en['human']}{en['recall']:.3f}" in content
    for heading in ("Per source", "Thresholds", "Worst false positives", "Worst false negatives"):
        assert heading in content


def test_report_lists_the_worst_mistakes_in_order(report: str, evaluation: Evaluation) -> None:
    parsed = _parse(report)
    assert parsed.messages["Worst false positives"] == [m.text for m in evaluation.false_positives]
    assert parsed.messages["Worst false negatives"] == [m.text for m in evaluation.false_negatives]
    shown = [float(p) for p in parsed.probabilities["Worst false positives"]]
    assert len(shown) == 10
    assert shown == sorted(shown, reverse=True)
    assert shown == [round(m.verdict.probability, 4) for m in evaluation.false_positives]
    content = "".join(parsed.text)
    top = evaluation.false_positives[0].verdict.reasons[0]
    assert f"{top.weight:+.2f} {top.message}" in content
    assert f"10 most confident of {evaluation.fp}" in content


def test_report_escapes_hostile_text(report: str) -> None:
    parsed = _parse(report)
    assert "<script" not in report.lower()
    assert "<img src=x" not in report
    assert "<b onmouseover" not in report
    for tag, attrs in parsed.tags:
        assert tag != "script"
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert {tag for tag, _ in parsed.tags} <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "div", "table",
        "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "ul", "li", "code",
        "bdi",
    }  # fmt: skip
    content = "".join(parsed.text)
    assert HOSTILE_FP in content  # shown as text, character for character
    assert HOSTILE_FN in content
    assert HOSTILE_SOURCE in content
    assert HOSTILE_TITLE in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror" in report


def test_report_loads_nothing_and_runs_nothing(report: str) -> None:
    parsed = _parse(report)
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base")
        assert "href" not in attrs
        for value in attrs.values():
            assert "http://" not in (value or "")
            assert "https://" not in (value or "")
    assert "url(" not in report
    assert "@import" not in report
    policy = [a["content"] for t, a in parsed.tags if t == "meta" and "http-equiv" in a]
    assert policy == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]


def test_report_of_a_bare_evaluation(tmp_path: Path) -> None:
    """An Evaluation built by hand has no per-message data: the page still renders."""
    bare = Evaluation(n=10, threshold=0.5, tp=4, fp=1, tn=4, fn=1, roc_auc=float("nan"))
    page = bare.write_report(tmp_path).read_text(encoding="utf-8")
    parsed = _parse(page)
    assert len([t for t, _ in parsed.tags if t == "img"]) == 2
    content = "".join(parsed.text)
    assert "ROC-AUCn/a" in content
    assert "The evaluation kept no messages." in content


def test_report_of_one_class(tmp_path: Path) -> None:
    result = autodm.evaluate(["see you at 6", "lol", "ok"], ["human"] * 3)
    content = "".join(_parse(result.write_report(tmp_path).read_text(encoding="utf-8")).text)
    assert "Every automated message was caught." in content
    assert "No human message was flagged." in content


def test_report_replaces_an_older_one(tmp_path: Path, evaluation: Evaluation) -> None:
    (tmp_path / "index.html").write_text("old", encoding="utf-8")
    evaluation.write_report(tmp_path)
    assert (tmp_path / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_report_is_readable_by_others_and_never_written_over_a_file(
    tmp_path: Path, evaluation: Evaluation
) -> None:
    umask = os.umask(0o022)
    try:
        assert evaluation.write_report(tmp_path).stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        assert evaluation.write_report(tmp_path / "new").stat().st_mode & 0o777 == 0o600
        # A report written over one keeps that one's mode, whatever the umask says now.
        assert evaluation.write_report(tmp_path).stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="is a file"):
        evaluation.write_report(tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_undefined_rates_are_null_in_the_json_form() -> None:
    result = autodm.evaluate(["see you at 6"], ["human"], sources=["sms"])
    assert np.isnan(result.recall)
    metrics = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert metrics["recall"] is None
    assert metrics["roc_auc"] is None
    assert metrics["by_source"]["sms"]["recall"] is None
    assert metrics["fpr"] == 0.0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((["a"], ["human"]), {"detector": "strict"}, "Detector"),
        ((["a"], None), {}, "labels"),
        ((["a", "b"], ["human", "human"]), {"sources": "xy"}, "ordered iterable"),
        ((["a", "b"], ["human", "human"]), {"sources": ["x"]}, "one entry per message"),
        (({"a": "x"}, ["human"]), {}, "ordered iterable"),
    ],
)
def test_evaluate_refuses_bad_arguments(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        autodm.evaluate(*args, **kwargs)


def test_report_refuses_bad_arguments(evaluation: Evaluation) -> None:
    with pytest.raises(InvalidInputError, match="`directory` must be a str or path"):
        evaluation.write_report(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`title` must be a str"):
        evaluation.write_report(".", title=None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Without matplotlib
# ---------------------------------------------------------------------------------------------


def _hide_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import matplotlib...`` fail, as when it is not installed."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_missing_matplotlib_is_a_typed_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, evaluation: Evaluation
) -> None:
    _hide_matplotlib(monkeypatch)
    with pytest.raises(MissingDependencyError, match=r"pip install 'autodm\[report\]'") as info:
        evaluation.write_report(tmp_path / "out")
    assert isinstance(info.value, AutoDMError)
    assert isinstance(info.value, ImportError)
    assert "matplotlib" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_cli_without_matplotlib_fails_before_the_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(json.dumps({"text": "see you at 6", "label": "human"}) + "\n", "utf-8")
    _hide_matplotlib(monkeypatch)
    assert main(["evaluate", str(data), "--report", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "pip install 'autodm[report]'" in captured.err


def test_import_autodm_does_not_import_matplotlib(python_stdout: Callable[..., str]) -> None:
    code = (
        "import sys, autodm\n"
        "autodm.evaluate(['see you at 6', 'Thx 4 the follow! bit.ly/x1Ab'], ['human', 'auto'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    assert python_stdout(code).strip() == "[]"


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def test_cli_evaluate_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], labelled: tuple[list[str], ...]
) -> None:
    texts, labels, sources = labelled
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        "".join(
            json.dumps({"text": t, "label": y, "source": s}) + "\n"
            for t, y, s in zip(texts, labels, sources, strict=True)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report"
    assert main(["evaluate", str(data), "--threshold", "0.5", "--report", str(out)]) == 0
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()  # stdout keeps its one JSON line
    assert json.loads(line)["n"] == len(texts)
    assert f"wrote {out / 'index.html'}" in captured.err
    parsed = _parse((out / "index.html").read_text(encoding="utf-8"))
    assert "autodm evaluation: labelled.jsonl" in "".join(parsed.text)
    assert HOSTILE_FN in parsed.messages["Worst false negatives"]


# ---------------------------------------------------------------------------------------------
# The curves' arithmetic
# ---------------------------------------------------------------------------------------------


def test_precision_recall_matches_scikit_learn() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 300).astype(np.int8)
    probs = np.round(np.clip(0.3 * labels + rng.random(300) * 0.7, 0, 1), 2)  # with ties
    recall, precision, average = precision_recall(probs, labels)
    assert average == pytest.approx(average_precision_score(labels, probs))
    assert recall[0] == 0.0
    assert recall[-1] == 1.0
    assert precision[-1] == pytest.approx(labels.mean())
    assert np.all(np.diff(recall) >= 0)


def test_reliability_weights_each_class_to_half() -> None:
    probs = np.array([0.05, 0.05, 0.05, 0.95, 0.95, 0.55])
    labels = np.array([0, 0, 1, 1, 1, 0], dtype=np.int8)
    mean, observed, auto, human = reliability(probs, labels, bins=10)
    assert auto.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert human.tolist() == [2, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    # bin 0: one of 3 automated (1/3) against two of 3 human (2/3): observed 1/3
    assert observed[0] == pytest.approx((1 / 3) / (1 / 3 + 2 / 3))
    assert observed[9] == 1.0
    assert observed[5] == 0.0
    assert mean[0] == pytest.approx(0.05)
    assert np.isnan(mean[1])
    assert np.isnan(observed[1])


def test_report_refuses_a_broken_link_or_an_index_that_is_a_folder(
    tmp_path: Path, evaluation: Evaluation
) -> None:
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "nowhere" / "at" / "all")
    with pytest.raises(InvalidInputError, match="a link to nothing"):
        evaluation.write_report(broken)
    (tmp_path / "site" / "index.html").mkdir(parents=True)
    with pytest.raises(InvalidInputError, match=r"index\.html' is a folder"):
        evaluation.write_report(tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["index.html"]


# ---------------------------------------------------------------------------------------------
# Text from the data: bidi controls and characters HTML forbids
# ---------------------------------------------------------------------------------------------

#: The bidi controls that reorder the text after them: LRE, RLE, PDF, LRO, RLO, LRI, RLI,
#: FSI and PDI.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Characters the page may not hold: what HTML forbids in text, and lone surrogates.
UNSHOWABLE = (
    "\x00\x01\x0b\x0c\x1b\x1f\x7f\x80\x85\x9f\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff\ud800"
)


def _unshowable(char: str) -> bool:
    code = ord(char)
    return (
        (code < 0x20 and char not in "\t\n\r")
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


class Isolates(HTMLParser):
    """The text of each ``<bdi>``, and the text outside every ``<bdi>`` and the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.isolated: list[str] = []
        self.outside: list[str] = []
        self._open: list[list[str]] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "bdi":
            self._open.append([])
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "bdi":
            self.isolated.append("".join(self._open.pop()))
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)
        elif not self._in_title:  # the tab's title is a line of its own
            self.outside.append(data)


def _evaluation_showing(text: str, name: str, template: str, flag: str, reason: str) -> Evaluation:
    """A hand-built evaluation with one false positive that carries the given text."""
    verdict = autodm.Verdict(
        label="automated",
        probability=0.9,
        threshold=0.5,
        reasons=(autodm.Reason("custom", reason, 1.0),),
        template=template,
        flags=(flag,),
    )
    rates = {"n": 1.0, "automated": 0.0, "human": 1.0, "recall": float("nan"), "fpr": 1.0}
    point = {"threshold": 0.5, "recall": 0.5, "fpr": 0.1}
    return Evaluation(
        n=1,
        threshold=0.5,
        tp=0,
        fp=1,
        tn=0,
        fn=0,
        roc_auc=float("nan"),
        by_source={name: rates},
        thresholds=(point,),
        operating_points={name: {**point, "expected_recall": 0.5, "expected_fpr": 0.1}},
        false_positives=(Mistake(index=0, text=text, verdict=verdict, source=name),),
    )


def _page_without_plots(evaluation: Evaluation, title: str = "t") -> str:
    """``report_html`` with the plots left out: the text is what these tests look at."""
    with (
        mock.patch.object(_report, "_precision_recall_png", return_value=PNG_MAGIC),
        mock.patch.object(_report, "_reliability_png", return_value=PNG_MAGIC),
    ):
        return _report.report_html(evaluation, title=title)


def test_report_keeps_a_bidi_control_from_reordering_the_meta_line() -> None:
    rlo, rli, pdi = "\u202e", "\u2067", "\u2069"
    page = _page_without_plots(
        _evaluation_showing(f"hi {rlo}there", f"web{rlo}", f"{rli}tpl", f"fl{rlo}ag", f"r{rli}")
    )
    meta = (
        f'<div class="meta">message 1 · source <bdi>web{rlo}</bdi> · template <bdi>{rli}tpl</bdi>'
        f" · flags <bdi>fl{rlo}ag</bdi></div>"
    )
    assert meta in page
    assert f'<div class="text"><bdi>hi {rlo}there</bdi></div>' in page
    assert f"</code> <bdi>r{rli}</bdi></li>" in page
    assert page.count(f"><bdi>web{rlo}</bdi></td>") == 2  # the per-source and preset tables
    # The notebook view of a verdict isolates its template id and reasons too.
    notebook = _evaluation_showing("x", "s", f"{rli}tpl", "f", f"r{rlo}").false_positives[0]
    view = notebook.verdict._repr_html_()
    assert f"<code><bdi>{rli}tpl</bdi></code>" in view
    assert f"<bdi>r{rlo}</bdi></td>" in view
    # A PDI that closes nothing opened in the name would close the <bdi> itself.
    page = _page_without_plots(_evaluation_showing("x", f"a{pdi}{rlo}b", f"{rli}c{pdi}", "f", "r"))
    assert f"<bdi>a\ufffd{rlo}b</bdi>" in page
    assert f"<bdi>{rli}c{pdi}</bdi>" in page


def test_report_shows_characters_html_forbids_as_replacement_characters(tmp_path: Path) -> None:
    evaluation = _evaluation_showing(*[f"<{UNSHOWABLE}>"] * 5)
    path = evaluation.write_report(tmp_path, title=f"<{UNSHOWABLE}>")
    page = path.read_bytes().decode("utf-8")  # strict: nothing was lost on the way out
    shown = "&lt;" + "\ufffd" * len(UNSHOWABLE) + "&gt;"
    assert page.count(shown) == 9  # title, heading, message, 3 in the meta line, reason, 2 cells
    assert not [char for char in page if _unshowable(char)]
    verdict = evaluation.false_positives[0].verdict
    assert not [char for char in verdict._repr_html_() if _unshowable(char)]


#: Any text, leaning on the characters these tests are about.
_ANY_TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=()),
        st.sampled_from(sorted(BIDI_CONTROLS) + list(UNSHOWABLE) + ["\t", "\n", "\r", "&", "<"]),
    ),
    max_size=20,
)


@hypothesis.given(_ANY_TEXT, _ANY_TEXT, _ANY_TEXT, _ANY_TEXT, _ANY_TEXT, _ANY_TEXT)
def test_report_isolates_and_cleans_any_text(
    text: str, name: str, template: str, flag: str, reason: str, title: str
) -> None:
    page = _page_without_plots(_evaluation_showing(text, name, template, flag, reason), title)
    page.encode("utf-8")
    assert not [char for char in page if _unshowable(char)]
    parsed = Isolates()
    parsed.feed(page)
    parsed.close()
    assert not BIDI_CONTROLS & set("".join(parsed.outside))
    for given in (text, name, template, flag, reason, title):
        # Shown in a <bdi> of its own, character for character but for replacements.
        assert [
            shown
            for shown in parsed.isolated
            if len(shown) == len(given)
            and all(
                s == g or (s == "\ufffd" and (_unshowable(g) or g == "\u2069"))
                for s, g in zip(shown, given, strict=True)
            )
        ], given
    for shown in parsed.isolated:  # every PDI closes an isolate opened in the same <bdi>
        depth = 0
        for char in shown:
            depth += char in "\u2066\u2067\u2068"
            depth -= char == "\u2069"
            assert depth >= 0, shown


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.sampled_from(["a", "b", "", 7, "7", None])),
        max_size=40,
    )
)
def test_per_source_counts_are_each_sources_own(rows: list[tuple[bool, bool, object]]) -> None:
    # Counted for all sources at once (a source a message cost a pass over every message
    # each): the counts must be those of each source's messages alone, sources by str.
    from autodm._evaluation import _by_source

    y = np.array([r[0] for r in rows], dtype=np.int8)
    pred = np.array([r[1] for r in rows], dtype=bool)
    sources = [r[2] for r in rows]
    found = _by_source(y, pred, sources)  # type: ignore[arg-type]
    assert list(found) == sorted({str(s) for s in sources})
    for name, row in found.items():
        mine = [(a, p) for a, p, s in rows if str(s) == name]
        tp = sum(a and p for a, p in mine)
        fn = sum(a and not p for a, p in mine)
        fp = sum(p and not a for a, p in mine)
        assert (row["n"], row["automated"], row["human"]) == (
            len(mine),
            tp + fn,
            len(mine) - tp - fn,
        )
        assert row["recall"] == tp / (tp + fn) if tp + fn else np.isnan(row["recall"])
        human = len(mine) - tp - fn
        assert row["fpr"] == fp / human if human else np.isnan(row["fpr"])
