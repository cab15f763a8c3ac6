"""Model bundles: loading, a save/load round trip, and hostile bundles refused safely."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import pickle
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autodm
from autodm import Bundle, BundleError, Detector, load_bundle
from autodm._bundle_checks import NGRAM_TOKENS
from autodm._model import ngram_tokens
from autodm._ngrams import text_features
from autodm._text import view

#: These tests train on a dozen messages, too few human ones to measure the target rate;
#: the warning that says so is tested in test_training.py.
pytestmark = pytest.mark.filterwarnings("ignore::autodm.errors.ThinDataWarning")

MEMBERS = ("manifest.json", "weights.npz")

# A tiny synthetic training set: 40 templated auto-DMs and 40 human messages.
_NAMES = ["Alex", "Maria", "Kenji", "Priya", "Olu", "Sam", "Jordan", "Chen", "Lukas", "Ana"]
_AUTO_TEMPLATES = [
    "Hi {name}, thanks for the follow! Check out my shop at https://bit.ly/shop{i}",
    "Thanks for following {name}! Please like my Facebook page: https://fb.com/page{i}",
    "Hey {name}! Follow back or I'll unfollow. Use code SAVE{i} for 20% off",
    "Welcome {name}! Download my free ebook here https://tinyurl.com/ebook{i}",
]
_HUMAN = [
    "are we still on for lunch tomorrow?",
    "I left my keys at your place, can you check?",
    "lol that movie was so bad",
    "did you finish the report for the client?",
    "my train is late again, be there in 20",
    "can you send me the photos from saturday",
    "happy birthday!! hope you have an amazing day",
    "what time does the game start tonight",
    "I think the bug is in the parser, not the lexer",
    "thanks for dinner yesterday, it was lovely",
    "do you know a good dentist near the office",
    "grandma says hi and asks when you are visiting",
    "the cat knocked the plant over again",
    "should we get pizza or thai tonight",
    "just landed, will call you from the taxi",
    "that meeting could have been an email honestly",
    "can I borrow your ladder this weekend",
    "the wifi password is on the fridge",
    "running late, start without me",
    "did you see the news about the bridge",
]
PROBES = [
    "Hi Zoe, thanks for the follow! Check out my shop at https://bit.ly/shop99",
    "are we still on for dinner tonight?",
    "Thanks for following Bo! Please like my page",
    "",
    "the parser is fine now, thanks",
]


def _training_set() -> tuple[list[str], list[str]]:
    messages, labels = [], []
    for i in range(40):
        template = _AUTO_TEMPLATES[i % len(_AUTO_TEMPLATES)]
        messages.append(template.format(name=_NAMES[i % len(_NAMES)], i=i))
        labels.append("automated")
    for i in range(40):
        suffix = "" if i < len(_HUMAN) else [" ok?", " haha", " see ya", " cheers"][i % 4]
        messages.append(_HUMAN[i % len(_HUMAN)] + suffix)
        labels.append("human")
    return messages, labels


@pytest.fixture(scope="module")
def tiny_bundle() -> Bundle:
    messages, labels = _training_set()
    return autodm.train(messages, labels, cv=3, buckets=4096, description={"set": "tiny"})


@pytest.fixture(scope="module")
def good_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid bundle folder (a copy of the bundled model) to derive hostile ones from."""
    return load_bundle().save(tmp_path_factory.mktemp("good") / "bundle")


# ---------------------------------------------------------------------------------------------
# Loading and the round trip
# ---------------------------------------------------------------------------------------------


def test_load_bundled_model() -> None:
    bundle = load_bundle()
    assert isinstance(bundle, Bundle)
    assert 0.0 < bundle.threshold < 1.0
    # Format 3: the bundled recipe has a second text model (tfidf); it also weighs the
    # character n-grams (ngrams.char_weight, format 2).
    assert bundle.manifest["format_version"] == 3
    n = len(bundle.features)
    assert bundle.mean.shape == bundle.scale.shape == bundle.coef.shape == (n,)
    assert np.all(bundle.scale > 0)
    assert len(bundle.calibration) == 2
    assert set(bundle.operating_points) == {"strict", "balanced", "lenient"}
    assert set(bundle.features) <= set(Detector().feature_names)


def test_loaded_arrays_are_read_only() -> None:
    bundle = load_bundle()
    with pytest.raises(ValueError, match="read-only"):
        bundle.coef[0] = 1.0


def test_tiny_training_gives_a_working_bundle(tiny_bundle: Bundle) -> None:
    assert tiny_bundle.manifest["training"]["set"] == "tiny"
    assert tiny_bundle.manifest["training"]["messages"] == 80
    assert tiny_bundle.ngram_coef is not None
    assert tiny_bundle.ngram_coef.shape == (4096,)
    detector = Detector(tiny_bundle)
    assert detector.classify(PROBES[0]).probability > detector.classify(PROBES[1]).probability


