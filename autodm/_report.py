"""The evaluation report: one self-contained HTML page (``Evaluation.write_report``).

The page holds the metrics, the confusion matrix, the per-source and threshold tables, a
precision-recall curve, a reliability plot and the most confident mistakes with their
reasons. The plots are PNG images embedded as ``data:`` URIs, drawn by ``_plots`` with
matplotlib, which is imported only when a report is written. The page loads nothing, runs
no script (its content security policy forbids both) and escapes every piece of text,
because message text is written by whoever sent the message. Text from the data (messages,
sources, template ids, flags, reasons, names from the bundle) also sits in a ``<bdi>``, so
that a bidi control in it cannot reorder the page around it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from ._display import escape_text, evaluation_rows, isolated, number, text_table
from ._files import check_replaceable, replace_atomically, writable_path
from ._plots import _precision_recall_png, _reliability_png, check_dependencies
from .errors import InvalidInputError, describe

if TYPE_CHECKING:
    from ._evaluation import Evaluation, Mistake

__all__ = ["check_dependencies", "report_folder", "report_html", "write_report"]

#: Reasons shown for each mistake, strongest first.
REASONS_SHOWN: Final = 5
#: Longest message text shown in full; longer ones are cut and end with an ellipsis.
TEXT_SHOWN: Final = 600


def report_folder(directory: object) -> Path:
    """``directory`` as :func:`write_report` writes into it, or the InvalidInputError it raises."""
    folder = writable_path(directory, "directory", "a folder")
    if os.path.lexists(folder) and not folder.is_dir():
        what = "a file" if folder.exists() else "a link to nothing"
        raise InvalidInputError(
            f"`directory` must be a folder (the report is written to its index.html); "
            f"{str(folder)!r} is {what}."
        )
    page = folder / "index.html"
    if page.is_dir():
        raise InvalidInputError(
            f"`directory` must be a folder whose index.html can be written; "
            f"{str(page)!r} is a folder."
        )
    check_replaceable(page)  # a named pipe, a device, a loop of links
    return folder


def write_report(
    evaluation: Evaluation, directory: str | os.PathLike[str], *, title: str = "autodm evaluation"
) -> Path:
    """Write ``report_html(evaluation)`` to ``directory/index.html``; return that path."""
    folder = report_folder(directory)
    page = report_html(evaluation, title=title)
    path = folder / "index.html"
    # Never half a page, and readable as any new file is: a report is meant to be served.
    replace_atomically(path, page.encode("utf-8", errors="replace"))
    return path


def report_html(evaluation: Evaluation, *, title: str = "autodm evaluation") -> str:
    """The report page as one HTML string (see the module docstring)."""
    if not isinstance(title, str):
        raise InvalidInputError(f"`title` must be a str. Got {describe(title)} instead.")
    check_dependencies()
    probs = np.asarray(evaluation.probabilities, dtype=np.float64)
    labels = np.asarray(evaluation.labels, dtype=np.int8)
    if len(probs) != len(labels):
        raise InvalidInputError(
            f"`probabilities` and `labels` of the evaluation must have the same length: "
            f"{len(probs)} and {len(labels)}."
        )
    esc = escape_text
    sections = [
        f"<h1>{isolated(title)}</h1>",
        _summary(evaluation),
        "<h2>Metrics</h2>",
        '<div class="pair">',
        text_table(evaluation_rows(evaluation), css_class="metrics", row_headers=True),
        _confusion(evaluation),
        "</div>",
        "<h2>Curves</h2>",
        '<div class="pair">',
        _figure(_precision_recall_png(evaluation, probs, labels), _PR_ALT),
        _figure(_reliability_png(probs, labels), _RELIABILITY_ALT),
        "</div>",
        _by_source(evaluation),
        _thresholds(evaluation),
        _mistakes_section(
            "Worst false positives",
            "human messages flagged as automated, highest P(automated) first",
            evaluation.false_positives,
            evaluation.fp,
            "No human message was flagged.",
        ),
        _mistakes_section(
            "Worst false negatives",
            "automated messages passed as human, lowest P(automated) first",
            evaluation.false_negatives,
            evaluation.fn,
            "Every automated message was caught.",
        ),
        f'<p class="note">Written by autodm {esc(_version())}.</p>',
    ]
    return _PAGE.format(title=esc(title), style=_STYLE, body="\n".join(sections))


def _version() -> str:
    from . import __version__

    return __version__


_PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" \
content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""

_STYLE: Final = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e4e4; }
thead th { background: #f4f4f4; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; flex: 1 1 480px; max-width: 560px; }
figure img { width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption, .note { color: #555; font-size: 0.9em; }
table.mistakes { width: 100%; table-layout: fixed; }
table.mistakes td, table.mistakes th { padding: 6px 8px; vertical-align: top; text-align: left; }
table.mistakes .rank { width: 2.5em; }
table.mistakes .prob { width: 8em; font-family: monospace; }
table.mistakes .reasons { width: 42%; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { color: #666; font-size: 0.85em; margin-top: 4px; }
ul.reason-list { margin: 0; padding-left: 1.1em; }
ul.reason-list li { overflow-wrap: anywhere; }
code.weight { font-family: monospace; }
.up { color: #b52b27; }
.down { color: #2a62b0; }
"""


def _summary(evaluation: Evaluation) -> str:
    e = evaluation
    return (
        f"<p>{e.n:,} labelled messages ({e.tp + e.fn:,} automated, {e.fp + e.tn:,} human), "
        f"decision threshold {number(e.threshold, 4)} on P(automated). Automated is the "
        "positive class: <b>spam caught</b> is the recall, <b>ham blocked</b> the share of "
        "human messages flagged.</p>"
    )


