"""Hostile input: bounded work per message, no network, no code from bundles."""

from __future__ import annotations

import bz2
import dataclasses
import functools
import io
import json
import math
import re
import socket
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodm
import autodm._text as text_layer
from autodm import _finder, _names, _obfuscation
from autodm._archive import read_npy
from autodm._model import DEFAULT_CONTEXT_EVIDENCE
from autodm._resources import data_files
from autodm._text import MAX_CHARS

ADVERSARIAL = {
    "url_fragments": "http://a.b/" * 100_000,
    "dots": "a." * 500_000,
    "punctuation": "(((((((((([[[[[[[[[[" * 50_000,
    "mixed_scripts": "аa\u200bсc еe Ωο 𝐅𝐑𝐄𝐄 ﷺ " * 40_000,
    "email_like": "a.b.c.d.e.f.g.h@" * 60_000,
    "handles": "@a" * 500_000,
    "bracket_dots": "x[.]" * 250_000,
    "ideographic_dots": "bit\u3002ly\u3002" * 100_000,
    "comma_hosts": "bit,ly/" * 100_000,
    "comma_labels": "a," * 250_000 + "ly/",
    "ideographic_commas": "bit\u3001ly/" * 100_000,
    "glued_ideographic_dots": "点bit\u3002ly/x" * 60_000,
    "glued_links": "点bit.ly/x" * 60_000,
    "glued_addresses": "点a@b.co" * 80_000,
    "glued_handles": "点@a" * 200_000,
    "digits": "1.2.3," * 200_000,
    "spaced_letters": "a b c d " * 125_000,
    "separated_letters": "a-b-c-d-" * 125_000,  # one word of a million characters
    "separated_words": "a.b.c.d " * 125_000,
    # Combining marks are letters of a domain name but not word characters: a bare domain
    # was tried from every one of them, 60 steps back and forth each (0.3 s a message).
    "marks_before_dots": ("\u0301" * 60 + ".") * 10_000,
    "marks_and_digits": "\u03011" * 250_000,
    "small_capitals": "ᴀʙ ᴄ1 " * 100_000,  # every word folded, and "1" kept
    "strewn_diacritics": "fóllöw mé " * 60_000,  # every word respelt
}

#: The modules of the text layer: ``view`` and those it draws on.
_TEXT_LAYER = (text_layer, _obfuscation, _finder, _names)


