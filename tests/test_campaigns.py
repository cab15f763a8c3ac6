"""group_campaigns and the campaigns command: near-duplicate groups in a corpus."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from autodm import InvalidInputError, _grouping, group_campaigns
from autodm.__main__ import main
from autodm._text import view

WELCOME = "Hi {name}! Thanks for the follow, grab my free e-book at bit.ly/{code}"
PITCH = "Hello {name}, I help founders like you book {n} more sales calls a month. Quick chat?"
PEOPLE = [
    "are we still on for the climbing gym on saturday morning?",
    "my sister says the new ramen place near the station is great",
    "can you send me the slides from yesterday's planning meeting",
]
NAMES = ["Sam", "Priya", "Kenji", "Olu", "Marta", "Jonas", "Aisha"]


def _corpus() -> tuple[list[str], list[str]]:
    texts, senders = [], []
    for i, name in enumerate(NAMES):
        texts.append(WELCOME.format(name=name, code=f"x{i}"))
        senders.append("bot1" if i % 2 else "bot2")
        texts.append(PEOPLE[i % 3] if i < 3 else PITCH.format(name=name, n=10 + i))
        senders.append(f"person{i}" if i < 3 else "seller")
    return texts, senders


def test_groups_templated_messages_and_leaves_people_alone() -> None:
    texts, senders = _corpus()
    campaigns = group_campaigns(texts, senders=senders)
    assert [c.size for c in campaigns] == [7, 4]
    welcome, pitch = campaigns
    assert welcome.senders == 2
    assert welcome.indices == tuple(range(0, 14, 2))
    assert welcome.example == texts[0]
    assert "<name>" in welcome.text
    assert "<url>" in welcome.text
    assert welcome.family == "promo"
    assert pitch.senders == 1
    for campaign in campaigns:
        assert not set(campaign.indices) & {1, 3, 5}  # the people's messages
        assert json.loads(json.dumps(campaign.to_dict()))["size"] == campaign.size


def test_min_size_and_no_senders() -> None:
    texts, _ = _corpus()
    campaigns = group_campaigns(texts, min_size=1)
    assert sum(c.size for c in campaigns) == len(texts)
    assert all(c.senders == 0 for c in campaigns)
    assert group_campaigns(texts, min_size=5)[0].size == 7
    assert len(group_campaigns(texts, min_size=5)) == 1


def test_similarity_one_groups_only_identical_masked_texts() -> None:
    texts = [WELCOME.format(name=n, code="a") for n in NAMES[:3]] + ["Hi Sam! Thanks for following"]
    assert [c.size for c in group_campaigns(texts, similarity=1.0, min_size=1)] == [3, 1]


def _reference(texts: list[str], similarity: float = 0.85) -> list[tuple[int, ...]]:
    """The greedy rule by its definition, every text scored against every group: join the
    group of the same masked text if one was seen, else the best-scoring representative
    if at least alike enough (ties: the shortest, then the oldest group), else start a
    group. Texts are compared by their first MAX_COMPARED_CHARS characters. Returns the
    groups' positions, sorted."""
    groups: list[list[int]] = []
    representatives: list[str] = []
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        masked = view(text).masked
        if masked in seen:
            groups[seen[masked]].append(i)
            continue
        seen[masked] = len(groups)
        masked = masked[: _grouping.MAX_COMPARED_CHARS]
        scores = [fuzz.ratio(masked, rep) for rep in representatives]
        best = max(scores, default=-1.0)
        if best >= similarity * 100:
            tied = [g for g, score in enumerate(scores) if score == best]
            seen[masked] = min(tied, key=lambda g: (len(representatives[g]), g))
            groups[seen[masked]].append(i)
        else:
            representatives.append(masked)
            groups.append([i])
    return sorted(tuple(g) for g in groups)


def _grouped(texts: list[str], similarity: float = 0.85) -> list[tuple[int, ...]]:
    return sorted(c.indices for c in group_campaigns(texts, similarity=similarity, min_size=1))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [WELCOME.format(name=n, code=n.lower()) for n in NAMES[:3]]
            + [PITCH.format(name=n, n=i) for i, n in enumerate(NAMES[:3])]
            + PEOPLE
            + ["ok", "Thanks!", "see you at 6"]
        ),
        max_size=30,
    )
)
def test_fast_grouping_equals_the_all_pairs_reference(texts: list[str]) -> None:
    """The length window never hides a match that comparing every pair would find."""
    assert _grouped(texts) == _reference(texts)


