"""Scoring: a standardised logistic regression plus context likelihood ratios, with reasons.

For a message with signals ``x`` the text log-odds are::

    text = intercept + sum_i coef_i * (x_i - mean_i) / scale_i + ngram_evidence
    logit = slope * text + offset + sum_k log_lr_k(context signal k)

``slope`` and ``offset`` calibrate the text score; the context terms are
documented likelihood ratios (docs/model.md) that add to calibrated log-odds.
A bundle with a second text model (``tfidf`` in its manifest, autodm._tfidf) of
weight ``w`` scores ``(1 - w) * text + w * tfidf`` in place of ``text``, its
log-odds on the TF-IDF vector of the message's character n-grams.
Each term is reported as a :class:`~autodm.Reason` whose weight is its exact
share of ``logit``: all terms plus :attr:`Scorer.base` add up to the logit.
Verdicts keep the eight strongest terms of at least 0.05. load_bundle refuses
weights that could overflow; a Bundle built in code with weights past that range has
each term bounded (``_MAX_TERM``), so the logit and the probability stay finite.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from ._bundle import Bundle
from ._bundle_checks import NGRAM_TOKENS
from ._names import greeting_only
from ._ngrams import TextBatch, batch_text_features
from ._text import TextView
from ._tfidf import TfidfFit, reading
from ._tfidf import decision as tfidf_decision
from ._types import Reason, Signal
from .errors import BundleError
from .extractors.timing import describe_delay

__all__ = [
    "DEFAULT_CONTEXT_EVIDENCE",
    "OBFUSCATION_FLAGS",
    "Scorer",
    "ngram_tokens",
    "sigmoid",
]

#: Text-layer flags that count as deliberate obfuscation of letters.
OBFUSCATION_FLAGS: Final = frozenset(
    {"confusables", "zero_width", "styled_letters", "bidi_controls", "diacritics"}
)

#: Likelihood ratios P(signal | automated) / P(signal | human) for context evidence, as natural
#: logs per bin; bin k covers ``edges[k] <= value < edges[k+1]``. The assumptions behind each
#: table are in docs/model.md.
DEFAULT_CONTEXT_EVIDENCE: Final[dict[str, dict[str, list[float]]]] = {
    "seconds_after_follow": {
        "edges": [0.0, 60.0, 600.0, 3600.0, 86400.0],
        "log_lr": [math.log(6.0), math.log(2.0), 0.0, math.log(0.7), math.log(0.5)],
    },
    "history_duplicates": {
        "edges": [0.0, 1.0, 2.0, 5.0, 20.0],
        "log_lr": [math.log(0.8), math.log(2.0), math.log(5.0), math.log(12.0), math.log(30.0)],
    },
    # 0.0 = no, 1.0 = yes. Auto-DMs fire on follows; autoresponders are the automated replies.
    "recipient_wrote_first": {"edges": [0.0, 1.0], "log_lr": [0.0, math.log(0.3)]},
    "first_message": {"edges": [0.0, 1.0], "log_lr": [math.log(0.3), math.log(1.5)]},
    "obfuscation": {
        "edges": [0.0, 1.0, 2.0],
        "log_lr": [0.0, math.log(3.0), math.log(5.0)],
    },
}
_MIN_REASON_WEIGHT: Final = 0.05
_MAX_REASONS: Final = 8
#: Largest weight of one term on the logit: far past where the probability is 0 or 1. It
#: keeps the logit and the reasons finite whatever the weights, as in a Bundle built in code,
#: which skips the checks of load_bundle.
_MAX_TERM: Final = 1e6


def sigmoid(x: float) -> float:
    """Numerically stable logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _bounded(values: np.ndarray) -> np.ndarray:
    """``values`` as terms of a logit: NaN (0 times infinity) as 0, the rest within ±_MAX_TERM."""
    bounded: np.ndarray = np.clip(np.nan_to_num(values, nan=0.0), -_MAX_TERM, _MAX_TERM)
    return bounded


def _bounded_term(value: float) -> float:
    """One term of a logit, as :func:`_bounded` makes it."""
    return 0.0 if math.isnan(value) else min(max(value, -_MAX_TERM), _MAX_TERM)


def _lookup(table: Mapping[str, list[float]], value: float) -> float:
    edges = table["edges"]
    if value < edges[0]:
        return 0.0
    return _bounded_term(float(table["log_lr"][bisect_right(edges, value) - 1]))