def test_a_zip_that_cannot_be_replaced_stays_as_it_was(
    tiny_bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The zip is written whole to a partial file and renamed over the old one, so a failure
    # (a full disk, a crash) leaves the previous bundle loadable and nothing else behind.
    path = tiny_bundle.save(tmp_path / "b.zip")
    before = path.read_bytes()

    def refuse(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    changed = dataclasses.replace(tiny_bundle, intercept=tiny_bundle.intercept + 1.0)
    with pytest.raises(OSError, match="disk full"):
        changed.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.zip"]
    assert changed.save(path) == path
    assert load_bundle(path).intercept == tiny_bundle.intercept + 1.0


@pytest.mark.parametrize("target", ["b", "b.zip", "nested/dir/b.zip", "b.ZIP"])
def test_save_and_load_round_trip(tiny_bundle: Bundle, tmp_path: Path, target: str) -> None:
    written = tiny_bundle.save(tmp_path / target)
    assert written == tmp_path / target
    assert written.is_file() == target.lower().endswith(".zip")
    if written.suffix.lower() == ".zip":
        with zipfile.ZipFile(written) as archive:
            assert sorted(archive.namelist()) == sorted(MEMBERS)
    else:
        assert sorted(p.name for p in written.iterdir()) == sorted(MEMBERS)
    loaded = load_bundle(written)
    assert loaded.features == tiny_bundle.features
    assert loaded.threshold == tiny_bundle.threshold
    assert loaded.operating_points == tiny_bundle.operating_points
    assert loaded.context_evidence == tiny_bundle.context_evidence
    for name in ("mean", "scale", "coef", "ngram_coef"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(tiny_bundle, name))
    assert loaded.intercept == tiny_bundle.intercept
    assert loaded.calibration == tiny_bundle.calibration

    in_memory, from_disk = Detector(tiny_bundle), Detector(written)
    contexts = [None, {"followed_at": 0, "sent_at": 4}, None, None, {"sender_history": PROBES}]
    for message, context in zip(PROBES, contexts, strict=True):
        assert from_disk.classify(message, context) == in_memory.classify(message, context)
        assert (
            from_disk.classify(message, context).probability
            == in_memory.classify(message, context).probability
        )


def test_a_bundle_built_with_other_dtypes_saves_what_load_reads(
    tiny_bundle: Bundle, tmp_path: Path
) -> None:
    # load_bundle reads float32 and float64 arrays only; save writes float64 (ngram_coef
    # float32) whatever a Bundle built in code holds.
    built = dataclasses.replace(
        tiny_bundle,
        mean=tiny_bundle.mean.astype(np.float16),
        scale=tiny_bundle.scale.astype(np.longdouble),
        coef=np.ones(len(tiny_bundle.coef), dtype=np.int64),
    )
    loaded = load_bundle(built.save(tmp_path / "b.zip"))
    for name in ("mean", "scale", "coef"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(built, name))


def test_save_replaces_members_and_leaves_other_files(tiny_bundle: Bundle, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "manifest.json").write_text("stale")
    tiny_bundle.save(folder)
    assert (folder / "notes.txt").read_text() == "mine"
    assert json.loads((folder / "manifest.json").read_text())["format_version"] == 1


def test_a_pickled_bundle_keeps_its_arrays_read_only() -> None:
    # Regression: pickle brought them back writable, so a detector's weights could be
    # changed in place under it (joblib workers receive bundles pickled).
    bundle = load_bundle()
    copy = pickle.loads(pickle.dumps(bundle))
    for name in ("mean", "scale", "coef", "ngram_coef"):
        array = getattr(copy, name)
        np.testing.assert_array_equal(array, getattr(bundle, name))
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    assert copy.manifest == bundle.manifest
    assert (copy.intercept, copy.calibration) == (bundle.intercept, bundle.calibration)


def _same_bundle(path: Path, bundle: Bundle) -> bool:
    loaded = load_bundle(path)
    return loaded.threshold == bundle.threshold and np.array_equal(loaded.coef, bundle.coef)


@pytest.mark.skipif(sys.platform == "win32", reason="a file size limit is POSIX")
@pytest.mark.parametrize("target", ["b", "b.zip"])
def test_a_save_that_fails_on_a_full_disk_leaves_the_old_bundle_whole(
    tmp_path: Path, target: str
) -> None:
    # Regression: a folder's members were written in place, the manifest first: a disk that
    # filled up while the weights were written left the old bundle unloadable, or a new
    # manifest over the old weights. A file size limit stands for the full disk.
    old = load_bundle()
    path = old.save(tmp_path / target)
    script = (
        "import resource, signal, dataclasses, sys, autodm\n"
        "old = autodm.load_bundle()\n"
        "new = dataclasses.replace(old, coef=old.coef + 1.0, manifest={**old.manifest, "
        "'threshold': 0.5})\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (5000, resource.RLIM_INFINITY))\n"
        "try:\n"
        "    new.save(sys.argv[1])\n"
        "except OSError as error:\n"
        "    print(error.errno)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "the save did not fail"
    assert _same_bundle(path, old)
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        [target] + (["manifest.json", "weights.npz"] if target == "b" else [])
    )  # no partial file left behind


@pytest.mark.parametrize("existed", [True, False])
def test_a_folder_save_whose_manifest_fails_puts_the_old_weights_back(
    tiny_bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existed: bool
) -> None:
    import autodm._bundle as bundle_module

    folder = tmp_path / "b"
    if existed:
        tiny_bundle.save(folder)
    real = bundle_module.replace_atomically

    def failing(target: Path, data: bytes) -> None:
        if target.name == "manifest.json":
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(bundle_module, "replace_atomically", failing)
    new = dataclasses.replace(tiny_bundle, coef=tiny_bundle.coef + 1.0)
    with pytest.raises(OSError, match="No space left"):
        new.save(folder)
    monkeypatch.undo()
    if existed:
        assert _same_bundle(folder, tiny_bundle)
    else:
        assert not (folder / "weights.npz").exists()


def test_the_loader_reads_tables_for_the_signals_scoring_reads_as_context() -> None:
    from autodm._bundle_checks import CONTEXT_SIGNALS
    from autodm._design import CONTEXT_FEATURES
    from autodm._model import DEFAULT_CONTEXT_EVIDENCE

    assert CONTEXT_FEATURES | set(DEFAULT_CONTEXT_EVIDENCE) == CONTEXT_SIGNALS


def test_a_bundle_whose_manifest_load_would_refuse_is_not_built() -> None:
    from autodm._bundle import bundle_from_parts

    bundle = load_bundle()
    arrays = bundle._stored_arrays()
    bundle_from_parts(dict(bundle.manifest), arrays)  # as it is: built
    big = {**bundle.manifest, "metrics": {"notes": "x" * (1 << 20)}}
    with pytest.raises(BundleError, match="load_bundle reads at most 1,048,576"):
        bundle_from_parts(big, arrays)


def test_a_manifest_at_the_size_limit_saves_as_a_folder_and_a_zip_and_loads(
    tmp_path: Path,
) -> None:
    """Regression: bundle_from_parts (what train returns) counted the manifest without the
    newline a folder's file ends with, and save counted that newline in a zip too, so a
    manifest of exactly 1 MiB was built by one and refused by the other."""
    from autodm._bundle import _manifest_text, bundle_from_parts

    bundle = load_bundle()
    arrays = bundle._stored_arrays()
    limit = 1 << 20
    manifest = {**bundle.manifest, "metrics": {"notes": ""}}
    pad = limit - 1 - len(_manifest_text(manifest).encode("utf-8"))
    manifest["metrics"] = {"notes": "x" * pad}  # a folder's file of exactly 1 MiB
    built = bundle_from_parts(manifest, arrays)
    for target in (tmp_path / "folder", tmp_path / "bundle.zip"):
        assert load_bundle(built.save(target)).manifest == built.manifest
    assert (tmp_path / "folder" / "manifest.json").stat().st_size == limit
    manifest["metrics"] = {"notes": "x" * (pad + 1)}
    with pytest.raises(BundleError, match="load_bundle reads at most 1,048,576"):
        bundle_from_parts(manifest, arrays)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("threshold", math.nan, "holds NaN"),
        ("threshold", 2.0, "needs `threshold` in"),
        ("metrics", {"auc": math.inf}, "holds Infinity .*`metrics.auc`"),
        ("coef", math.inf, "array 'coef' .* holds NaN or infinite values"),
    ],
)
def test_save_refuses_a_bundle_load_would_refuse_and_writes_nothing(
    tmp_path: Path, field: str, value: Any, match: str
) -> None:
    """A Bundle built in code skips the checks of loading; save wrote it anyway, and the
    bundle on disk could not be loaded."""
    bundle = load_bundle()
    if field == "coef":
        bad = dataclasses.replace(bundle, coef=np.full_like(bundle.coef, value))
    else:
        bad = dataclasses.replace(bundle, manifest={**bundle.manifest, field: value})
    for target in (tmp_path / "folder", tmp_path / "bundle.zip"):
        with pytest.raises(BundleError, match=match):
            bad.save(target)
        assert not target.exists()
    bundle.save(tmp_path / "folder")
    with pytest.raises(BundleError):
        bad.save(tmp_path / "folder")
    assert _same_bundle(tmp_path / "folder", bundle)


