"""Hashed n-grams: the numpy fast paths equal slow, obviously-correct references."""

from __future__ import annotations

import zlib

import numpy as np
from conftest import reference_hash
from hypothesis import given, settings
from hypothesis import strategies as st

from autodm._model import ngram_tokens
from autodm._names import greeting_only
from autodm._ngrams import (
    _distinct,
    batch_slices,
    batch_text_features,
    char_ngram_buckets,
    hashed_ngrams,
    ngrams,
    text_features,
)
from autodm._text import view


def reference_char_buckets(text: str, buckets: int, sizes: tuple[int, ...]) -> set[int]:
    """Each n-gram's polynomial hash, one at a time, in Python integers."""
    return {
        reference_hash(text[i : i + n], n, buckets) for n in sizes for i in range(len(text) - n + 1)
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from([1 << 8, 1 << 16, 1 << 18]))
def test_char_buckets_equal_the_reference(text: str, buckets: int) -> None:
    fast = char_ngram_buckets(text, buckets, (3, 4, 5))
    assert list(fast) == sorted(reference_char_buckets(text, buckets, (3, 4, 5)))
    assert fast.dtype == np.intp


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=80))
def test_distinct_equals_numpy_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.uint64)
    assert list(_distinct(array)) == list(np.unique(array))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["hi", "<name>", "thanks", "for", "the", "follow", "!", "感谢关注"]))
)
def test_word_buckets_equal_crc32_of_each_distinct_gram(tokens: list[str]) -> None:
    ids, value, grams, per_gram = hashed_ngrams(tuple(tokens), 1 << 16)
    expected = [zlib.crc32(g.encode("utf-8")) & 0xFFFF for g in grams]
    assert list(per_gram) == expected
    assert list(ids) == sorted(set(expected))
    assert len(grams) == len(set(grams))
    if grams:
        assert value == 1 / np.sqrt(len(set(expected)))


def test_cjk_tokens_give_character_bigrams() -> None:
    assert ngrams(("感谢关注",)) == ["感谢", "谢关", "关注"]


def test_text_features_blocks_are_each_normalised() -> None:
    features = text_features(("thanks", "for", "the", "follow"), 1 << 18, (3, 4, 5))
    words = 7  # 4 unigrams + 3 bigrams
    assert np.allclose(features.values[:words], 1 / np.sqrt(words))
    chars = len(features.values) - words
    assert np.allclose(features.values[words:], 1 / np.sqrt(chars))


_TOKENS = st.lists(
    st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(["<url>", "thanks", "感谢关注"])),
    max_size=12,
).map(tuple)


def test_char_weight_scales_the_character_block_only() -> None:
    tokens = ("thanks", "for", "the", "follow")
    plain = text_features(tokens, 1 << 18, (3, 4, 5))
    weighed = text_features(tokens, 1 << 18, (3, 4, 5), char_weight=0.25)
    words = 7
    assert weighed.ids.tolist() == plain.ids.tolist()
    assert weighed.values[:words].tolist() == plain.values[:words].tolist()
    assert np.allclose(weighed.values[words:], 0.25 * plain.values[words:])


@settings(max_examples=150, deadline=None)
@given(st.lists(_TOKENS, max_size=8), st.sampled_from([1.0, 0.375, 2.5]))
def test_batch_rows_equal_each_message_alone(
    token_lists: list[tuple[str, ...]], char_weight: float
) -> None:
    """One hashing pass over the joined texts gives every message its own features."""
    batch = batch_text_features(token_lists, 1 << 12, (3, 4, 5), char_weight)
    assert batch.size == len(token_lists)
    grams: list[str] = []
    for row, tokens in enumerate(token_lists):
        alone = text_features(tokens, 1 << 12, (3, 4, 5), char_weight)
        mine = batch.rows == row
        assert batch.ids[mine].tolist() == alone.ids.tolist()
        assert batch.values[mine].tolist() == alone.values.tolist()
        assert batch.gram_ids[batch.gram_rows == row].tolist() == alone.gram_ids.tolist()
        grams.extend(alone.grams)
    assert batch.grams == grams
    weights = np.linspace(-1.0, 1.0, 1 << 12)
    for row, tokens in enumerate(token_lists):
        alone = text_features(tokens, 1 << 12, (3, 4, 5), char_weight)
        assert np.isclose(batch.totals(weights)[row], np.dot(weights[alone.ids], alone.values))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5000), max_size=60),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=9000),
)
def test_batch_slices_cover_everything_within_both_bounds(
    lengths: list[int], max_items: int, max_chars: int
) -> None:
    slices = batch_slices(lengths, max_items, max_chars)
    assert [i for start, stop in slices for i in range(start, stop)] == list(range(len(lengths)))
    for start, stop in slices:
        assert 0 < stop - start <= max_items
        assert stop - start == 1 or sum(lengths[start:stop]) <= max_chars


_HANDLE_TEXT = st.lists(
    st.sampled_from(["@ana_b", "@x", "hi", "<user>", "follow", "me", "2", "@", "a@b.co", "!"]),
    max_size=12,
).map(" ".join)


@given(st.one_of(_HANDLE_TEXT, st.text(max_size=60)))
def test_handle_free_tokens_are_the_shaped_tokens_without_handles(text: str) -> None:
    """Bundles trained since handles left the n-grams read every other token, in order;
    a "<user>" the sender typed is a handle to them too. Those trained since greetings
    alone left the n-grams read the same, or nothing of a greeting alone."""
    message_view = view(text)
    shaped = message_view.shaped_tokens
    no_handles = tuple(t for t in shaped if t != "<user>")
    assert ngram_tokens(message_view, "leet-folded+number-shapes-handles") == no_handles
    assert ngram_tokens(message_view, "leet-folded+number-shapes") == shaped
    greetings = ngram_tokens(message_view, "leet-folded+number-shapes-handles-greetings")
    assert greetings == (() if greeting_only(shaped) else no_handles)