def _confusion(evaluation: Evaluation) -> str:
    e = evaluation
    rows = [
        ("labelled automated", f"{e.tp:,} (tp)", f"{e.fn:,} (fn)"),
        ("labelled human", f"{e.fp:,} (fp)", f"{e.tn:,} (tn)"),
    ]
    table = text_table(
        rows,
        header=("", "flagged automated", "passed as human"),
        css_class="confusion",
        row_headers=True,
    )
    return f"<div><b>Confusion matrix</b>{table}</div>"


def _by_source(evaluation: Evaluation) -> str:
    if not evaluation.by_source:
        return ""
    rows = []
    for name, row in evaluation.by_source.items():
        rows.append(
            (
                str(name),
                f"{int(row.get('n', 0)):,}",
                f"{int(row.get('automated', 0)):,}",
                f"{int(row.get('human', 0)):,}",
                number(float(row.get("recall", float("nan")))),
                number(float(row.get("fpr", float("nan")))),
            )
        )
    header = ("source", "messages", "automated", "human", "spam caught", "ham blocked")
    return (
        "<h2>Per source</h2>"
        + text_table(rows, header=header, css_class="by-source")
        + '<p class="note">n/a: the source has no messages of that class.</p>'
    )


def _thresholds(evaluation: Evaluation) -> str:
    if not evaluation.thresholds:
        return ""
    rows = [
        (
            number(float(row["threshold"]), 2),
            number(float(row["recall"])),
            number(float(row["fpr"])),
        )
        for row in evaluation.thresholds
    ]
    header = ("threshold", "spam caught", "ham blocked")
    return (
        "<h2>Thresholds</h2>"
        + _operating_points(evaluation)
        + text_table(rows, header=header, css_class="thresholds")
        + '<p class="note">What other decision thresholds would catch and block on these '
        "messages.</p>"
    )


def _operating_points(evaluation: Evaluation) -> str:
    if not evaluation.operating_points:
        return ""
    rows = [
        (
            name,
            number(float(point["threshold"]), 4),
            number(float(point["recall"])),
            number(float(point["fpr"])),
            number(float(point["expected_recall"])),
            number(float(point["expected_fpr"])),
        )
        for name, point in evaluation.operating_points.items()
    ]
    header = (
        "operating point",
        "threshold",
        "spam caught",
        "ham blocked",
        "expected spam caught",
        "expected ham blocked",
    )
    return (
        text_table(rows, header=header, css_class="operating-points")
        + '<p class="note">The bundle\'s named operating points on these messages, beside '
        "what the bundle measured out of fold when it was trained.</p>"
    )


def _mistakes_section(
    heading: str, what: str, mistakes: Sequence[Mistake], total: int, none: str
) -> str:
    esc = escape_text
    if not total:
        return f"<h2>{esc(heading)}</h2><p>{esc(none)}</p>"
    shown = f"{len(mistakes)} most confident of {total:,}" if total > len(mistakes) else "all"
    intro = f"<p>{esc(what)} ({esc(shown)}).</p>"
    if not mistakes:
        return f"<h2>{esc(heading)}</h2>{intro}<p>The evaluation kept no messages.</p>"
    rows = "".join(_mistake_row(rank, m) for rank, m in enumerate(mistakes, start=1))
    return (
        f"<h2>{esc(heading)}</h2>{intro}"
        '<table class="mistakes"><thead><tr><th class="rank">#</th>'
        '<th class="prob">P(automated)</th><th>message</th>'
        '<th class="reasons">strongest reasons (weight on the log-odds of automated)</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _mistake_row(rank: int, mistake: Mistake) -> str:
    verdict = mistake.verdict
    text = isolated(mistake.text[:TEXT_SHOWN])
    if len(mistake.text) > TEXT_SHOWN:
        text += "…"
    meta = [f"message {mistake.index + 1:,}"]
    if mistake.source is not None:
        meta.append(f"source {isolated(mistake.source)}")
    if verdict.template is not None:
        meta.append(f"template {isolated(verdict.template)}")
    if verdict.flags:
        meta.append("flags " + ", ".join(isolated(flag) for flag in verdict.flags))
    reasons = "".join(
        f'<li><code class="weight {"up" if r.weight >= 0 else "down"}">{r.weight:+.2f}</code> '
        f"{isolated(r.message)}</li>"
        for r in verdict.reasons[:REASONS_SHOWN]
    )
    return (
        f'<tr><td class="rank">{rank}</td><td class="prob">{verdict.probability:.4f}</td>'
        f'<td><div class="text">{text}</div><div class="meta">{" · ".join(meta)}'
        f'</div></td><td class="reasons"><ul class="reason-list">{reasons}</ul></td></tr>'
    )


_PR_ALT: Final = "Precision-recall curve of the detector on these messages"
_RELIABILITY_ALT: Final = "Reliability plot: predicted P(automated) against the observed share"


def _figure(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{escape_text(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape_text(_CAPTIONS[alt])}</figcaption></figure>"
    )


_CAPTIONS: Final = {
    _PR_ALT: "Precision against recall as the threshold moves from 1 down to 0; the dot is "
    "the detector's threshold. AP is the average precision.",
    _RELIABILITY_ALT: "Observed share of automated messages per bin of P(automated), each "
    "class weighted to half: the prior the probabilities are calibrated for. Below: "
    "messages per bin (log scale).",
}