@pytest.mark.parametrize(("path", "problem"), [("", "is empty"), ("a\0b", "holds a NUL")])
def test_a_save_path_that_names_no_file_is_refused(
    tiny_bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, problem: str
) -> None:
    # Regression: "" saved into the current folder, and a NUL raised a bare ValueError.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(autodm.InvalidInputError, match=problem):
        tiny_bundle.save(path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_folder_save_follows_a_link_to_nothing_as_a_zip_save_does(
    tiny_bundle: Bundle, tmp_path: Path
) -> None:
    # Regression: FileExistsError from making the folder where the link is.
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "made")
    tiny_bundle.save(link)
    assert _same_bundle(tmp_path / "made", tiny_bundle)


def test_a_preset_of_a_bundle_without_operating_points_says_so(tiny_bundle: Bundle) -> None:
    bare = dataclasses.replace(
        tiny_bundle, manifest={**tiny_bundle.manifest, "operating_points": {}}
    )
    with pytest.raises(autodm.InvalidInputError, match="this bundle has none"):
        Detector(bare, threshold="strict")
    assert Detector(bare, threshold=0.5).threshold == 0.5


@pytest.mark.parametrize(("target", "existing"), [("b", "file"), ("b.zip", "folder")])
def test_save_over_the_wrong_kind_of_path_is_refused(
    tiny_bundle: Bundle, tmp_path: Path, target: str, existing: str
) -> None:
    """A file is never replaced by a folder bundle, nor a folder by a zip."""
    path = tmp_path / target
    if existing == "file":
        path.write_text("mine")
    else:
        (path / "inside").mkdir(parents=True)
    with pytest.raises(autodm.InvalidInputError, match=f"an existing {existing}"):
        tiny_bundle.save(path)
    assert (path.read_text() == "mine") if existing == "file" else path.is_dir()
    with pytest.raises(autodm.InvalidInputError, match="must be a str"):
        tiny_bundle.save(123)  # type: ignore[arg-type]


def test_zip_with_members_inside_one_folder_loads(good_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "nested.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in MEMBERS:
            archive.writestr(f"bundle/{name}", (good_dir / name).read_bytes())
    assert load_bundle(path).features == load_bundle().features


def test_detector_accepts_a_bundle_path(good_dir: Path) -> None:
    assert Detector(good_dir).classify("see you at 6") == Detector().classify("see you at 6")
    assert Detector(str(good_dir)).threshold == load_bundle().threshold


# ---------------------------------------------------------------------------------------------
# Hostile bundles
# ---------------------------------------------------------------------------------------------


def _arrays(good_dir: Path) -> dict[str, np.ndarray]:
    with np.load(good_dir / "weights.npz", allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _manifest(good_dir: Path) -> dict[str, Any]:
    return json.loads((good_dir / "manifest.json").read_text(encoding="utf-8"))


def _npz(arrays: dict[str, Any], allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=allow_pickle, **arrays)
    return buffer.getvalue()


def _folder(
    tmp_path: Path, good_dir: Path, manifest: bytes | None = None, weights: bytes | None = None
) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(
        manifest if manifest is not None else (good_dir / "manifest.json").read_bytes()
    )
    (folder / "weights.npz").write_bytes(
        weights if weights is not None else (good_dir / "weights.npz").read_bytes()
    )
    return folder


def _refused(path: object, match: str | None = None) -> BundleError:
    with pytest.raises(BundleError, match=match) as info:
        load_bundle(path)  # type: ignore[arg-type]
    with pytest.raises(BundleError):
        Detector(path)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize("missing", MEMBERS)
def test_folder_missing_a_member(good_dir: Path, tmp_path: Path, missing: str) -> None:
    folder = _folder(tmp_path, good_dir)
    (folder / missing).unlink()
    _refused(folder, match=missing)


def test_a_folder_is_read_for_its_two_members_only(good_dir: Path, tmp_path: Path) -> None:
    """Files beside the members (save leaves them in place) are never read; a zip's are refused."""
    folder = _folder(tmp_path, good_dir)
    (folder / "README.md").write_text("my model")
    (folder / ".DS_Store").write_bytes(pickle.dumps(_CreatesAFile(tmp_path / "pwned")))
    (folder / "old").mkdir()
    (folder / "old" / "weights.npz").write_bytes(b"not an npz")
    assert Detector(folder).classify("see you at 6") == Detector(good_dir).classify("see you at 6")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name", MEMBERS)
def test_folder_with_a_member_over_its_limit(good_dir: Path, tmp_path: Path, name: str) -> None:
    limit = 1 << 20 if name == "manifest.json" else 16 << 20
    folder = _folder(tmp_path, good_dir)
    with (folder / name).open("r+b") as member:
        member.truncate(limit + 1)  # a sparse file: nothing is written
    _refused(folder, match=f"{name} of bundle .* is larger than {limit} bytes")


@pytest.mark.skipif(not Path("/proc/self/pagemap").exists(), reason="needs Linux's /proc")
def test_folder_member_linked_to_a_file_that_reports_no_size(
    good_dir: Path, tmp_path: Path
) -> None:
    # /proc files report a size of 0 whatever they hold; pagemap holds 8 bytes per page of
    # the address space. It was read whole, which failed with a raw OSError.
    folder = _folder(tmp_path, good_dir)
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").symlink_to("/proc/self/pagemap")
    _refused(folder, match="manifest.json of bundle .* is larger than")


@pytest.mark.parametrize("missing", MEMBERS)
def test_zip_missing_a_member(good_dir: Path, tmp_path: Path, missing: str) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in MEMBERS:
            if name != missing:
                archive.writestr(name, (good_dir / name).read_bytes())
    _refused(path, match=missing)


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"a string"', b"null"],
    ids=["broken", "empty", "not-utf8", "list", "string", "null"],
)
def test_manifest_not_a_json_object(good_dir: Path, tmp_path: Path, raw: bytes) -> None:
    _refused(_folder(tmp_path, good_dir, manifest=raw), match="manifest.json")


_MANIFEST_EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "format-999": lambda m: m.update(format_version=999),
    "format-0": lambda m: m.update(format_version=0),
    "format-str": lambda m: m.update(format_version="1"),
    "format-bool": lambda m: m.update(format_version=True),
    "format-missing": lambda m: m.pop("format_version"),
    "features-one-short": lambda m: m.update(features=m["features"][:-1]),
    "features-one-extra": lambda m: m.update(features=[*m["features"], "bonus"]),
    "features-duplicate": lambda m: m.update(features=[m["features"][0]] * len(m["features"])),
    "features-empty": lambda m: m.update(features=[]),
    "features-not-str": lambda m: m.update(features=list(range(len(m["features"])))),
    "threshold-high": lambda m: m.update(threshold=1.5),
    "threshold-missing": lambda m: m.pop("threshold"),
    "operating-point-unknown": lambda m: m["operating_points"].update(max={"threshold": 0.5}),
    "operating-point-bad": lambda m: m["operating_points"].update(strict={"threshold": 7}),
    "operating-point-a-list": lambda m: m["operating_points"].update(strict=[0.5]),
    "operating-points-a-list": lambda m: m.update(operating_points=[]),
    "operating-points-a-str": lambda m: m.update(operating_points="strict"),
    "operating-points-null": lambda m: m.update(operating_points=None),
    # Regression: loaded, then evaluate() failed on float("n/a") with a traceback.
    "operating-point-recall-a-str": lambda m: m["operating_points"]["strict"].update(recall="n/a"),
    "operating-point-fpr-negative": lambda m: m["operating_points"]["lenient"].update(fpr=-0.1),
    "operating-point-target-a-bool": lambda m: m["operating_points"]["strict"].update(
        target_fpr=True
    ),
    # Regression: loaded, and scored with the default tokens and no character n-grams.
    "ngrams-null-beside-ngram-coef": lambda m: m.update(ngrams=None),
    "context-evidence-a-list": lambda m: m.update(context_evidence=[]),
    "context-evidence-a-number": lambda m: m.update(context_evidence=3),
    "context-evidence-null": lambda m: m.update(context_evidence=None),
    # Regression: loaded, and scoring added the table's evidence to a text signal's weight.
    "context-table-of-a-text-signal": lambda m: m["context_evidence"].update(
        link_count={"edges": [0.0, 1.0], "log_lr": [0.0, 5.0]}
    ),
    "context-table-a-list": lambda m: m["context_evidence"].update(
        history_similarity=[[0.0], [0.0]]
    ),
    "ngrams-a-list": lambda m: m.update(ngrams=[]),
    "ngrams-a-str": lambda m: m.update(ngrams="plain"),
    "context-table-unsorted": lambda m: m["context_evidence"].update(
        history_similarity={"edges": [1.0, 0.0], "log_lr": [0.0, 0.0]}
    ),
    "context-table-lengths": lambda m: m["context_evidence"].update(
        history_similarity={"edges": [0.0, 1.0], "log_lr": [0.0]}
    ),
    # Scoring looks a value up from the first edge: an empty table broke every classify().
    "context-table-empty": lambda m: m["context_evidence"].update(
        seconds_after_follow={"edges": [], "log_lr": []}
    ),
    "context-log-lr-huge": lambda m: m["context_evidence"].update(
        history_similarity={"edges": [0.0, 1.0], "log_lr": [1e308, 1e308]}
    ),
    "context-edge-huge-int": lambda m: m["context_evidence"].update(
        history_similarity={"edges": [0, 10**400], "log_lr": [0.0, 0.0]}
    ),
    "ngram-tokens-unknown": lambda m: m["ngrams"].update(tokens="stemmed"),
    "ngram-buckets-over-2**22": lambda m: m["ngrams"].update(buckets=1 << 23),
    "ngram-buckets-not-a-power-of-two": lambda m: m["ngrams"].update(buckets=1000),
    "ngram-buckets-a-str": lambda m: m["ngrams"].update(buckets="262144"),
    # The bundled model's ngram_coef has 2**18 entries.
    "ngram-buckets-not-the-array's": lambda m: m["ngrams"].update(buckets=1 << 17),
    "threshold-huge-int": lambda m: m.update(threshold=10**400),
}