@dataclass(frozen=True, slots=True)
class Scored:
    """One message's probability and the reasons behind it."""

    probability: float
    reasons: tuple[Reason, ...]


# One term of a logit: (code, weight on the logit, detail, whether the thing the code
# names is present).
_Term = tuple[str, float, str, bool]


class Scorer:
    """Applies a :class:`Bundle` to the signals of a batch of messages."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.features = bundle.features
        self._defaults = tuple(zip(bundle.features, bundle.mean.tolist(), strict=True))
        self._slope, self._offset = bundle.calibration
        self._tfidf, self._tfidf_sizes, tfidf_weight = _tfidf_part(bundle)
        share = 1.0 - tfidf_weight  # of the recipe's text log-odds
        # Per-feature weight on the calibrated logit, and the centring term.
        with np.errstate(over="ignore", invalid="ignore"):  # scoring bounds what overflows
            self._w = self._slope * share * bundle.coef / bundle.scale
            self._ngram = (
                None if bundle.ngram_coef is None else self._slope * share * bundle.ngram_coef
            )
            # The TF-IDF weights stay as the bundle stores them (float32, 4 MB; autodm._tfidf
            # widens each value it reads) and each message's sum is scaled, in float64;
            # the model's intercept goes into the base with the recipe's.
            self._tfidf_factor = self._slope * tfidf_weight
            if self._tfidf is not None:
                self._tfidf = TfidfFit(_array(self._tfidf.idf), _array(self._tfidf.coef), 0.0)
            intercept = share * bundle.intercept + tfidf_weight * bundle.tfidf_intercept
        self._base = _bounded_term(self._slope * intercept + self._offset)
        # Weights in load_bundle's range cannot overflow on a message's bounded signals, so
        # only a Bundle built in code with weights past it pays for bounding every term.
        with np.errstate(over="ignore", invalid="ignore"):
            in_range: list[np.ndarray] = [self._w, self._w * bundle.mean]
            if self._ngram is not None:
                in_range.append(self._ngram)
            self._bound = not all(np.all(np.abs(a) <= _MAX_TERM) for a in in_range)
            if self._tfidf is not None:
                # (its largest weight, scaled, without a scaled copy of them all)
                coef = self._tfidf.coef
                largest = max(abs(float(coef.max(initial=0.0))), abs(float(coef.min(initial=0.0))))
                self._bound |= not abs(self._tfidf_factor) * largest <= _MAX_TERM
        ngram_spec = bundle.manifest.get("ngrams") or {}
        self._char_sizes = tuple(int(n) for n in ngram_spec.get("char_sizes", ()))
        self._char_weight = float(ngram_spec.get("char_weight", 1.0))
        self._tokens = str(ngram_spec.get("tokens", "plain"))
        # load_bundle checks the kind; a Bundle built in code may not have been through it.
        if self._tokens not in NGRAM_TOKENS:
            raise BundleError(
                f"`ngrams.tokens` must be one of {list(NGRAM_TOKENS)}. Got {self._tokens!r}."
            )
        tables = dict(DEFAULT_CONTEXT_EVIDENCE)
        tables.update(bundle.context_evidence)
        self.context_tables = tables

    def feature_matrix(self, signals: Sequence[Mapping[str, Signal]]) -> np.ndarray:
        """The model's features, a row per message; a missing or None signal takes the mean."""
        defaults = self._defaults
        return np.array(
            [
                [
                    value
                    if (signal := message_signals.get(name)) is not None
                    and (value := signal.value) is not None
                    else mean
                    for name, mean in defaults
                ]
                for message_signals in signals
            ],
            dtype=np.float64,
        ).reshape(len(signals), len(defaults))

    @property
    def base(self) -> float:
        """The log-odds of a message whose signals all sit at the training mean, with no
        n-gram evidence (of either text model) and no context: where a score starts before
        its terms."""
        return self._base

    def score_many(
        self, views: Sequence[TextView], signals: Sequence[Mapping[str, Signal]]
    ) -> list[Scored]:
        """Score a batch of messages from their views and their extractors' signals.

        The linear part and the n-gram evidence are computed for the whole batch
        at once; a message's score does not depend on the rest of the batch.
        """
        deltas = self.feature_matrix(signals) - self.bundle.mean
        if self._bound:
            with np.errstate(over="ignore", invalid="ignore"):  # _bounded catches overflows
                contributions = _bounded(deltas * self._w)
        else:
            contributions = deltas * self._w
        logits = self._base + contributions.sum(axis=1)
        # Only terms that can become reasons are spelled out.
        rows, cols = np.nonzero(np.abs(contributions) >= _MIN_REASON_WEIGHT)
        weights, above_mean = contributions.tolist(), deltas.tolist()
        kept: list[list[_Term]] = [[] for _ in views]
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            name = self.features[c]
            signal = signals[r].get(name)
            evidence = signal.evidence if signal is not None else ""
            kept[r].append((name, weights[r][c], evidence, above_mean[r][c] > 0))
        if self._ngram is not None:
            self._add_wording(views, logits, kept)
        if self._tfidf is not None:
            self._add_characters(views, logits, kept)
        out = []
        for r, (message_view, message_signals) in enumerate(zip(views, signals, strict=True)):
            logit = float(logits[r])
            for name, table in self.context_tables.items():
                term = self._context_term(name, table, message_view, message_signals)
                if term is not None:
                    logit += term[1]
                    kept[r].append(term)
            out.append(Scored(sigmoid(logit), _reasons(kept[r])))
        return out

    def _add_wording(
        self, views: Sequence[TextView], logits: np.ndarray, kept: list[list[_Term]]
    ) -> None:
        """Add the n-gram evidence of each message to its logit and its terms."""
        assert self._ngram is not None
        tokens = [ngram_tokens(v, self._tokens) for v in views]
        text = batch_text_features(
            tokens, self._ngram.shape[0], self._char_sizes, self._char_weight
        )
        if self._bound:
            with np.errstate(over="ignore", invalid="ignore"):
                totals = _bounded(text.totals(self._ngram))
        else:
            totals = text.totals(self._ngram)
        logits += totals
        tops = _top_grams(text, self._ngram, totals)
        for r, total in enumerate(totals.tolist()):
            if abs(total) >= _MIN_REASON_WEIGHT:  # never for a message without n-grams
                kept[r].append(("wording", total, tops[r], total > 0))

    def _add_characters(
        self, views: Sequence[TextView], logits: np.ndarray, kept: list[list[_Term]]
    ) -> None:
        """Add the TF-IDF model's share of each message's log-odds to its logit and terms."""
        assert self._tfidf is not None
        texts = [reading(v) for v in views]
        if self._bound:
            with np.errstate(over="ignore", invalid="ignore"):
                sums = tfidf_decision(texts, self._tfidf, self._tfidf_sizes)
                totals = _bounded(self._tfidf_factor * sums)
        else:
            totals = self._tfidf_factor * tfidf_decision(texts, self._tfidf, self._tfidf_sizes)
        logits += totals
        for r, total in enumerate(totals.tolist()):
            if abs(total) >= _MIN_REASON_WEIGHT:
                kept[r].append(("characters", total, "", total > 0))

    def _context_term(
        self,
        name: str,
        table: Mapping[str, list[float]],
        message_view: TextView,
        signals: Mapping[str, Signal],
    ) -> _Term | None:
        if name == "obfuscation":
            found = sorted(OBFUSCATION_FLAGS & message_view.flags)
            if not found:
                return None
            return ("obfuscated_text", _lookup(table, float(len(found))), ", ".join(found), True)
        signal = signals.get(name)
        if signal is None or signal.value is None:
            return None
        weight = _lookup(table, signal.value)
        if name == "seconds_after_follow":
            return ("follow_delay", weight, describe_delay(signal.value), weight > 0)
        if name == "recipient_wrote_first":
            return ("reply", weight, "", signal.value > 0)
        if name == "first_message":
            return ("first_contact", weight, "", signal.value > 0)
        if name == "history_duplicates":
            detail = signal.evidence or f"{int(signal.value)} other recipients"
            return ("sender_duplicates", weight, detail, signal.value > 0)
        return (name, weight, signal.evidence, weight > 0)


