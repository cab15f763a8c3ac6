"""Hostile input: bounded work per message, no network, no code from bundles."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autodm
import autodm._text as text_layer
from autodm import _finder, _names, _obfuscation
from autodm._model import DEFAULT_CONTEXT_EVIDENCE
from autodm._text import MAX_CHARS

ADVERSARIAL = {
    "url_fragments": "http://a.b/" * 100_000,
    "dots": "a." * 500_000,
    "punctuation": "(((((((((([[[[[[[[[[" * 50_000,
    "mixed_scripts": "аa\u200bсc еe Ωο 𝐅𝐑𝐄𝐄 ﷺ " * 40_000,
    "email_like": "a.b.c.d.e.f.g.h@" * 60_000,
    "handles": "@a" * 500_000,
    "bracket_dots": "x[.]" * 250_000,
    "digits": "1.2.3," * 200_000,
    "spaced_letters": "a b c d " * 125_000,
    "separated_letters": "a-b-c-d-" * 125_000,  # one word of a million characters
    "separated_words": "a.b.c.d " * 125_000,
}

#: The modules of the text layer: ``view`` and those it draws on.
_TEXT_LAYER = (text_layer, _obfuscation, _finder, _names)


class _CountingPattern:
    """Wraps a compiled pattern and adds up the characters of the text handed to any of its
    methods (the text is the first argument, or the second for ``sub`` and ``subn``)."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self._pattern = pattern
        self._counter = counter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._pattern, name)
        if not callable(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._counter[0] += len(args[1] if name in ("sub", "subn") else args[0])
            return method(*args, **kwargs)

        return counted


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_patterns_examine_a_bounded_number_of_characters(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = [0]
    for module in _TEXT_LAYER:
        for attribute, value in vars(module).items():
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, attribute, _CountingPattern(value, counter))
    message = ADVERSARIAL[name]
    assert len(message) >= 500_000
    view = text_layer.view(message)
    assert "truncated" in view.flags
    assert len(view.text) <= MAX_CHARS
    # Each pattern runs over the capped text a bounded number of times, whatever the input
    # size: the characters handed to patterns do not grow with the message.
    assert 0 < counter[0] <= 20 * MAX_CHARS


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_messages_get_a_valid_verdict(name: str) -> None:
    verdict = autodm.classify(ADVERSARIAL[name])
    assert 0.0 <= verdict.probability <= 1.0
    assert "truncated" in verdict.flags


def _huge_context_evidence(bundle: autodm.Bundle) -> autodm.Bundle:
    tables = {
        name: {"edges": table["edges"], "log_lr": [1e308] * len(table["edges"])}
        for name, table in DEFAULT_CONTEXT_EVIDENCE.items()
    }
    return dataclasses.replace(bundle, manifest={**bundle.manifest, "context_evidence": tables})


_HUGE_WEIGHTS: dict[str, Callable[[autodm.Bundle], autodm.Bundle]] = {
    "coef": lambda b: dataclasses.replace(b, coef=np.full_like(b.coef, 1e308)),
    "mean": lambda b: dataclasses.replace(b, mean=np.full_like(b.mean, 1e308)),
    "calibration": lambda b: dataclasses.replace(b, calibration=(1e308, 1e308)),
    "intercept": lambda b: dataclasses.replace(b, intercept=-np.inf),
    "ngram_coef": lambda b: dataclasses.replace(b, ngram_coef=np.full_like(b.ngram_coef, np.inf)),
    "context_evidence": _huge_context_evidence,
}


@pytest.mark.parametrize("field", list(_HUGE_WEIGHTS))
def test_verdicts_stay_finite_whatever_the_weights(field: str) -> None:
    """load_bundle refuses weights that overflow; a Bundle built in code skips it, and its
    verdicts still have a finite probability and finite reasons, without a warning."""
    detector = autodm.Detector(_HUGE_WEIGHTS[field](autodm.load_bundle()))
    context = {"followed_at": 0, "sent_at": 4, "sender_history": ["Follow back or I'll unfollow"]}
    for message in ("Follow back or I'll unfollow you", "see you at 6", ""):
        for verdict in (detector.classify(message), detector.classify(message, context)):
            assert math.isfinite(verdict.probability)
            assert 0.0 <= verdict.probability <= 1.0
            assert verdict.label == (
                "automated" if verdict.probability >= detector.threshold else "human"
            )
            assert all(math.isfinite(reason.weight) for reason in verdict.reasons)
            json.dumps(verdict.to_dict(), allow_nan=False)


def test_no_network_needed(tmp_path: Path) -> None:
    """Import, classify, train, save, load and run the CLI with sockets forbidden."""
    script = f"""
import sys
def refuse(event, args):
    if event.startswith("socket."):
        raise OSError("network access attempted: " + event)
sys.addaudithook(refuse)
import autodm
assert autodm.classify("Thanks for the follow! Like my page: bit.ly/x1Ab").is_automated
texts = [f"Thanks for the follow {{i}}! Like my page bit.ly/p{{i}}" for i in range(12)]
texts += [f"are we still on for lunch on day {{i}}? bring the book" for i in range(12)]
labels = ["automated"] * 12 + ["human"] * 12
bundle = autodm.train(texts, labels, cv=3)
path = bundle.save({str(tmp_path / "bundle")!r})
detector = autodm.Detector(path)
assert 0.0 <= detector.classify("hello").probability <= 1.0
from autodm.__main__ import main
assert main(["classify", "see you at 6"]) == 0
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_socket_guard_is_real() -> None:
    """The guard in test_no_network_needed refuses creating a socket at all."""
    script = """
import socket, sys
def refuse(event, args):
    if event.startswith("socket."):
        raise OSError("network access attempted: " + event)
sys.addaudithook(refuse)
try:
    socket.socket()
except OSError as error:
    print(error)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert "network access attempted" in result.stdout
    assert socket.socket is not None


def test_the_history_cache_keeps_no_more_of_a_message_than_is_read() -> None:
    # Regression: the masks of history messages were cached under their whole text, so
    # 8,192 history messages of any length stayed in memory after the caller let go.
    import gc
    import tracemalloc

    from autodm.extractors import template

    autodm.classify("thanks for the follow!", {"sender_history": ["hi"]})  # loads the model
    template._masked.cache_clear()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for round_ in range(3):
            history = [f"{round_} {i} " + "long history message " * 25_000 for i in range(10)]
            autodm.classify("thanks for the follow!", {"sender_history": history})
            del history
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        template._masked.cache_clear()
    # 30 history messages of 550,000 characters: 16 MB if kept, at most 30 x 4,096 if not.
    assert kept < 2_000_000, f"{kept:,} bytes kept"