_CHAR_WEIGHT_EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "zero": lambda m: m["ngrams"].update(char_weight=0),
    "negative": lambda m: m["ngrams"].update(char_weight=-0.5),
    "str": lambda m: m["ngrams"].update(char_weight="0.5"),
    "bool": lambda m: m["ngrams"].update(char_weight=True),
    "null": lambda m: m["ngrams"].update(char_weight=None),
    "nan": lambda m: m["ngrams"].update(char_weight=float("nan")),
    "infinite": lambda m: m["ngrams"].update(char_weight=float("inf")),
    "huge-int": lambda m: m["ngrams"].update(char_weight=10**400),
    "too-large": lambda m: m["ngrams"].update(char_weight=1e308),
    "in-format-1": lambda m: m.update(format_version=1, ngrams={**m["ngrams"], "char_weight": 0.5}),
}


@pytest.mark.parametrize("edit", list(_CHAR_WEIGHT_EDITS), ids=list(_CHAR_WEIGHT_EDITS))
def test_manifest_with_a_bad_char_weight(good_dir: Path, tmp_path: Path, edit: str) -> None:
    manifest = _manifest(good_dir)
    _CHAR_WEIGHT_EDITS[edit](manifest)
    raw = json.dumps(manifest).encode()  # NaN and Infinity as JSON extensions, as a file may hold
    _refused(_folder(tmp_path, good_dir, manifest=raw), match="char_weight")


@pytest.mark.parametrize("edit", list(_MANIFEST_EDITS), ids=list(_MANIFEST_EDITS))
def test_manifest_with_bad_content(good_dir: Path, tmp_path: Path, edit: str) -> None:
    manifest = _manifest(good_dir)
    _MANIFEST_EDITS[edit](manifest)
    _refused(_folder(tmp_path, good_dir, manifest=json.dumps(manifest).encode()))


def _with_json(good_dir: Path, members: bytes) -> bytes:
    """The good manifest with ``members`` (JSON text, such as ``b'"x": 1'``) added last."""
    text = (good_dir / "manifest.json").read_bytes().rstrip()
    assert text.endswith(b"}")
    return text[:-1] + b", " + members + b"}"


_UNREADABLE_MANIFESTS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    # name: (the manifest, what the error says)
    "nested-100000": (lambda good: b"[" * 100_000 + b"]" * 100_000, "too deep"),
    "nested-101": (lambda good: _with_json(good, b'"x": ' + b"[" * 100 + b"]" * 100), "levels"),
    "int-5001-digits": (lambda good: _with_json(good, b'"x": -1' + b"0" * 5000), "5001 digits"),
    "duplicate-key": (lambda good: _with_json(good, b'"threshold": 0.0'), "'threshold' twice"),
    "duplicate-nested-key": (lambda good: _with_json(good, b'"x": {"a": 1, "a": 1}'), "'a' twice"),
    "lone-surrogate": (lambda good: _with_json(good, b'"x": ["\\ud800"]'), "surrogate"),
    "lone-surrogate-key": (lambda good: _with_json(good, b'"\\udfff": 1'), "surrogate"),
    # Python's json reads these, JSON has no such numbers, and save wrote them back.
    "nan": (lambda good: _with_json(good, b'"x": {"auc": NaN}'), "holds NaN at `x.auc`"),
    "infinity": (lambda good: _with_json(good, b'"x": [Infinity]'), "holds Infinity .*`x\\[0\\]`"),
    "minus-infinity": (lambda good: _with_json(good, b'"x": -Infinity'), "holds -Infinity .*`x`"),
    "too-large": (lambda good: _with_json(good, b'"x": {"y": 1e999}'), "too large .*`x.y`"),
    "odd-keys": (lambda good: _with_json(good, b'"a.b": {"": NaN}'), r"at `\['a.b'\]\[''\]`"),
}