def _array(
    values: NDArray[np.float32] | NDArray[np.float64],
) -> NDArray[np.float32] | NDArray[np.float64]:
    """``values`` as they are if an array, else (a Bundle built in code may hold a list) as
    a float64 array."""
    return values if isinstance(values, np.ndarray) else np.asarray(values, dtype=np.float64)


def _tfidf_part(bundle: Bundle) -> tuple[TfidfFit | None, tuple[int, ...], float]:
    """The bundle's TF-IDF model, its n-gram sizes and its weight (None, (), 0 without one).

    load_bundle checks that the manifest's ``tfidf`` and the arrays come together; a Bundle
    built in code may not have been through it.
    """
    spec = bundle.manifest.get("tfidf")
    if spec is None and bundle.tfidf_idf is None and bundle.tfidf_coef is None:
        return None, (), 0.0
    if not isinstance(spec, Mapping) or bundle.tfidf_idf is None or bundle.tfidf_coef is None:
        raise BundleError(
            "a bundle's manifest has `tfidf` exactly when the bundle holds `tfidf_idf` and "
            "`tfidf_coef`; this one has "
            + ("only the manifest's entry." if isinstance(spec, Mapping) else "only arrays.")
        )
    fit = TfidfFit(bundle.tfidf_idf, bundle.tfidf_coef, bundle.tfidf_intercept)
    return fit, tuple(int(n) for n in spec["sizes"]), float(spec["weight"])


