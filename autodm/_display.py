"""HTML display of verdicts in notebooks (``Verdict._repr_html_``)."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ._types import Verdict

__all__ = ["verdict_html"]


_HTML_CELL: Final = "padding:2px 8px;text-align:left;vertical-align:middle"
_HTML_BAR_COLOURS: Final = {True: "#d9534f", False: "#3b7dd8"}  # automated, human


def verdict_html(verdict: Verdict) -> str:
    """The body of :meth:`Verdict._repr_html_` (pure HTML with inline CSS, no script)."""
    esc = html.escape
    colour = _HTML_BAR_COLOURS[verdict.is_automated]
    facts = [
        ("label", f'<b style="color:{colour}">{esc(str(verdict.label))}</b>'),
        ("probability", f"{verdict.probability:.3f} (threshold {verdict.threshold:.3f})"),
    ]
    if verdict.template is not None:
        facts.append(("template", f"<code>{esc(verdict.template)}</code>"))
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
            f'<td style="{_HTML_CELL}">{esc(reason.message)}</td></tr>'
        )
    return (
        '<table class="autodm-verdict" style="border-collapse:collapse">'
        + "".join(rows)
        + "</table>"
    )