class _CountingPattern:
    """Wraps a compiled pattern and adds up the characters of the text handed to any of its
    methods (the text is the first argument, or the second for ``sub`` and ``subn``; of a
    search between ``pos`` and ``endpos``, the characters between them)."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self._pattern = pattern
        self._counter = counter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._pattern, name)
        if not callable(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            if name in ("sub", "subn"):
                self._counter[0] += len(args[1])
            else:
                text = args[0]
                start = args[1] if len(args) > 1 else kwargs.get("pos", 0)
                end = args[2] if len(args) > 2 else kwargs.get("endpos", len(text))
                self._counter[0] += max(0, min(end, len(text)) - start)
            return method(*args, **kwargs)

        return counted


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_patterns_examine_a_bounded_number_of_characters(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tables built once a process (the words of the templates and lexicons, read the first
    # time a message has accented letters) are built before counting: the count is of the
    # work done for a message.
    text_layer.view("Thänks för thé föllöw")
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
    # size: the characters handed to patterns do not grow with the message. (The most, 23.4
    # times the cap: a link typed with ideographic commas, over and over. Text outside
    # ASCII runs the patterns for look-alike and invisible characters and Arabic points over
    # it, and each
    # comma-typed host has up to 32 characters of its path read for an id.)
    assert 0 < counter[0] <= 24 * MAX_CHARS


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
    "tfidf_coef": lambda b: dataclasses.replace(b, tfidf_coef=np.full_like(b.tfidf_coef, np.inf)),
    # float32's largest: each message's sum is finite in float64, its scaled term too large
    "tfidf_coef_max": lambda b: dataclasses.replace(
        b, tfidf_coef=np.full_like(b.tfidf_coef, np.finfo(np.float32).max)
    ),
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


# ---------------------------------------------------------------------------------------------
# Hostile bundles: refused in bounded memory
# ---------------------------------------------------------------------------------------------


def _shipped(name: str) -> bytes:
    """A member of the bundled model, to build hostile bundles around."""
    return (data_files() / "model" / name).read_bytes()


def _zip(members: list[tuple[str, int, bytes, int, int]], version: int = 20) -> bytes:
    """A zip written by hand, so that its headers can lie: each member is ``(name, method,
    compressed data, size its headers declare, CRC-32 its headers declare)``."""
    body, central = b"", b""
    for name, method, data, size, crc in members:
        raw_name, offset = name.encode(), len(body)
        fields = (method, 0, 0x21, crc, len(data), size, len(raw_name), 0)
        body += struct.pack("<IHH" + "HHHIIIHH", 0x04034B50, version, 0, *fields)
        body += raw_name + data
        central += struct.pack(
            "<IHHH" + "HHHIIIHH" + "HHHII",
            0x02014B50,
            version,
            version,
            0,
            *fields,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw_name
    count = len(members)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def _bundle_zip(weights: tuple[int, bytes, int, int]) -> bytes:
    """A bundle zip of the shipped manifest, stored, and ``weights.npz`` as given."""
    manifest = _shipped("manifest.json")
    stored = ("manifest.json", 0, manifest, len(manifest), zlib.crc32(manifest))
    return _zip([stored, ("weights.npz", *weights)])


@functools.cache
def _bomb(method: int) -> bytes:
    """64 MiB of zeros compressed with zip ``method`` (8 deflate, 12 bzip2): 64 KB and
    79 bytes."""
    compressor = bz2.BZ2Compressor(9) if method == 12 else zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    return b"".join([*(compressor.compress(chunk) for _ in range(64)), compressor.flush()])


def _peak_memory(call: Callable[[], object]) -> tuple[BaseException | None, int]:
    """What ``call`` raises, and the most memory Python and numpy held during it."""
    tracemalloc.start()
    try:
        call()
    except BaseException as error:  # returned, so the caller can check its type
        return error, tracemalloc.get_traced_memory()[1]
    else:
        return None, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("method", [8, 12], ids=["deflate", "bzip2"])
def test_a_zip_bomb_is_refused_in_bounded_memory(tmp_path: Path, method: int) -> None:
    """weights.npz declares 1,000 bytes and holds 64 MiB of zeros. bzip2 was decompressed
    whole in one call (a 3 KB member of 4 GB took 53 s and 8 GB); deflate up to 1 GB per
    call. Only stored and deflated members are read, in 64 KiB chunks."""
    path = tmp_path / "bomb.zip"
    path.write_bytes(_bundle_zip((method, _bomb(method), 1000, 0)))
    error, peak = _peak_memory(lambda: autodm.load_bundle(path))
    assert isinstance(error, autodm.BundleError)
    assert re.search("zip method 12" if method == 12 else "corrupt", str(error))
    assert peak < 4 << 20


@pytest.mark.parametrize(
    ("method", "data"),
    [(9, b"\xff" * 64), (12, b"BZh9" + b"\xff" * 64), (14, b"\x09\x14\x05\x00" + b"\xff" * 64)],
    ids=["deflate64", "bzip2", "lzma"],
)
def test_zip_members_are_read_only_if_stored_or_deflated(
    tmp_path: Path, method: int, data: bytes
) -> None:
    # Before: LZMA data that is not LZMA raised a raw LZMAError.
    weights = _shipped("weights.npz")
    path = tmp_path / "b.zip"
    path.write_bytes(_bundle_zip((method, data, len(weights), zlib.crc32(weights))))
    with pytest.raises(autodm.BundleError, match=f"zip method {method}; only stored"):
        autodm.load_bundle(path)


def test_a_zip_of_many_entries_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """Opening a zip parses every entry (1,000,000 took 7 s and 490 MB before the first
    was refused); entries are counted by their signature first."""
    entries = [
        struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, 0, 0, 0, 3, *[0] * 6)
        + b"%02x/" % (i % 256)
        for i in range(50_000)
    ]
    central = b"".join(entries)
    path = tmp_path / "many.zip"
    path.write_bytes(
        central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, len(central), 0, 0)
    )
    error, peak = _peak_memory(lambda: autodm.load_bundle(path))
    assert isinstance(error, autodm.BundleError)
    assert "may list 50000 entries; at most 64 are read" in str(error)
    assert peak < 3 * len(central)


def test_a_zip_larger_than_any_bundle_is_refused(tmp_path: Path) -> None:
    # Both members at their limits come to 17 MiB; 18 MiB are read at most, whatever a zip
    # holds before its members (this one loaded, from behind 19 MiB of zeros).
    path = tmp_path / "big.zip"
    with path.open("wb") as stream:
        stream.truncate(19 << 20)  # a sparse file: nothing is written
        stream.seek(0, 2)
        stream.write(autodm.load_bundle().save(tmp_path / "small.zip").read_bytes())
    with pytest.raises(autodm.BundleError, match=r"big\.zip' is larger than 18874368 bytes"):
        autodm.load_bundle(path)


def _npy(descr: object, shape: tuple[int, ...], data: bytes, fortran_order: bool = False) -> bytes:
    """An .npy member written by hand, so that its header can say anything."""
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + data


def _weights_with(name: str, member: bytes | Callable[[IO[bytes]], None]) -> bytes:
    """The shipped weights.npz, deflated, with array ``name`` replaced by ``member``: the
    bytes of an .npy, or what writes them to a stream (to deflate data too large to hold)."""
    buffer = io.BytesIO()
    with np.load(io.BytesIO(_shipped("weights.npz"))) as shipped:
        arrays = {key: shipped[key] for key in shipped.files if key != name}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            saved = io.BytesIO()
            np.save(saved, array)
            archive.writestr(f"{key}.npy", saved.getvalue())
        with archive.open(f"{name}.npy", "w", force_zip64=True) as stream:
            if isinstance(member, bytes):
                stream.write(member)
            else:
                member(stream)
    return buffer.getvalue()


def _zeros_after(header: bytes, size: int) -> Callable[[IO[bytes]], None]:
    def write(stream: IO[bytes]) -> None:
        stream.write(header)
        for _ in range(size >> 20):
            stream.write(bytes(1 << 20))

    return write


def _folder_with(tmp_path: Path, weights: bytes) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(_shipped("manifest.json"))
    (folder / "weights.npz").write_bytes(weights)
    return folder


_N = len(autodm.load_bundle().features)
_HOSTILE_HEADERS: dict[str, tuple[Callable[[], bytes], str]] = {
    # name: (weights.npz, what the error says)
    # 2**23 float32 zeros, 32 MiB deflated to 32 KB; loaded before, 2**28 took 7 GB and 40 s.
    "ngram-2**23": (
        lambda: _weights_with(
            "ngram_coef", _zeros_after(_npy("<f4", (1 << 23,), b"")[:128], 32 << 20)
        ),
        r"power-of-two length from 2 to 4194304 \(2\*\*22\)",
    ),
    # What the header says is enough: numpy allocated the array before reading its data.
    "ngram-2**28-float16": (
        lambda: _weights_with("ngram_coef", _npy("<f2", (1 << 28,), b"\0" * 64)),
        "'ngram_coef' .* must hold float32 or float64",
    ),
    "mean-2**28": (
        lambda: _weights_with("mean", _npy("<f8", (1 << 28,), b"\0" * 64)),
        rf"'mean' .* must have shape \({_N},\)",
    ),
    "mean-fortran-order": (
        lambda: _weights_with("mean", _npy("<f8", (_N,), bytes(8 * _N), fortran_order=True)),
        "'mean' .* Fortran order",
    ),
    "mean-structured": (
        lambda: _weights_with("mean", _npy([("a", "<f8")], (_N,), bytes(8 * _N))),
        "'mean' .* must hold float32 or float64",
    ),
    "mean-subarray": (
        lambda: _weights_with("mean", _npy(("<f8", (1 << 20,)), (_N,), b"")),
        "'mean' .* must hold float32 or float64",
    ),
    "mean-trailing-bytes": (
        lambda: _weights_with("mean", _npy("<f8", (_N,), bytes(8 * _N + 1))),
        "more bytes than its header says",
    ),
    "mean-truncated": (
        lambda: _weights_with("mean", _npy("<f8", (_N,), bytes(8 * _N - 1))),
        "truncated",
    ),
    "mean-npy-format-3": (
        lambda: _weights_with("mean", b"\x93NUMPY\x03\x00" + bytes(64)),
        r"\.npy format \(3, 0\)",
    ),
    "mean-header-too-long": (
        lambda: _weights_with("mean", b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30)),
        "header of 1073741824 bytes",
    ),
    "mean-not-npy": (lambda: _weights_with("mean", b"PK\x03\x04" * 4), "not an .npy array"),
}


@pytest.mark.parametrize("case", list(_HOSTILE_HEADERS), ids=list(_HOSTILE_HEADERS))
def test_an_array_is_refused_by_its_header_before_its_data_is_read(
    tmp_path: Path, case: str
) -> None:
    make, match = _HOSTILE_HEADERS[case]
    folder = _folder_with(tmp_path, make())
    error, peak = _peak_memory(lambda: autodm.load_bundle(folder))
    assert isinstance(error, autodm.BundleError), error
    assert re.search(match, str(error)), str(error)
    assert peak < 4 << 20


def test_a_zip_bomb_inside_weights_npz_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # An npz member was read by numpy through zipfile, which decompressed bzip2 whole.
    entries = [("mean.npy", 12, _bomb(12), 1000, 0)]
    with np.load(io.BytesIO(_shipped("weights.npz"))) as shipped:
        for name in ("calibration", "coef", "intercept", "scale"):
            saved = io.BytesIO()
            np.save(saved, shipped[name])
            data = saved.getvalue()
            entries.append((f"{name}.npy", 0, data, len(data), zlib.crc32(data)))
    folder = _folder_with(tmp_path, _zip(entries))
    error, peak = _peak_memory(lambda: autodm.load_bundle(folder))
    assert isinstance(error, autodm.BundleError)
    assert "mean.npy in weights.npz" in str(error)
    assert "zip method 12" in str(error)
    assert peak < 4 << 20


_SMALL = Path(__file__).parent / "fixtures" / "bundle-format-1"


@functools.cache
def _small_npy_members() -> dict[str, bytes]:
    """The .npy members of a small bundle's weights.npz (256 n-gram buckets)."""
    with zipfile.ZipFile(_SMALL / "weights.npz") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _loads_or_is_refused(path: Path) -> None:
    try:
        bundle = autodm.load_bundle(path)
    except autodm.BundleError:
        return
    for name in ("mean", "scale", "coef", "ngram_coef"):
        value = getattr(bundle, name)
        assert value is None or (value.dtype == np.float64 and np.all(np.isfinite(value)))