def ngram_tokens(message_view: TextView, kind: str) -> tuple[str, ...]:
    """The tokens a bundle's n-gram block reads (``ngrams.tokens`` in its manifest).

    Under ``...-greetings``, nothing of a message that is a greeting and nothing else
    ("Hi Sam 👋", ``greeting_only``): people send those as often as bots open with them,
    and the n-grams learn what a greeting means from the messages it opens, so they would
    read it as the auto-DM it usually begins (docs/model.md, "Greetings by name").
    """
    if kind in ("leet-folded+number-shapes-handles", "leet-folded+number-shapes-handles-greetings"):
        shaped = message_view.shaped_tokens
        if kind.endswith("-greetings") and greeting_only(shaped):
            return ()
        return tuple(t for t in shaped if t != "<user>") if "<user>" in shaped else shaped
    if kind == "leet-folded+number-shapes":
        return message_view.shaped_tokens
    if kind == "leet-folded":
        return message_view.plain_tokens
    return message_view.tokens


def _reasons(terms: list[_Term]) -> tuple[Reason, ...]:
    """The terms of a score as reasons, strongest first; negligible ones dropped."""
    kept = [t for t in terms if abs(t[1]) >= _MIN_REASON_WEIGHT]
    kept.sort(key=lambda t: -abs(t[1]))
    return tuple(map(_reason, kept[:_MAX_REASONS]))


#: Reasons built so far, by term. Most terms recur exactly (a binary signal's weight is
#: fixed by the bundle; "has no links" reads the same for every message), and a Reason is
#: immutable, so verdicts share one. The weights of the two text models' terms ("wording",
#: with its quoted words, and "characters") seldom recur: those are built each time.
#: Bounded: emptied when full.
_REASON_CACHE: Final[dict[_Term, Reason]] = {}
_REASON_CACHE_SIZE: Final = 4096


def _reason(term: _Term) -> Reason:
    reason = _REASON_CACHE.get(term)
    if reason is None:
        code, weight, detail, present = term
        reason = Reason(code, explain(code, present, detail, weight), round(weight, 4))
        if code not in ("wording", "characters"):  # weights that seldom recur
            if len(_REASON_CACHE) >= _REASON_CACHE_SIZE:
                _REASON_CACHE.clear()
            _REASON_CACHE[term] = reason
    return reason


def _top_grams(text: TextBatch, weights: np.ndarray, totals: np.ndarray, k: int = 3) -> list[str]:
    """Per message, the ``k`` word n-grams that push hardest in the direction of its total,
    quoted (ties keep the n-grams' order in the message)."""
    per_gram = weights[text.gram_ids]
    if text.size == 1:
        order = np.argsort(-per_gram if totals[0] > 0 else per_gram, kind="stable")[:k]
        return [", ".join(f"'{text.grams[i]}'" for i in order.tolist())]
    # Strongest first: descending weight when the total is positive, ascending otherwise.
    key = np.where(totals[text.gram_rows] > 0, -per_gram, per_gram)
    order = np.lexsort((key, text.gram_rows))  # by message, then key; stable
    rows = text.gram_rows[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)  # place within its message
    chosen = rank < k
    top: list[list[str]] = [[] for _ in range(text.size)]
    for r, i in zip(rows[chosen].tolist(), order[chosen].tolist(), strict=True):
        top[r].append(f"'{text.grams[i]}'")
    return [", ".join(quoted) for quoted in top]


