"""The design train fits: text signals, hashed n-grams and context likelihood-ratio tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._batches import ContextLike
from ._bundle_checks import CONTEXT_SIGNALS, TABLE_SHAPE, is_table
from ._checks import char_sizes_of, per_message
from ._featurizer import Featurizer
from ._model import DEFAULT_CONTEXT_EVIDENCE, OBFUSCATION_FLAGS, ngram_tokens
from ._ngrams import batch_slices, batch_text_features
from ._text import view
from ._tfidf import reading
from ._types import as_context, finite_float
from .errors import InvalidInputError, describe

#: Signals that are context evidence (likelihood-ratio tables), not learned text weights.
CONTEXT_FEATURES: Final = frozenset(
    {
        "seconds_after_follow",
        "recipient_wrote_first",
        "first_message",
        "history_similarity",
        "history_duplicates",
    }
)
#: What the n-gram block of a bundle trained here reads (see ``_bundle_checks.NGRAM_TOKENS``).
NGRAM_TOKENS_WRITTEN: Final = "leet-folded+number-shapes-handles-greetings"


def _design(
    featurizer: Featurizer,
    messages: Sequence[str],
    contexts: Sequence[ContextLike],
    features: tuple[str, ...],
    buckets: int,
    bank_ids: Sequence[str | None] | None,
    char_sizes: tuple[int, ...],
    char_weight: float = 1.0,
) -> tuple[NDArray[np.float64], Any, dict[str, NDArray[np.float64]], list[str]]:
    """Signals (dense), hashed n-grams (sparse), context-table signals (NaN = absent) and
    the text the TF-IDF model reads of each message (autodm._tfidf.reading), all from one
    view of it."""
    from scipy import sparse

    dense = np.zeros((len(messages), len(features)), dtype=np.float64)
    context_values = {name: np.full(len(messages), np.nan) for name in DEFAULT_CONTEXT_EVIDENCE}
    tokens: list[tuple[str, ...]] = []
    readings: list[str] = []
    by_id = {t.id: t for t in featurizer.template.templates}
    for r, bank_id in enumerate(bank_ids or ()):  # all of them, before any message is read
        if bank_id is not None and bank_id not in by_id:
            raise InvalidInputError(f"`bank_ids[{r}]` names no template of the bank: {bank_id!r}.")
    for r, (message, context) in enumerate(zip(messages, contexts, strict=True)):
        message_view = view(message)
        exclude = None
        if bank_ids is not None and (bank_id := bank_ids[r]) is not None:
            source = by_id[bank_id]
            exclude = featurizer.template.excluding(source.family, source.lang)
        signals = featurizer.signals(message_view, as_context(context), exclude=exclude)
        for c, name in enumerate(features):
            value = signals[name].value
            dense[r, c] = 0.0 if value is None else value
        for name, values in context_values.items():
            if name == "obfuscation":
                values[r] = len(OBFUSCATION_FLAGS & message_view.flags)
            elif (signal := signals.get(name)) is not None and signal.value is not None:
                values[r] = signal.value
        tokens.append(ngram_tokens(message_view, NGRAM_TOKENS_WRITTEN))
        readings.append(reading(message_view))
    # The scorer's own n-gram pass, a slice of rows at a time; duplicate (row, bucket)
    # pairs add up, as they do in scoring.
    blocks = []
    lengths = [sum(map(len, t)) + len(t) + 1 for t in tokens]  # the joined text's length
    for start, stop in batch_slices(lengths, _NGRAM_ROWS):
        text = batch_text_features(tokens[start:stop], buckets, char_sizes, char_weight)
        shape = (text.size, buckets)
        blocks.append(sparse.csr_matrix((text.values, (text.rows, text.ids)), shape=shape))
    grams = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, buckets))
    return dense, grams, context_values, readings


def given_tables(context_evidence: object) -> dict[str, dict[str, list[float]]] | None:
    """``train``'s ``context_evidence`` as the bundle will hold it (lists of floats), or an
    InvalidInputError for what loading the bundle would refuse, and for a table of a
    signal that scoring never reads (a misspelt name would be stored and never used)."""
    if context_evidence is None:
        return None
    if not isinstance(context_evidence, Mapping):
        raise InvalidInputError(
            "`context_evidence` must be None or a mapping of {signal: {'edges': [...], "
            f"'log_lr': [...]}}}}. Got {describe(context_evidence)} instead."
        )
    tables: dict[str, dict[str, list[float]]] = {}
    for name, table in context_evidence.items():
        if name not in CONTEXT_SIGNALS:
            raise InvalidInputError(
                "`context_evidence` has a table for a signal that scoring never reads: "
                f"{describe(name)}. Tables are read for {sorted(CONTEXT_SIGNALS)}."
            )
        values = (
            {key: _floats(table.get(key)) for key in ("edges", "log_lr")}
            if isinstance(table, Mapping)
            else None
        )
        if not is_table(values):
            raise InvalidInputError(
                f"`context_evidence[{name!r}]` must be {TABLE_SHAPE}. Got {describe(table)}."
            )
        tables[name] = values
    return tables


def _floats(values: object) -> list[float] | None:
    """``values`` as a list of floats if it is an ordered iterable of finite numbers."""
    if isinstance(values, str | bytes | bytearray | Mapping | Set) or not isinstance(
        values, Iterable
    ):
        return None
    out = []
    for value in values:
        number = finite_float(value)
        if number is None:
            return None
        out.append(number)
    return out


#: Rows hashed together when building the n-gram matrix (bounds the memory of one pass).
_NGRAM_ROWS: Final = 4096


#: Labelled messages of each class that a context signal needs before ``train`` learns its
#: likelihood ratios instead of keeping the documented defaults.
MIN_CONTEXT_PER_CLASS: Final = 30


def _learn_tables(
    context: Mapping[str, NDArray[np.float64]], y: NDArray[np.int8]
) -> tuple[dict[str, dict[str, list[float]]], dict[str, str]]:
    """Per-bin likelihood ratios from labelled context, where there is enough of it.

    For a signal present on at least ``MIN_CONTEXT_PER_CLASS`` messages of each class,
    bin k gets ``ln(((a_k + 1) / (A + K)) / ((h_k + 1) / (H + K)))`` (add-one smoothing
    over the K bins of the default table), else the default table is kept. Adding these
    to the text log-odds assumes the context is independent of the wording given the
    class, the same assumption the defaults make.
    """
    tables = {name: dict(table) for name, table in DEFAULT_CONTEXT_EVIDENCE.items()}
    origin = dict.fromkeys(tables, "default (docs/model.md)")
    for name, values in context.items():
        present = ~np.isnan(values)
        auto, human = values[present & (y == 1)], values[present & (y == 0)]
        if name == "obfuscation" or min(len(auto), len(human)) < MIN_CONTEXT_PER_CLASS:
            continue
        edges = np.asarray(tables[name]["edges"])
        k = len(edges)
        a = np.bincount(np.searchsorted(edges, auto, side="right") - 1, minlength=k)[:k]
        h = np.bincount(np.searchsorted(edges, human, side="right") - 1, minlength=k)[:k]
        log_lr = np.log((a + 1) / (len(auto) + k)) - np.log((h + 1) / (len(human) + k))
        tables[name] = {"edges": edges.tolist(), "log_lr": [float(x) for x in log_lr]}
        origin[name] = f"learned from {len(auto)} automated and {len(human)} human contexts"
    return tables, origin


@dataclass(frozen=True, slots=True)
class _Design:
    """The design train fits, standardised, and the context tables that go with it."""

    features: tuple[str, ...]
    char_sizes: tuple[int, ...]
    dense: NDArray[np.float64]
    grams: Any  # scipy csr
    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    positive: NDArray[np.bool_]  # signals whose weight may not be negative
    tables: dict[str, dict[str, list[float]]]
    origin: dict[str, str]  # where each context table comes from
    readings: list[str]  # what the TF-IDF model reads of each message


def _standardised_design(
    items: Sequence[str],
    ctxs: Sequence[ContextLike],
    y: NDArray[np.int8],
    bank_ids: Sequence[str | None] | None,
    char_ngrams: tuple[int, ...],
    context_evidence: Mapping[str, dict[str, list[float]]] | None,
    buckets: int,
    char_weight: float,
) -> _Design:
    """The messages' signals, n-grams and context tables, and how to standardise the signals;
    ``context_evidence`` as :func:`given_tables` returns it."""
    featurizer = Featurizer()
    features = tuple(f for f in featurizer.feature_names if f not in CONTEXT_FEATURES)
    if bank_ids is not None:
        bank_ids = per_message(bank_ids, "bank_ids", len(items))
    char_sizes = char_sizes_of(char_ngrams)
    dense, grams, context, readings = _design(
        featurizer, items, ctxs, features, buckets, bank_ids, char_sizes, char_weight
    )
    tables, origin = _learn_tables(context, y)
    if context_evidence is not None:
        for name, table in context_evidence.items():
            tables[name] = table
            origin[name] = "given to train()"

    # Signals that can only be evidence *for* automation keep weights >= 0, so a quirk of
    # the training data (a defanged link in a support tweet) cannot teach the model that
    # an obfuscated link means a person. Each extractor says which of its signals these are.
    one_way = {f for e in featurizer.extractors for f in getattr(e, "automation_only", ())}
    positive = np.array([f in one_way for f in features])
    mean = dense.mean(axis=0)
    std = dense.std(axis=0)
    std[std < 1e-9] = 1.0
    return _Design(
        features, char_sizes, dense, grams, mean, std, positive, tables, origin, readings
    )