@pytest.mark.parametrize("case", list(_UNREADABLE_MANIFESTS), ids=list(_UNREADABLE_MANIFESTS))
def test_manifest_json_that_no_bundle_may_hold(good_dir: Path, tmp_path: Path, case: str) -> None:
    """JSON that Python reads with a raw RecursionError or ValueError, reads as the last of
    a duplicated key, or reads into strings that are not Unicode and that save could not
    write: each is refused with a BundleError saying what was wrong."""
    make, match = _UNREADABLE_MANIFESTS[case]
    _refused(_folder(tmp_path, good_dir, manifest=make(good_dir)), match=match)


def test_manifest_json_at_the_limits_loads(good_dir: Path, tmp_path: Path) -> None:
    # 99 lists in "x" in the manifest object: 100 levels. An escaped surrogate pair is
    # one character, not a lone surrogate.
    nested = b"[" * 99 + b"]" * 99
    raw = _with_json(good_dir, b'"x": ' + nested + b', "y": "\\ud83d\\ude00"')
    bundle = load_bundle(_folder(tmp_path, good_dir, manifest=raw))
    assert bundle.manifest["y"] == "\N{GRINNING FACE}"
    assert bundle.save(tmp_path / "again").is_dir()


def test_newer_format_version_says_so(good_dir: Path, tmp_path: Path) -> None:
    manifest = {**_manifest(good_dir), "format_version": 999}
    _refused(_folder(tmp_path, good_dir, manifest=json.dumps(manifest).encode()), match="999")


def test_feature_count_must_match_arrays(good_dir: Path, tmp_path: Path) -> None:
    manifest = _manifest(good_dir)
    manifest["features"] = manifest["features"][:-1]
    error = _refused(_folder(tmp_path, good_dir, manifest=json.dumps(manifest).encode()))
    assert "shape" in str(error)


