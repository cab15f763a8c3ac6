"""group_campaigns: near-duplicate clusters in an inbox or a corpus.

Messages are masked by the text layer (names, handles, links, numbers) and grouped
greedily, in input order, by :func:`autodm._grouping.group_texts`: each message joins the
existing cluster whose representative is most alike, if at least ``similarity`` alike,
else starts one. This module reads the input (an iterable of str or a DataFrame, and the
senders) and reports the clusters as :class:`Campaign` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._batches import check_messages, is_pandas, ordered_messages
from ._featurizer import shared_templates
from ._grouping import group_texts
from ._text import check_message, view
from ._types import absent, blank, finite_float, ordered, whole_number
from .errors import InvalidInputError, describe
from .extractors.template import DUPLICATE_SIMILARITY

__all__ = ["Campaign", "group_campaigns"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    """A group of near-duplicate messages.

    Attributes
    ----------
    text : str
        The masked text of the group's first message (``<name>``, ``<url>``, ...).
    example : str
        The first message as written.
    size : int
        Messages in the group.
    senders : int
        Distinct senders among the group's messages that have one, when senders were
        given; else 0. None, ``""`` and an empty cell (NaN, ``pd.NA``) are no sender.
    indices : tuple of int
        Positions of the group's messages in the input.
    template, family : str or None
        The closest template of the bank and its family, when at least 60 % alike.
    """

    text: str
    example: str
    size: int
    senders: int
    indices: tuple[int, ...]
    template: str | None
    family: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the campaign."""
        return {
            "size": self.size,
            "senders": self.senders,
            "text": self.text,
            "example": self.example,
            "template": self.template,
            "family": self.family,
            "indices": list(self.indices),
        }


def _no_sender(sender: object) -> bool:
    """None, "" (or only spaces), NaN, pd.NA or NaT (pandas' or numpy's): what a record
    without a sender holds."""
    return absent(sender) or (isinstance(sender, str) and blank(sender))


def _count_senders(senders: Sequence[object] | None, members: list[int]) -> int:
    if senders is None:
        return 0
    return len({str(senders[i]) for i in members if not _no_sender(senders[i])})


def _column(df: Any, name: str) -> list[Any] | None:
    """The values of ``df``'s one column ``name``, or None when it has none."""
    found = [column for column in df.columns if isinstance(column, str) and column == name]
    if len(found) > 1:
        raise InvalidInputError(f"the DataFrame has {len(found)} columns named {name!r}; keep one.")
    return df[name].tolist() if found else None


def _frame(df: Any) -> tuple[list[str], list[Any] | None]:
    """The messages of a DataFrame's ``text`` column, and its ``sender_id`` column if any."""
    texts = _column(df, "text")
    if texts is None:
        raise InvalidInputError(
            "a DataFrame's messages must be in a column named 'text'; its columns are "
            f"{[str(c) for c in df.columns]}. Rename one, e.g. df.rename(columns={{'body': "
            "'text'}), or pass the column itself: group_campaigns(df['body'])."
        )
    for label, text in zip(df.index.tolist(), texts, strict=True):
        if not isinstance(text, str):
            raise InvalidInputError(
                f"column 'text' must hold str messages; row {label!r} holds {describe(text)}. "
                "Drop the rows without text first: df.dropna(subset=['text'])."
            )
        try:
            check_message(text)
        except InvalidInputError as error:
            raise InvalidInputError(f"row {label!r}: {error}") from None
    return texts, _column(df, "sender_id")


def _items(messages: object) -> list[str]:
    """The messages as a list of str, refusing what would be read in pieces or in no order,
    and naming a message that is not text by its position, as classify_many does."""
    items = list(ordered_messages(messages, "messages", "str"))
    check_messages(items)
    return items


def _groups(items: list[str], similarity: float) -> list[tuple[str, list[int]]]:
    """Each group's masked text and the positions of its messages, oldest group first."""
    # Identical masked texts are one text to group: each message keeps its text's number.
    numbers: dict[str, int] = {}
    number_of = [numbers.setdefault(view(message).masked, len(numbers)) for message in items]
    distinct = list(numbers)
    group_of = group_texts(distinct, similarity)
    first: dict[int, str] = {}  # each group's first text: the distinct texts are in order
    for text, group in zip(distinct, group_of, strict=True):
        first.setdefault(group, text)
    members: list[list[int]] = [[] for _ in first]
    for index, number in enumerate(number_of):
        members[group_of[number]].append(index)
    return [(first[group], positions) for group, positions in enumerate(members)]