@pytest.mark.parametrize(("few", "batch"), [(128, 512), (0, 2), (0, 1), (0, 512)])
def test_a_tie_goes_to_the_shortest_representative_then_the_oldest(
    few: int, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order process.extractOne meets them in, first of equal scores winning: scoring
    every representative, or those the bound leaves, started in an earlier batch or in
    the same one."""
    monkeypatch.setattr(_grouping, "_FEW", few)
    monkeypatch.setattr(_grouping, "_BATCH", batch)
    alone = "qqqqqqqqqqqq"  # puts the last two texts in a batch of their own when it is 2
    # "abcdef" is 80 % alike "abcdefxyz" (2 * 6 / 15) and "abcd" (2 * 4 / 10).
    texts = ["abcdefxyz", alone, "abcd", "abcdef"]
    assert _grouped(texts, 0.8) == _reference(texts, 0.8) == [(0,), (1,), (2, 3)]
    # "abcd" is 8 / 9 alike both, which are of one length.
    texts = ["abcdx", alone, "abcdy", "abcd"]
    assert _grouped(texts) == _reference(texts) == [(0, 3), (1,), (2,)]


@pytest.mark.parametrize("similarity", [0.5, 0.85, 0.97])
def test_the_bound_keeps_a_copy_exactly_as_alike_as_the_similarity(
    similarity: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of a text with its end left out is as alike as the bound allows (with no
    letter more than 8 times, the bound is exact): the shortest copy that reaches the
    similarity must still join the text's group."""
    monkeypatch.setattr(_grouping, "_FEW", 0)
    rng = random.Random(3)
    letters = [letter for letter in "abcdefghijklmnopqrstuvwxyz" for _ in range(8)]
    for length in range(70, len(letters) + 1, 6):  # 0.97 needs 66 letters to leave one out
        text = "".join(rng.sample(letters, length))
        cut = min(b for b in range(length) if fuzz.ratio(text[:b], text) >= similarity * 100)
        assert _grouped([text, text[:cut]], similarity) == [(0, 1)]


@st.composite
def _shortened(draw: st.DrawFn) -> list[str]:
    """A text and copies of it with letters left out: their similarity is exactly what the
    bound allows (every letter of the shorter is in the longer, in order)."""
    text = draw(st.text(alphabet="abcdeé東", min_size=4, max_size=60))
    copies = [text]
    for _ in range(draw(st.integers(1, 5))):
        gone = draw(st.sets(st.integers(0, len(text) - 1), max_size=max(1, len(text) // 4)))
        copies.append("".join(c for i, c in enumerate(text) if i not in gone))
    return draw(st.permutations(copies))


# Texts that are often near each other, tie, or repeat a character many times (beyond the
# count levels the bound tells apart exactly): few letters, spaces, accents, CJK, emoji.
_NEAR = st.one_of(
    st.text(alphabet="ab é東😀<", max_size=14),
    st.text(alphabet="aab  ", min_size=20, max_size=60),
    st.builds(
        "{}{}{}".format,
        st.text(alphabet="xyé", max_size=3),
        st.sampled_from(
            [PEOPLE[0], "Привет, как дела? Увидимся завтра", "明日の会議は十時からです"]
        ),
        st.text(alphabet="xyé ", max_size=4),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.one_of(st.lists(_NEAR, max_size=40), _shortened()),
    similarity=st.sampled_from([0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0]),
    batch=st.integers(1, 9),
    block=st.integers(1, 5),
    few=st.sampled_from([0, 128]),
)
def test_the_bound_never_drops_a_group_scoring_every_pair_would_choose(
    texts: list[str], similarity: float, batch: int, block: int, few: int
) -> None:
    """Near-duplicates, ties and Unicode, in batches and blocks of every size: the groups
    are those of comparing every text with every representative."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_grouping, "_FEW", few)  # 0: the bound whatever the number of texts
        patch.setattr(_grouping, "_BATCH", batch)
        patch.setattr(_grouping, "_BLOCK", block)
        assert _grouped(texts, similarity) == _reference(texts, similarity)


def test_many_distinct_texts_group_as_the_reference_does() -> None:
    """Over several batches of the default size, with a few campaigns among them."""
    rng = random.Random(7)
    words = [
        "the",
        "a",
        "to",
        "you",
        "my",
        "free",
        "book",
        "sale",
        "call",
        "now",
        "hi",
        "thanks",
        "follow",
        "link",
        "see",
        "at",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))) for _ in range(1200)]
    texts += [WELCOME.format(name=rng.choice(NAMES), code=i) for i in range(30)]
    rng.shuffle(texts)
    grouped = _grouped(texts)
    assert grouped == _reference(texts)
    assert max(len(g) for g in grouped) >= 30


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("a message",), {}),
        ((["a", "b"],), {"senders": ["x"]}),
        ((["a"],), {"similarity": 0}),
        ((["a"],), {"min_size": 0}),
        (([b"bytes"],), {}),
    ],
)
def test_bad_input_is_typed(args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        group_campaigns(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(None, "Got NoneType None"), (b"bytes", "not bytes"), ("\ud800", "lone surrogate")],
    ids=["None", "bytes", "surrogate"],
)
def test_a_bad_message_is_named_by_its_position(bad: object, shown: str) -> None:
    """As classify_many names it, so that one bad record in thousands can be found."""
    messages = ["see you at 6"] * 500 + [bad, "ok"]
    with pytest.raises(InvalidInputError, match=r"^messages\[500\]: `message` ") as caught:
        group_campaigns(messages)  # type: ignore[arg-type]
    assert shown in str(caught.value)


@pytest.mark.parametrize(
    ("messages", "shown"),
    [
        ({"hello there": 1, "hello there!": 2}, "not a mapping"),
        ({"hello there", "hello there!"}, "or a set. Got set"),
        (frozenset({"hello there"}), "or a set. Got frozenset"),
        ({"hello there": 1}.keys(), "or a set. Got dict_keys"),
    ],
    ids=["dict", "set", "frozenset", "keys"],
)
def test_messages_read_by_key_or_in_no_order_are_refused(messages: object, shown: str) -> None:
    with pytest.raises(InvalidInputError, match=shown):
        group_campaigns(messages)  # type: ignore[arg-type]


def test_dict_values_are_read_in_order() -> None:
    texts = {"a": WELCOME.format(name="Sam", code="a"), "b": WELCOME.format(name="Olu", code="b")}
    assert [c.indices for c in group_campaigns(texts.values())] == [(0, 1)]


def test_only_real_senders_are_counted() -> None:
    """None, "" and an empty cell are a message without a sender, not a sender of that name."""
    texts = [WELCOME.format(name=n, code=n) for n in NAMES[:6]]
    senders = ["bot1", None, "", "bot1", float("nan"), np.float32("nan")]
    (campaign,) = group_campaigns(texts, senders=senders)
    assert (campaign.size, campaign.senders) == (6, 1)
    (campaign,) = group_campaigns(texts, senders=[None] * 6)
    assert campaign.senders == 0
    assert group_campaigns(texts, senders=[1, "1", 2, None, None, None])[0].senders == 2
    assert group_campaigns(texts, senders=["  ", "bot", *[None] * 4])[0].senders == 1


def test_senders_may_be_a_numpy_array() -> None:
    texts = [WELCOME.format(name=n, code=n) for n in NAMES[:4]]
    senders = ["bot1", "bot2", "bot1", None]
    expected = group_campaigns(texts, senders=senders)
    assert expected[0].senders == 2
    assert group_campaigns(texts, senders=np.array(senders, dtype=object)) == expected
    assert group_campaigns(texts, senders=np.array([7, 8, 7, 9])) == group_campaigns(
        texts, senders=[7, 8, 7, 9]
    )
    with pytest.raises(InvalidInputError, match="one sender per message"):
        group_campaigns(texts, senders=np.array([["a", "b"], ["c", "d"]]))


def test_cli_campaigns_counts_no_sender_for_a_null_sender_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [WELCOME.format(name=n, code=n) for n in NAMES[:4]]
    ids = ["bot1", None, None, "bot1"]
    records = [{"text": t, "sender_id": s} for t, s in zip(texts, ids, strict=True)]
    path = tmp_path / "inbox.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["campaigns", str(path)]) == 0
    (campaign,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (campaign["size"], campaign["senders"]) == (4, 1)


def test_a_dataframe_is_read_from_its_text_and_sender_id_columns() -> None:
    """Not by its column names, which is what iterating a DataFrame yields."""
    pd = pytest.importorskip("pandas")
    texts, senders = _corpus()
    df = pd.DataFrame({"sender_id": senders, "text": texts}, index=[f"m{i}" for i in texts])
    expected = group_campaigns(texts, senders=senders)
    assert group_campaigns(df) == expected
    assert [c.senders for c in expected] == [2, 1]
    # The caller's senders win over the column; a Series is read by position.
    mine = pd.Series(["one"] * len(texts), index=range(100, 100 + len(texts)))
    assert [c.senders for c in group_campaigns(df, senders=mine)] == [1, 1]
    assert [c.senders for c in group_campaigns(df[["text"]])] == [0, 0]
    with_gaps = df.assign(sender_id=[None if i % 2 else s for i, s in enumerate(senders)])
    assert [c.senders for c in group_campaigns(with_gaps)] == [2, 0]  # the pitches had none


def test_a_dataframe_without_text_or_with_a_bad_row_is_refused() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(InvalidInputError, match=r"column named 'text'; its columns are \['body'\]"):
        group_campaigns(pd.DataFrame({"body": ["hello", "hello"]}))
    bad = pd.DataFrame({"text": ["hello", None, "hi"]}, index=["a", "b", "c"])
    with pytest.raises(InvalidInputError, match="row 'b' holds "):
        group_campaigns(bad)


def test_a_list_of_messages_does_not_import_pandas(python_stdout: Callable[..., str]) -> None:
    code = (
        "import sys, autodm\n"
        "autodm.group_campaigns(['hi there', 'hi there'], senders=['a', None])\n"
        "print('pandas' in sys.modules)\n"
    )
    assert python_stdout(code).strip() == "False"


def test_cli_campaigns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts, senders = _corpus()
    path = tmp_path / "inbox.jsonl"
    lines = [json.dumps({"text": t, "sender_id": s}) for t, s in zip(texts, senders, strict=True)]
    path.write_text("\n".join([*lines, "not json"]) + "\n", encoding="utf-8")
    assert main(["campaigns", str(path), "--min-size", "3"]) == 1  # one bad line
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [c["size"] for c in out] == [7, 4]
    assert out[0]["senders"] == 2


@pytest.mark.parametrize(
    ("option", "shown"),
    [(["--min-size", "0"], "`min_size`"), (["--similarity", "2"], "`similarity`")],
)
def test_bad_options_are_refused_before_any_message_is_read(
    option: list[str], shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the whole file was read (and its bad lines reported) first.
    assert main(["campaigns", "no-such-inbox.jsonl", *option]) == 2
    assert shown in capsys.readouterr().err
    read: list[str] = []

    def messages() -> Iterator[str]:
        read.append("one")
        yield "hi there"

    bad = {"min_size": 0} if "min" in shown else {"similarity": 2}
    with pytest.raises(InvalidInputError, match=shown):
        group_campaigns(messages(), **bad)  # type: ignore[arg-type]
    assert read == []


def test_cli_campaigns_reads_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts, senders = _corpus()
    path = tmp_path / "inbox.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sender_id", "text"])
        writer.writerows(zip(senders, texts, strict=True))
    assert main(["campaigns", str(path), "--min-size", "3"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [c["size"] for c in out] == [7, 4]
    assert out[0]["senders"] == 2


def test_long_texts_are_compared_by_their_beginnings() -> None:
    # Regression: the scorer's time grows with the square of the length, and 1,000 texts
    # of 4,096 random letters took 136 s to group.
    rng = random.Random(5)
    head = " ".join(rng.choice(PEOPLE) for _ in range(40))[: _grouping.MAX_COMPARED_CHARS]
    tails = ["".join(rng.choices("abcdefgh ", k=3_000)) for _ in range(3)]
    texts = [head + tail for tail in tails] + [tails[0] + head]
    assert _grouped(texts) == _reference(texts) == [(0, 1, 2), (3,)]


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    rows=st.integers(1, 12),
    columns=st.integers(0, 30),
    most=st.integers(1, 6),
    block=st.integers(1, 8),
    below=st.booleans(),
)
def test_kept_leaves_each_row_its_best_ranked_pairs_and_no_more(
    data: st.DataObject, rows: int, columns: int, most: int, block: int, below: bool
) -> None:
    """What the bound keeps of a row: the pairs it cannot rule out (within the row's
    length window, or of earlier texts), and of more than MOST_SCORED of them, those whose
    profiles are most alike; in row order, columns ascending. Every block size gives the
    same pairs."""
    seed = data.draw(st.integers(0, 2**32 - 1))
    generator = np.random.default_rng(seed)
    # Small whole numbers: every product is exact, whatever the blocks.
    left = generator.integers(-3, 4, size=(rows, 4)).astype(np.float32)
    right = left if below else generator.integers(-3, 4, size=(columns, 4)).astype(np.float32)
    left_texts = np.arange(rows)
    right_texts = left_texts if below else np.arange(rows, rows + columns)
    profiles = generator.integers(0, 4, size=(rows + columns, 3)).astype(np.uint8)
    lengths = generator.integers(1, 50, size=len(right))
    low = generator.integers(0, 25, size=rows)
    windows = None if below else np.stack([low, low + 25], axis=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_grouping, "MOST_SCORED", most)
        patch.setattr(_grouping, "_BLOCK", block)
        row, column = _grouping._kept(
            left, right, profiles, left_texts, right_texts, windows, lengths
        )
    pairs = list(zip(row.tolist(), column.tolist(), strict=True))
    assert pairs == sorted(pairs)
    bound = left @ right.T
    rank = profiles[left_texts].astype(float) @ profiles[right_texts].astype(float).T
    for i in range(rows):
        allowed = {
            j
            for j in range(len(right))
            if bound[i, j] >= 0
            and (j < i if windows is None else windows[i, 0] <= lengths[j] <= windows[i, 1])
        }
        kept = {j for r, j in pairs if r == i}
        assert kept <= allowed
        assert len(kept) == min(most, len(allowed))
        if allowed - kept:
            assert min(rank[i, j] for j in kept) >= max(rank[i, j] for j in allowed - kept)


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(_NEAR, max_size=40),
    similarity=st.sampled_from([0.5, 0.7, 0.85]),
    most=st.integers(1, 3),
    batch=st.integers(1, 9),
)
def test_with_few_pairs_scored_every_group_is_still_alike_its_representative(
    texts: list[str], similarity: float, most: int, batch: int
) -> None:
    """However few representatives a text is scored against, it joins a group only if it
    is as alike its representative as the similarity asks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_grouping, "_FEW", 0)
        patch.setattr(_grouping, "MOST_SCORED", most)
        patch.setattr(_grouping, "_BATCH", batch)
        distinct = list(dict.fromkeys(texts))
        groups = _grouping.group_texts(distinct, similarity)
    first: dict[int, str] = {}
    for text, group in zip(distinct, groups, strict=True):
        representative = first.setdefault(group, text)
        assert fuzz.ratio(text, representative) >= similarity * 100
    assert sorted(first) == list(range(len(first)))


def test_no_search_without_the_bound_is_cut_short() -> None:
    # Fewer texts than _FEW are scored against every representative, so the cap on pairs
    # scored must leave at least that many.
    assert _grouping._FEW <= _grouping.MOST_SCORED


def test_a_copy_finds_its_group_among_many_texts_of_its_batch_in_few_groups() -> None:
    # Regression: the cap on what a text is scored against counted the earlier texts of its
    # batch, not their groups, so 200 rotations of a template (the same character pairs,
    # in 4 groups) crowded the template out, and a copy of it with one letter changed
    # started a group of its own.
    rng = random.Random(1)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 8))) for _ in range(400)
    ]
    template = " ".join(rng.choice(words) for _ in range(60))
    copy = template[:100] + "Q" + template[101:]
    turns = range(len(copy) // 3, len(copy) // 3 + 200)
    texts = [template] + [copy[k:] + copy[:k] for k in turns] + [copy]
    groups = _grouping.group_texts(texts, 0.85)
    assert len(set(groups)) < _grouping.MOST_SCORED
    assert groups[-1] == groups[0] == 0
    assert _grouped(texts) == _reference(texts)


def test_senders_from_any_column_and_their_gaps() -> None:
    """Regression: numpy's NaT counted as a sender, and a pandas Index or array of senders
    was refused where train takes them."""
    pd = pytest.importorskip("pandas")
    texts = ["Hi Sam! Thanks for the follow, grab my e-book at shop.example/x"] * 5
    gaps = ["a", pd.NaT, "b", "a", np.datetime64("NaT")]
    assert [c.senders for c in group_campaigns(texts, senders=gaps)] == [2]
    for column in (
        pd.Index(["a", "b", "c", "a", "a"]),
        pd.array([1, 2, None, 1, 3], dtype="Int64"),
        pd.Series(["a", "b", None, "c", "a"], index=[9, 8, 7, 6, 5], dtype="string"),
        (s for s in ["a", "b", "c", "a", "a"]),
    ):
        assert [c.senders for c in group_campaigns(texts, senders=column)] == [3]
    for bad in ("abcde", {"a": 1}, {1, 2, 3, 4, 5}, np.zeros((5, 1))):
        with pytest.raises(InvalidInputError, match="senders"):
            group_campaigns(texts, senders=bad)