class _CreatesAFile:
    """Unpickling this opens ``path`` for writing, which creates the file."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def test_object_array_is_refused(good_dir: Path, tmp_path: Path) -> None:
    arrays = _arrays(good_dir)
    arrays["mean"] = np.array(list(arrays["mean"]), dtype=object)
    weights = _npz(arrays, allow_pickle=True)
    # By the dtype in its header, before its pickled data is read.
    _refused(_folder(tmp_path, good_dir, weights=weights), match="'mean' .* must hold float32")


def test_pickled_payload_is_never_unpickled(good_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    arrays = _arrays(good_dir)
    arrays["coef"] = np.array([_CreatesAFile(marker)], dtype=object)
    weights = _npz(arrays, allow_pickle=True)
    _refused(_folder(tmp_path, good_dir, weights=weights))
    assert not marker.exists()

    # Positive control: the payload is live, unpickling it does create the file.
    control = tmp_path / "control"
    live = _npz({"coef": np.array([_CreatesAFile(control)], dtype=object)}, allow_pickle=True)
    with np.load(io.BytesIO(live), allow_pickle=True) as npz:
        npz["coef"][0].close()  # the unpickled object is the opened file
    assert control.exists()


def test_plain_pickle_as_weights_is_never_unpickled(good_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    weights = pickle.dumps(_CreatesAFile(marker))
    _refused(_folder(tmp_path, good_dir, weights=weights), match="weights.npz")
    assert not marker.exists()


def test_ngrams_in_the_manifest_without_ngram_coef_are_refused(
    good_dir: Path, tmp_path: Path
) -> None:
    # Regression: loaded, and the n-gram evidence was silently dropped.
    arrays = _arrays(good_dir)
    del arrays["ngram_coef"]
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match="lacks 'ngram_coef'")


@pytest.mark.parametrize(
    "name", ["mean", "scale", "coef", "intercept", "calibration", "ngram_coef"]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_values(good_dir: Path, tmp_path: Path, name: str, bad: float) -> None:
    arrays = _arrays(good_dir)
    arrays[name] = arrays[name].copy()
    arrays[name][-1] = bad
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)))


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("coef", lambda a: a.reshape(-1, 1)),
        ("coef", lambda a: np.append(a, 0.0)),
        ("mean", lambda a: a[:-1]),
        ("intercept", lambda a: np.array([0.0, 0.0])),
        ("calibration", lambda a: np.array([1.0])),
        ("ngram_coef", lambda a: np.zeros(1000)),
        ("ngram_coef", lambda a: np.zeros((64, 64))),
    ],
    ids=[
        "coef-2d",
        "coef-long",
        "mean-short",
        "intercept-2",
        "calibration-1",
        "ngram-1000",
        "ngram-2d",
    ],
)
def test_wrong_shapes(good_dir: Path, tmp_path: Path, name: str, make: Callable) -> None:
    arrays = _arrays(good_dir)
    arrays[name] = make(arrays[name])
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match=name)


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int8, np.bool_, np.complex128, "U3", np.float16, np.longdouble]
)
def test_wrong_dtype(good_dir: Path, tmp_path: Path, dtype: Any) -> None:
    arrays = _arrays(good_dir)
    arrays["mean"] = np.ones_like(arrays["mean"]).astype(dtype)
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match="mean")


@pytest.mark.skipif(
    np.finfo(np.longdouble).max <= np.finfo(np.float64).max, reason="no float wider than float64"
)
def test_a_wider_float_is_refused_not_checked_as_itself(good_dir: Path, tmp_path: Path) -> None:
    # 1e400 is finite as a float128, and was checked as one; as float64, which scoring
    # reads, it is infinite. Saving the loaded bundle wrote a bundle that load refused.
    arrays = _arrays(good_dir)
    arrays["scale"] = arrays["scale"].astype(np.longdouble)
    arrays["scale"][0] = np.longdouble("1e400")
    assert np.isfinite(arrays["scale"][0])
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match="'scale' .* float32 or")


def test_arrays_stored_as_float32_or_big_endian_load_as_float64(
    good_dir: Path, tmp_path: Path
) -> None:
    arrays = _arrays(good_dir)
    stored = {name: array.astype(">f4") for name, array in arrays.items()}
    loaded = load_bundle(_folder(tmp_path, good_dir, weights=_npz(stored)))
    for name in ("mean", "scale", "coef", "ngram_coef"):
        value = getattr(loaded, name)
        assert value.dtype == np.float64
        np.testing.assert_array_equal(value, arrays[name].astype(np.float32))
    # The TF-IDF model's 2**20-long arrays stay float32, in the machine's byte order; scoring
    # widens each value it reads (tests/test_tfidf.py).
    for name in ("tfidf_idf", "tfidf_coef"):
        value = getattr(loaded, name)
        assert value.dtype == np.dtype(np.float32)
        assert value.dtype.isnative
        np.testing.assert_array_equal(value, arrays[name].astype(np.float32))
    stored = {**arrays, "tfidf_idf": arrays["tfidf_idf"].astype(np.float64)}  # within 16 MiB
    (tmp_path / "wide").mkdir()
    wide = load_bundle(_folder(tmp_path / "wide", good_dir, weights=_npz(stored)))
    assert wide.tfidf_idf is not None
    assert wide.tfidf_idf.dtype == np.float64  # what was stored as float64 stays so


def test_several_bad_arrays_name_the_same_one_in_every_process(
    good_dir: Path, tmp_path: Path
) -> None:
    # Array names were once walked as a set, so which bad array the error named followed
    # the interpreter's string hashing, and changed from run to run.
    arrays = _arrays(good_dir)
    arrays["mean"] = np.ones_like(arrays["mean"]).astype(np.int64)
    arrays["coef"] = np.zeros((2, 2))
    folder = _folder(tmp_path, good_dir, weights=_npz(arrays))
    script = (
        "import sys, autodm\n"
        "try:\n    autodm.load_bundle(sys.argv[1])\n"
        "except autodm.BundleError as error:\n    print(error)\n"
    )
    messages = {
        subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(messages) == 1
    assert "coef" in messages.pop()


def test_non_positive_scale(good_dir: Path, tmp_path: Path) -> None:
    arrays = _arrays(good_dir)
    arrays["scale"] = arrays["scale"].copy()
    arrays["scale"][0] = 0.0
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match="scale")


_OVERFLOWING_WEIGHTS: dict[str, tuple[str, Callable[[dict[str, np.ndarray]], None], str]] = {
    # name: (array edited, edit, what the error names)
    "coef-huge": ("coef", lambda a: a.fill(1e308), "slope \\* coef / scale"),
    "scale-tiny": ("scale", lambda a: a.fill(1e-300), "slope \\* coef / scale"),
    "mean-huge": ("mean", lambda a: a.fill(1e300), "mean"),
    "intercept-huge": ("intercept", lambda a: a.fill(1e300), "intercept"),
    "offset-huge": ("calibration", lambda a: a.__setitem__(1, 1e300), "offset"),
    "slope-huge": ("calibration", lambda a: a.fill(1e308), "slope"),
    "slope-negative": ("calibration", lambda a: a.__setitem__(0, -1.0), "slope .* positive"),
    "slope-zero": ("calibration", lambda a: a.__setitem__(0, 0.0), "slope .* positive"),
    "ngram-huge": ("ngram_coef", lambda a: a.fill(1e30), "ngram_coef"),  # float32
}


@pytest.mark.parametrize("edit", list(_OVERFLOWING_WEIGHTS), ids=list(_OVERFLOWING_WEIGHTS))
def test_finite_weights_that_overflow_or_invert_verdicts(
    good_dir: Path, tmp_path: Path, edit: str
) -> None:
    """Finite arrays whose product as scoring forms it is infinite, NaN or absurdly large,
    or a slope that turns every verdict around (train() refuses one too)."""
    name, change, match = _OVERFLOWING_WEIGHTS[edit]
    arrays = _arrays(good_dir)
    arrays[name] = arrays[name].copy()
    change(arrays[name])
    assert np.all(np.isfinite(arrays[name]))
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match=match)


@pytest.mark.parametrize("change", ["missing-coef", "extra-array"])
def test_npz_with_wrong_members(good_dir: Path, tmp_path: Path, change: str) -> None:
    arrays = _arrays(good_dir)
    if change == "missing-coef":
        del arrays["coef"]
    else:
        arrays["backdoor"] = np.zeros(3)
    _refused(_folder(tmp_path, good_dir, weights=_npz(arrays)), match="weights.npz")


def test_weights_not_an_npz(good_dir: Path, tmp_path: Path) -> None:
    _refused(_folder(tmp_path, good_dir, weights=b"PK\x03\x04 not really"))


def _good_zip(good_dir: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in MEMBERS:
            archive.writestr(name, (good_dir / name).read_bytes())
    return path


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_truncated_zip(good_dir: Path, tmp_path: Path, keep: float) -> None:
    data = _good_zip(good_dir, tmp_path / "good.zip").read_bytes()
    path = tmp_path / "truncated.zip"
    path.write_bytes(data[: int(len(data) * keep)])
    _refused(path)


def test_zip_with_corrupt_compressed_data(good_dir: Path, tmp_path: Path) -> None:
    path = _good_zip(good_dir, tmp_path / "good.zip")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("manifest.json")
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + info.compress_size] = b"\xff" * info.compress_size  # invalid block type
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(data))
    _refused(corrupt)


@pytest.mark.parametrize(
    "member", ["../evil", "bundle/../../evil", "/etc/evil", "\\evil", "a/b/manifest.json"]
)
def test_zip_with_unsafe_member_path(good_dir: Path, tmp_path: Path, member: str) -> None:
    path = _good_zip(good_dir, tmp_path / "evil.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(member, "payload")
    _refused(path)
    assert not (tmp_path / "evil").exists()
    assert not (tmp_path.parent / "evil").exists()


@pytest.mark.parametrize("member", ["README.txt", "weights.pkl", "model/extra.json"])
def test_zip_with_unexpected_member(good_dir: Path, tmp_path: Path, member: str) -> None:
    path = _good_zip(good_dir, tmp_path / "extra.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(member, "x")
    _refused(path, match="unexpected member")


def test_zip_with_a_duplicate_member(good_dir: Path, tmp_path: Path) -> None:
    path = _good_zip(good_dir, tmp_path / "dup.zip")
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("manifest.json", (good_dir / "manifest.json").read_bytes())
    _refused(path, match="twice")


def test_paths_that_are_not_bundles(tmp_path: Path) -> None:
    _refused(tmp_path / "does-not-exist", match="does not exist")
    _refused(str(tmp_path / "does-not-exist.zip"), match="does not exist")
    plain = tmp_path / "plain.txt"
    plain.write_text("hello")
    _refused(plain, match="neither")
    _refused(tmp_path, match="missing")  # an empty folder
    _refused(123, match=r"str or path object \(pathlib.Path, os.PathLike\)")
    _refused(b"/tmp/bundle", match="str or path object")


def test_a_bundle_loads_from_any_path_object_it_saves_to(tmp_path: Path) -> None:
    # Regression: save() took any os.PathLike (pytest's tmpdir, say) but load_bundle and
    # Detector refused what it had just written.
    import autodm

    class Where:  # a path object that is not a pathlib.Path
        def __init__(self, path: Path) -> None:
            self.path = path

        def __fspath__(self) -> str:
            return str(self.path)

    where = Where(tmp_path / "b")
    bundle = autodm.load_bundle()
    bundle.save(where)
    assert autodm.load_bundle(where).threshold == bundle.threshold
    assert autodm.Detector(where).threshold == bundle.threshold


def test_bundle_with_unknown_feature_names_is_refused_by_the_detector(tmp_path: Path) -> None:
    """Names the extractors do not produce would silently score as the training mean."""
    import json

    import autodm

    bundle = autodm.load_bundle()
    folder = bundle.save(tmp_path / "b")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["features"] = ["not_a_feature", *manifest["features"][1:]]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    renamed = autodm.load_bundle(folder)  # well-formed on its own
    with pytest.raises(autodm.BundleError, match="not_a_feature") as info:
        autodm.Detector(renamed)
    assert "upgrade autodm" in str(info.value)  # what a bundle from a newer autodm needs


def test_the_bundled_model_was_trained_on_the_shipped_data_files() -> None:
    # Editing a lexicon, the bank or the domain lists means retraining the bundled model.
    from autodm._resources import data_digest

    assert load_bundle().manifest["training"]["data_digest"] == data_digest()


def _with_digest(tmp_path: Path, digest: object) -> Path:
    folder = load_bundle().save(tmp_path / "b")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if digest is None:
        del manifest["training"]["data_digest"]
    else:
        manifest["training"]["data_digest"] = digest
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _drifted(*kinds: str) -> dict[str, str]:
    from autodm._resources import data_digest

    return {k: ("0" * 64 if k in kinds else v) for k, v in data_digest().items()}


@pytest.mark.parametrize("kind", ["templates", "domains", "lexicons"])
def test_a_bundle_trained_on_other_data_files_warns(tmp_path: Path, kind: str) -> None:
    from autodm.errors import DataDriftWarning

    folder = _with_digest(tmp_path, _drifted(kind))
    with pytest.warns(DataDriftWarning, match=f"other {kind} than this autodm ships") as seen:
        detector = Detector(folder)
    assert seen[0].filename == __file__  # points at the caller's line
    # It still works: the warning is about exactness, not safety.
    assert detector.classify("Thanks for the follow! like my page").probability > 0.5


@pytest.mark.parametrize("digest", [None, 42, {"lexicons": 7}])  # none, or not digests: ignored
def test_a_bundle_without_a_data_digest_does_not_warn(tmp_path: Path, digest: object) -> None:
    folder = _with_digest(tmp_path, digest)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Detector(folder)


def test_own_templates_are_no_drift_but_the_lexicons_still_are(tmp_path: Path) -> None:
    from autodm.errors import DataDriftWarning

    own = [{"id": "t1", "family": "x", "text": "hello {name}"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Detector(_with_digest(tmp_path / "a", _drifted("templates")), templates=own)
    with pytest.warns(DataDriftWarning, match="other lexicons"):
        Detector(_with_digest(tmp_path / "b", _drifted("templates", "lexicons")), templates=own)


def test_the_digest_reads_values_not_layout_or_prose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import autodm._resources as resources

    before = resources.data_digest()
    raw = json.loads(resources.read_text("domains.json"))
    raw["description"] = "reworded"
    (tmp_path / "domains.json").write_text(json.dumps(raw, indent=7), encoding="utf-8")
    real = resources.read_text
    monkeypatch.setattr(
        resources,
        "read_text",
        lambda name: (tmp_path / name).read_text("utf-8") if name == "domains.json" else real(name),
    )
    resources.data_digest.cache_clear()
    try:
        assert resources.data_digest() == before
        raw["shorteners"] = [*raw["shorteners"], "short.example"]
        (tmp_path / "domains.json").write_text(json.dumps(raw), encoding="utf-8")
        resources.data_digest.cache_clear()
        changed = resources.data_digest()
        assert changed["domains"] != before["domains"]
        assert changed["lexicons"] == before["lexicons"]
    finally:
        resources.data_digest.cache_clear()


def test_autodm_runs_from_a_zip_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    package = Path(autodm.__file__).parent
    archive = tmp_path / "autodm.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(package.parent))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import autodm; "
        "assert autodm.__file__.startswith(sys.argv[1]), autodm.__file__; "
        "print(autodm.classify('Thx 4 the follow!! Like my FB page: bit.ly/x1Ab').label)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(archive)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "automated"


@pytest.mark.parametrize("kind", NGRAM_TOKENS)
def test_each_ngram_token_kind_reads_its_own_tokens(
    good_dir: Path, tmp_path: Path, kind: str
) -> None:
    """A bundle scores the tokens it was trained on, so older bundles keep their meaning."""
    messages = ("W1n £1,000 now! txt WIN to 87121 @promo_bot", "Hi Sam 👋")
    spam, greeting = (view(m) for m in messages)
    no_handle = spam.shaped_tokens[:-1]
    tokens = {
        "plain": (spam.tokens, greeting.tokens),
        "leet-folded": (spam.plain_tokens, greeting.tokens),
        "leet-folded+number-shapes": (spam.shaped_tokens, greeting.tokens),
        "leet-folded+number-shapes-handles": (no_handle, greeting.tokens),
        "leet-folded+number-shapes-handles-greetings": (no_handle, ()),
    }
    assert spam.shaped_tokens[-1] == "<user>"
    assert greeting.tokens == ("hi", "<name>")
    assert len(set(tokens.values())) == len(NGRAM_TOKENS)  # the messages tell the kinds apart
    assert (ngram_tokens(spam, kind), ngram_tokens(greeting, kind)) == tokens[kind]
    manifest = _manifest(good_dir)
    trained_on = manifest["ngrams"]["tokens"]
    manifest["ngrams"]["tokens"] = kind
    relabelled = Detector(_folder(tmp_path, good_dir, manifest=json.dumps(manifest).encode()))
    same = [relabelled.classify(m) == Detector(good_dir).classify(m) for m in messages]
    assert all(same) == (kind == trained_on)


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_format_bundle_scores_as_the_autodm_that_wrote_it(version: int) -> None:
    """Bundles written before ``ngrams.char_weight`` (format 1) or the TF-IDF model (format
    2) existed keep their verdicts.

    Against the template bank they were scored with: the bank ships with autodm, and
    a bank that grows changes the template signals of every bundle.
    """
    name = f"bundle-format-{version}"
    recorded = json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))
    bundle = load_bundle(FIXTURES / name)
    assert bundle.manifest["format_version"] == version
    assert ("char_weight" in bundle.manifest["ngrams"]) == (version == 2)
    assert "tfidf" not in bundle.manifest
    assert bundle.tfidf_idf is None
    bank = json.loads((FIXTURES / f"{name}.templates.json").read_text("utf-8"))
    from autodm.errors import DataDriftWarning

    with warnings.catch_warnings():
        # The lexicons grew after these bundles were written (five languages on 2026-11-30),
        # which the detector rightly warns of; none of these messages is in those languages.
        warnings.simplefilter("ignore", DataDriftWarning)
        detector = Detector(bundle, templates=bank["templates"])
    for item in recorded["verdicts"]:
        assert detector.classify(item["text"]).probability == pytest.approx(
            item["probability"], rel=1e-9, abs=1e-12
        )


def test_char_weight_is_stored_and_scored(tmp_path: Path) -> None:
    messages, labels = _training_set()
    plain = autodm.train(messages, labels, cv=3, buckets=4096)
    weighed = autodm.train(messages, labels, cv=3, buckets=4096, char_weight=0.25)
    assert plain.manifest["format_version"] == 1  # an older autodm reads it right
    assert weighed.manifest["format_version"] == 2
    no_chars = autodm.train(messages, labels, cv=3, buckets=4096, char_ngrams=(), char_weight=0.5)
    assert no_chars.manifest["format_version"] == 1  # the weight has nothing to weigh
    assert weighed.manifest["ngrams"]["char_weight"] == 0.25
    folder = weighed.save(tmp_path / "weighed")
    loaded = load_bundle(folder)
    assert loaded.ngram_coef is not None
    # The same weights read with the character block at full weight (as format 1 would).
    manifest = _manifest(folder)
    manifest.update(format_version=1, ngrams={**manifest["ngrams"], "char_weight": 1.0})
    as_format_1 = Detector(_folder(tmp_path, folder, manifest=json.dumps(manifest).encode()))
    message = "Hi Olu, thanks for the follow! Check out my shop at https://bit.ly/shop3"
    tokens = ngram_tokens(view(message), loaded.manifest["ngrams"]["tokens"])
    sizes = tuple(loaded.manifest["ngrams"]["char_sizes"])

    def wording(char_weight: float) -> float:
        features = text_features(tokens, 4096, sizes, char_weight)
        return float(np.dot(loaded.ngram_coef[features.ids], features.values))

    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    difference = logit(Detector(loaded).classify(message).probability) - logit(
        as_format_1.classify(message).probability
    )
    expected = loaded.calibration[0] * (wording(0.25) - wording(1.0))
    assert abs(expected) > 0.01
    assert difference == pytest.approx(expected, rel=1e-6)


def test_data_files_fall_back_to_the_resource_reader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Where the package is not a folder of files (a zip import), data still loads."""
    import autodm._resources as resources

    direct = resources.read_text("domains.json")
    monkeypatch.setattr(resources, "_DATA", tmp_path / "absent")
    assert resources.data_files() != tmp_path / "absent"  # read through importlib.resources
    assert resources.read_text("domains.json") == direct
    assert resources.lexicon_languages()