def group_campaigns(
    messages: Iterable[str],
    *,
    senders: Iterable[object] | None = None,
    similarity: float = DUPLICATE_SIMILARITY,
    min_size: int = 2,
) -> list[Campaign]:
    """Group near-duplicate messages into campaigns, largest first.

    Parameters
    ----------
    messages : iterable of str, or pandas.DataFrame
        The messages, in order; a bare ``str``, a mapping and a set are refused. A
        DataFrame is read from its ``text`` column, its senders from its ``sender_id``
        column (when it has one and ``senders`` is None); ``Campaign.indices`` are then
        row positions, for ``df.iloc`` (labels: ``df.index[list(campaign.indices)]``).
    senders : ordered iterable, optional
        The sender of each message (a list, a pandas Series, Index or array, a 1-d numpy
        array), to count distinct senders per campaign; None, ``""`` or an empty cell
        (NaN, NaT, ``pd.NA``) for a message without one. Senders are told
        apart by ``str(sender)``.
    similarity : float, default 0.85
        Normalised Indel similarity (0..1) of masked texts that counts as the same text.
    min_size : int, default 2
        Smallest group reported.

    Returns
    -------
    list of Campaign
        Sorted by size, then by first appearance.

    Raises
    ------
    InvalidInputError
        For a bare str, a mapping or a set of messages, a message that is not a str (the
        error names its position, ``messages[3]: ...``, or its DataFrame row), a DataFrame
        without a ``text`` column, mismatched ``senders`` or bad options.

    Notes
    -----
    Identical masked texts cost one dict look-up. Each other one is still weighed against
    every group so far, so the time grows with distinct texts times groups; but 512 texts
    at a time are weighed by one matrix product (a bound on their similarity from the
    characters they share), and rapidfuzz scores only the groups that the bound and the
    lengths leave: at most 128 groups of earlier batches and 128 of its own batch, those
    with the most runs of three characters in common, each compared by its first 1,024
    masked characters, so that no text costs more than a few milliseconds. The groups are
    those of scoring every pair until a text of one bag of letters (the same words in
    other orders) meets the cap. 20,000 distinct texts of 6 to 14 words take 2.5 s on two
    cores, where scoring every group in the length window took 56 s in the same run
    (``python benchmarks/campaigns.py``); the working memory peaks near 3.8 kB per
    distinct text.

    Examples
    --------
    >>> inbox = [
    ...     "Hi Sam! Thanks for the follow, grab my free e-book at bit.ly/a1",
    ...     "see you at 6",
    ...     "Hi Priya! Thanks for the follow, grab my free e-book at bit.ly/b2",
    ...     "Hi Kenji! Thanks for the follow, grab my free e-book at bit.ly/c3",
    ... ]
    >>> [(c.size, c.indices) for c in group_campaigns(inbox)]
    [(3, (0, 2, 3))]
    """
    alike, smallest = check_options(similarity, min_size)  # before any message is read
    if is_pandas(messages, "DataFrame"):
        items, column = _frame(messages)
        senders = column if senders is None else senders
    else:
        items = _items(messages)
    if senders is not None:
        # Any ordered iterable, as train reads its per-message options: a list, a Series, an
        # Index, a pandas or numpy array, a generator.
        if isinstance(senders, np.ndarray) and senders.ndim != 1:
            raise InvalidInputError(
                "`senders` must be an ordered iterable of one sender per message, "
                f"one-dimensional. Got an array of shape {senders.shape}."
            )
        senders = list(ordered(senders, "senders", "one sender per message"))
    if senders is not None and len(senders) != len(items):
        raise InvalidInputError(
            f"`senders` must have one entry per message: {len(senders)} for {len(items)}."
        )
    return campaigns_of(items, _groups(items, alike), senders, smallest)


def check_options(similarity: object, min_size: object) -> tuple[float, int]:
    """``similarity`` and ``min_size`` as group_campaigns reads them, or the error."""
    alike = finite_float(similarity)
    if alike is None or not 0.0 < alike <= 1.0:
        raise InvalidInputError(
            f"`similarity` must be a float in (0, 1]. Got {describe(similarity)}."
        )
    smallest = whole_number(min_size)
    if smallest is None or smallest < 1:
        raise InvalidInputError(f"`min_size` must be a positive int. Got {describe(min_size)}.")
    return alike, smallest


def campaigns_of(
    items: Sequence[str],
    groups: Iterable[tuple[str, list[int]]],
    senders: Sequence[object] | None,
    min_size: int,
) -> list[Campaign]:
    """The campaigns of groups found (each a masked text and its messages' positions) of at
    least ``min_size`` messages, largest first, with their closest template."""
    bank = shared_templates()
    campaigns = []
    for text, members in groups:
        if len(members) < min_size:
            continue
        template, score = bank.best_match(view(items[members[0]]))
        matched = score >= 0.6
        campaigns.append(
            Campaign(
                text=text,
                example=items[members[0]],
                size=len(members),
                senders=_count_senders(senders, members),
                indices=tuple(members),
                template=template.id if matched else None,
                family=template.family if matched else None,
            )
        )
    campaigns.sort(key=lambda c: (-c.size, c.indices[0]))
    return campaigns