_PRESENT: Final = {
    "template_similarity": "is most like the known auto-DM template {detail}",
    "template_coverage": "shares wording with the auto-DM template {detail}",
    "word_count": "is longer than most messages ({detail})",
    "link_count": "carries links ({detail})",
    "links_per_token": "has {detail}",
    "link_only": "is little more than a link",
    "shortener_link": "uses a URL shortener or link-in-bio page ({detail})",
    "social_link": "points to a social-media page ({detail})",
    "store_link": "points to a store, payment or validation page ({detail})",
    "obfuscated_link": "writes a link so that filters miss it (bit . ly, hxxp, [.])",
    "suspicious_tld": "links to a domain ending often used for spam ({detail})",
    "cta_asks": "asks the reader to act ({detail})",
    "cta_follow_back": "uses follow-back phrasing ({detail})",
    "cta_thanks_follow": "thanks the reader for following ({detail})",
    "cta_validation": "points the reader to a validation service ({detail})",
    "cta_tool_signature": "carries an automation tool's signature ({detail})",
    "cta_promo_code": "pushes a discount code ({detail})",
    "cta_self_promo": "promotes the sender's own product or channel ({detail})",
    "cta_lure": "uses a lure typical of DM phishing ({detail})",
    "cta_outreach": "reads like templated cold outreach ({detail})",
    "cta_thanks_question": "thanks for a follow ({detail}) and asks a question, nothing more",
    "wording": "wording typical of auto-DMs ({detail})",
    "characters": "character patterns typical of auto-DMs",
    "follow_delay": "sent {detail} after you followed (auto-DMs typically arrive within minutes)",
    "sender_duplicates": "the same text (names masked) went to {detail}",
    "obfuscated_text": "hides letters from filters ({detail})",
    "reply": "answers a message the recipient wrote first (auto-DMs rarely do)",
    "first_contact": "is the sender's first message to the recipient",
}
_ABSENT: Final = {
    "template_similarity": "unlike the known auto-DM templates",
    "template_coverage": "shares little wording with the known auto-DM templates",
    "word_count": "is short ({detail})",
    "link_count": "has no links",
    "links_per_token": "is mostly words, not links",
    "link_only": "is more than a link",
    "shortener_link": "uses no URL shortener",
    "social_link": "points to no social-media page",
    "store_link": "points to no store or payment page",
    "obfuscated_link": "hides no links",
    "suspicious_tld": "links to no spam-prone domains",
    "cta_asks": "makes no typical call to action",
    "cta_follow_back": "has no follow-back phrasing",
    "cta_thanks_follow": "does not thank for a follow",
    "cta_validation": "mentions no validation service",
    "cta_tool_signature": "carries no automation tool's signature",
    "cta_promo_code": "pushes no discount code",
    "cta_self_promo": "promotes no product or channel",
    "cta_lure": "uses no phishing lure",
    "cta_outreach": "has no cold-outreach phrasing",
    "cta_thanks_question": "does not only thank for the follow and ask a question",
    "wording": "wording typical of messages people write ({detail})",
    "characters": "character patterns typical of messages people write",
    "follow_delay": "sent {detail} after you followed; auto-DMs usually arrive within minutes",
    "sender_duplicates": "the sender's other messages are not copies of this one",
    "reply": "is not a reply",
    "first_contact": "continues an earlier conversation (auto-DMs open one)",
}


def explain(code: str, present: bool, detail: str, weight: float) -> str:
    """The sentence for one reason.

    The sentence says what the message has (``present``) or lacks; the weight's
    sign, reported beside it, says which way that pushes. Unknown codes (custom
    features) get a generic sentence.
    """
    pattern = (_PRESENT if present else _ABSENT).get(code)
    if pattern is None:
        direction = "automated" if weight > 0 else "human"
        return f"signal {code} points to {direction}" + (f" ({detail})" if detail else "")
    if "{detail}" in pattern and not detail:
        pattern = pattern.replace(" ({detail})", "").replace("{detail}", "")
    return pattern.format(detail=detail)