@pytest.mark.parametrize("kind", NGRAM_TOKENS)
def test_a_greeting_alone_is_scored_without_its_wording(
    good_dir: Path, tmp_path: Path, kind: str
) -> None:
    """Whatever its n-gram weights say, a bundle whose tokens leave out greetings alone
    scores a greeting with nothing after it on its signals; every other kind reads it, as
    the autodm that wrote such a bundle did. A message with more in it is read by all."""
    with np.load(good_dir / "weights.npz") as saved:
        arrays = {name: saved[name] for name in saved.files}
    arrays["ngram_coef"] = np.full_like(arrays["ngram_coef"], 3.0)
    manifest = _manifest(good_dir)
    manifest["ngrams"]["tokens"] = kind
    raw = json.dumps(manifest).encode()
    loud = Detector(_folder(tmp_path, good_dir, manifest=raw, weights=_npz(arrays)))
    manifest["ngrams"]["tokens"] = "leet-folded+number-shapes-handles-greetings"
    (tmp_path / "quiet").mkdir()
    quiet = Detector(_folder(tmp_path / "quiet", good_dir, manifest=json.dumps(manifest).encode()))
    for greeting in ("Hi Sam", "hey Sam! 👋", "Hola Diego!", "Sam你好", "Good evening!"):
        read = "wording" in {r.code for r in loud.classify(greeting).reasons}
        assert read == (not kind.endswith("-greetings"))
        if not read:
            assert loud.classify(greeting) == quiet.classify(greeting)
    more = "Hi Sam, follow back?"
    assert loud.classify(more).probability > quiet.classify(more).probability


