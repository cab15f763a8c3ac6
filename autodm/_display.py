"""HTML display in notebooks (``Verdict._repr_html_``, ``Evaluation._repr_html_``).

The evaluation report (``autodm._report``) builds on the same helpers, so a metric reads
the same in a notebook and in the report.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ._evaluation import Evaluation
    from ._types import Verdict


def _shown(verdict: Verdict) -> tuple[str, str]:
    """The verdict's probability and threshold as text, in the order of its label."""
    from ._types import shown  # _types imports this module for the notebook views

    return shown(verdict.probability, verdict.threshold)


__all__ = [
    "escape_text",
    "evaluation_html",
    "evaluation_rows",
    "isolated",
    "number",
    "text_table",
    "verdict_html",
]


_HTML_CELL: Final = "padding:2px 8px;text-align:left;vertical-align:middle"
_HTML_BAR_COLOURS: Final = {True: "#d9534f", False: "#3b7dd8"}  # automated, human

#: What HTML forbids in text (control characters other than tab, LF and CR; noncharacters)
#: and lone surrogates, which UTF-8 cannot encode.
_UNSHOWN: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000))
    + "]"
)
_ISOLATE_OPENERS: Final = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
_PDI: Final = "\u2069"


def escape_text(text: str) -> str:
    """``text`` as HTML text: markup escaped, and each character HTML forbids in text (or
    UTF-8 cannot encode) shown as U+FFFD."""
    return html.escape(_UNSHOWN.sub("\ufffd", text))


def isolated(text: str) -> str:
    """``text`` escaped (:func:`escape_text`) in a ``<bdi>``, so that neither its direction
    nor a bidi control in it can reorder the text around it.

    A PDI that closes no isolate opened before it in ``text`` would close the ``<bdi>``
    itself: it is shown as U+FFFD.
    """
    if _PDI in text:
        depth, chars = 0, []
        for char in text:
            if char in _ISOLATE_OPENERS:
                depth += 1
            elif char == _PDI:
                depth, char = (depth - 1, char) if depth else (0, "\ufffd")
            chars.append(char)
        text = "".join(chars)
    return f"<bdi>{escape_text(text)}</bdi>"


def verdict_html(verdict: Verdict) -> str:
    """The body of :meth:`Verdict._repr_html_` (pure HTML with inline CSS, no script)."""
    esc = escape_text
    colour = _HTML_BAR_COLOURS[verdict.is_automated]
    facts = [
        ("label", f'<b style="color:{colour}">{esc(str(verdict.label))}</b>'),
        ("probability", "{} (threshold {})".format(*_shown(verdict))),
    ]
    if verdict.template is not None:
        # Isolated as the report isolates text from the data: a custom template id may hold
        # a bidi control, and a reason may quote right-to-left words of the message.
        facts.append(("template", f"<code>{isolated(verdict.template)}</code>"))
    if verdict.flags:
        facts.append(("flags", esc(", ".join(verdict.flags))))
    rows = [
        f'<tr><th style="{_HTML_CELL}">{name}</th><td style="{_HTML_CELL}" colspan="3">'
        f"{value}</td></tr>"
        for name, value in facts
    ]
    if verdict.reasons:
        rows.append(
            f'<tr><th style="{_HTML_CELL}" colspan="4">reasons: signed weight on the '
            "log-odds of automated</th></tr>"
        )
    largest = max((abs(r.weight) for r in verdict.reasons), default=0.0)
    for reason in verdict.reasons:
        share = 50.0 * abs(reason.weight) / largest if largest > 0 else 0.0
        share = share if math.isfinite(share) else 0.0
        side = "left" if reason.weight >= 0 else "right"
        bar = (
            '<div style="position:relative;width:120px;height:10px;background:#eee">'
            '<div style="position:absolute;left:50%;top:0;width:1px;height:100%;'
            'background:#999"></div>'
            f'<div style="position:absolute;{side}:50%;top:0;width:{share:.1f}%;height:100%;'
            f'background:{_HTML_BAR_COLOURS[reason.weight >= 0]}"></div></div>'
        )
        rows.append(
            f'<tr><td style="{_HTML_CELL}">{bar}</td>'
            f'<td style="{_HTML_CELL};font-family:monospace">{reason.weight:+.2f}</td>'
            f'<td style="{_HTML_CELL}"><code>{esc(reason.code)}</code></td>'
            f'<td style="{_HTML_CELL}">{isolated(reason.message)}</td></tr>'
        )
    return (
        '<table class="autodm-verdict" style="border-collapse:collapse">'
        + "".join(rows)
        + "</table>"
    )


def number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, or ``"n/a"`` for NaN (a rate with no denominator)."""
    return f"{value:.{digits}f}" if math.isfinite(value) else "n/a"


def evaluation_rows(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The headline metrics of an evaluation as (name, formatted value) pairs."""
    e = evaluation
    return [
        ("messages", f"{e.n:,} ({e.tp + e.fn:,} automated, {e.fp + e.tn:,} human)"),
        ("threshold", number(e.threshold, 4)),
        ("spam caught (recall)", f"{number(e.recall)} ({e.tp:,} of {e.tp + e.fn:,})"),
        ("ham blocked (false-positive rate)", f"{number(e.fpr)} ({e.fp:,} of {e.fp + e.tn:,})"),
        ("precision", number(e.precision)),
        ("F1", number(e.f1)),
        ("accuracy", number(e.accuracy)),
        ("MCC", number(e.mcc)),
        ("ROC-AUC", number(e.roc_auc)),
        ("confusion (tp, fp, tn, fn)", f"{e.tp:,}, {e.fp:,}, {e.tn:,}, {e.fn:,}"),
    ]


def text_table(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = (),
    css_class: str = "autodm-table",
    row_headers: bool = False,
) -> str:
    """An HTML table of plain-text cells, every cell escaped; inline CSS, no script.

    Each body cell is :func:`isolated`, as a cell may hold a name from the data. With
    ``row_headers``, the first cell of each row is a ``<th>``.
    """
    esc = escape_text
    head = "".join(f'<th style="{_HTML_CELL}">{esc(cell)}</th>' for cell in header)
    body = []
    for row in rows:
        cells = [
            f'<th style="{_HTML_CELL}">{isolated(cell)}</th>'
            if row_headers and i == 0
            else f'<td style="{_HTML_CELL}">{isolated(cell)}</td>'
            for i, cell in enumerate(row)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{esc(css_class)}" style="border-collapse:collapse">'
        + (f"<thead><tr>{head}</tr></thead>" if head else "")
        + "<tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def evaluation_html(evaluation: Evaluation) -> str:
    """The body of :meth:`Evaluation._repr_html_`: the headline metrics as a small table."""
    return text_table(evaluation_rows(evaluation), css_class="autodm-evaluation", row_headers=True)