@settings(max_examples=200, deadline=None)
@given(
    member=st.sampled_from(sorted(_small_npy_members())),
    edits=st.lists(st.tuples(st.integers(0, 127), st.integers(0, 255)), min_size=1, max_size=6),
    method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
)
def test_a_damaged_npy_header_loads_or_is_refused_with_a_bundle_error(
    tmp_path_factory: pytest.TempPathFactory,
    member: str,
    edits: list[tuple[int, int]],
    method: int,
) -> None:
    """Bytes of an array's .npy header changed, and the npz written with the right CRCs, so
    that the header parser (not zipfile's checks) meets the damage."""
    members = dict(_small_npy_members())
    damaged = bytearray(members[member])
    for position, value in edits:
        damaged[position] = value
    members[member] = bytes(damaged)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    folder = tmp_path_factory.mktemp("npy")
    (folder / "manifest.json").write_bytes((_SMALL / "manifest.json").read_bytes())
    (folder / "weights.npz").write_bytes(buffer.getvalue())
    _loads_or_is_refused(folder)


@functools.cache
def _small_zip(method: int) -> bytes:
    """The small bundle as a zip: both levels stored, or both deflated."""
    weights = io.BytesIO()
    with zipfile.ZipFile(weights, "w", compression=method) as archive:
        for name, data in _small_npy_members().items():
            archive.writestr(name, data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("manifest.json", (_SMALL / "manifest.json").read_bytes())
        archive.writestr("weights.npz", weights.getvalue())
    return buffer.getvalue()


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
    keep=st.floats(0.5, 1),
)
def test_a_damaged_bundle_zip_loads_or_is_refused_with_a_bundle_error(
    tmp_path_factory: pytest.TempPathFactory,
    method: int,
    edits: list[tuple[float, int]],
    keep: float,
) -> None:
    """Any bytes of a bundle zip changed (headers, directory, data), and the zip cut short."""
    damaged = bytearray(_small_zip(method))
    for where, value in edits:
        damaged[int(where * len(damaged))] = value
    path = tmp_path_factory.mktemp("zip") / "bundle.zip"
    path.write_bytes(bytes(damaged[: max(1, int(keep * len(damaged)))]))
    _loads_or_is_refused(path)


def test_an_npy_reader_never_reads_a_negative_size(tmp_path: Path) -> None:
    """Whatever a check lets through: a stream read of a negative size reads to the end of
    the member, as far as its zip header declares (a deflated one can declare 4 GB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.npy", _npy("<f8", (-1,), bytes(64)))
    with zipfile.ZipFile(buffer) as archive, pytest.raises(autodm.BundleError, match="negative"):
        read_npy(archive, archive.getinfo("a.npy"), lambda header: None, "a.npy")