def test_a_bundle_built_in_code_with_an_unknown_token_kind_is_refused() -> None:
    """load_bundle refuses an unknown ``ngrams.tokens``; so does a Detector given a Bundle
    object that never went through it, rather than reading some other kind's tokens."""
    bundle = load_bundle()
    manifest = {**bundle.manifest, "ngrams": {**bundle.manifest["ngrams"], "tokens": "stemmed"}}
    with pytest.raises(BundleError, match="stemmed"):
        Detector(dataclasses.replace(bundle, manifest=manifest))


def test_saving_over_a_zip_keeps_its_link_and_its_mode(tiny_bundle: Bundle, tmp_path: Path) -> None:
    # A deployment often points a link at the current bundle, and restricts who may read it.
    real = tiny_bundle.save(tmp_path / "v1.zip")
    real.chmod(0o640)
    link = tmp_path / "current.zip"
    link.symlink_to(real)
    changed = dataclasses.replace(tiny_bundle, intercept=tiny_bundle.intercept + 1.0)
    assert changed.save(link) == link
    assert link.is_symlink()
    assert load_bundle(real).intercept == tiny_bundle.intercept + 1.0
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current.zip", "v1.zip"]


def test_a_link_into_a_folder_not_made_yet_is_written_through(
    tiny_bundle: Bundle, tmp_path: Path
) -> None:
    link = tmp_path / "current.zip"
    link.symlink_to(tmp_path / "releases" / "v2.zip")
    assert tiny_bundle.save(link) == link
    assert link.is_symlink()
    assert load_bundle(tmp_path / "releases" / "v2.zip").features == tiny_bundle.features


def test_saving_over_a_zip_keeps_its_permission_bits_only(
    tiny_bundle: Bundle, tmp_path: Path
) -> None:
    path = tiny_bundle.save(tmp_path / "b.zip")
    path.chmod(0o2640)  # a set-group-id bit means nothing on a bundle, and is not carried
    tiny_bundle.save(path)
    assert path.stat().st_mode & 0o7777 == 0o640


@pytest.mark.parametrize("name", ["b", "b.zip"])
def test_save_under_a_file_is_refused_before_writing(
    tiny_bundle: Bundle, tmp_path: Path, name: str
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    refused = r"lies under '.*notes\.txt', which is a file"
    with pytest.raises(autodm.InvalidInputError, match=refused):
        tiny_bundle.save(notes / "models" / name)
    assert notes.read_text(encoding="utf-8") == "mine"
