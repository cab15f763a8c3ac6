"""docs/scaling.md on a real Dask cluster: the recipe gives the verdicts of a serial run.

The definitions are read from the page's examples, so the code on the cluster is the code a
reader copies. Executed into a namespace that no worker can import, they travel to the
workers by value, as they would from a notebook.
"""

from __future__ import annotations

import doctest
import importlib
import json
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from dask.dataframe.utils import make_meta  # noqa: E402

import autodm  # noqa: E402

RECIPE = Path(__file__).resolve().parents[1] / "docs" / "scaling.md"
#: The examples of the page that define something (not the ones that demonstrate it).
DEFINITIONS = ("import ", "from ", "def ", "@", "COLUMNS =", "TEXT_COLUMNS =", "SCHEMA =")
CONTEXT_COLUMNS = ["sender_id", "recipient_id", "platform", "followed_at", "sent_at"]
ROWS = 3000
PARTITIONS = 8


def recipe_source() -> str:
    """The imports and definitions of docs/scaling.md, in page order."""
    examples = doctest.DocTestParser().get_examples(RECIPE.read_text(encoding="utf-8"))
    return "\n".join(e.source for e in examples if e.source.startswith(DEFINITIONS))


@pytest.fixture(scope="module")
def recipe() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "scaling_recipe"}  # not importable: sent by value
    exec(compile(recipe_source(), str(RECIPE), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled model as a .zip, standing in for a bundle on shared storage."""
    return str(autodm.load_bundle().save(tmp_path_factory.mktemp("shared") / "model.zip"))


@pytest.fixture(scope="module")
def messages(automated_cases: list[dict[str, Any]], human_cases: list[dict[str, Any]]) -> Any:
    """A few thousand messages: the demo's (with context) and the golden cases', repeated."""
    demo = resources.files("autodm") / "data" / "demo.jsonl"
    rows = [json.loads(line) for line in demo.read_text(encoding="utf-8").splitlines() if line]
    rows += [{"text": case["text"]} for case in automated_cases + human_cases]
    rows = (rows * (ROWS // len(rows) + 1))[:ROWS]
    frame = pd.DataFrame.from_records(rows, columns=["text", *CONTEXT_COLUMNS])
    frame.insert(0, "id", np.random.default_rng(7).permutation(ROWS) + 10_000)
    frame.index = pd.Index(np.arange(ROWS) * 7 + 3, name="row")  # not 0, 1, 2, ...
    return frame


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _count_builds() -> None:
    """On a worker: from now on, record the bundle of every Detector built in this process."""
    import autodm

    if not hasattr(autodm.Detector, "builds"):
        build = autodm.Detector.__init__

        def counting(self: autodm.Detector, bundle: Any = None, **kwargs: Any) -> None:
            autodm.Detector.builds.append(bundle)  # type: ignore[attr-defined]
            build(self, bundle, **kwargs)

        autodm.Detector.__init__ = counting  # type: ignore[method-assign]
    autodm.Detector.builds = []  # type: ignore[attr-defined]


def _builds() -> list[Any]:
    import autodm

    return list(autodm.Detector.builds)  # type: ignore[attr-defined]


def builds_per_worker(client: Any) -> list[list[Any]]:
    return list(client.run(_builds).values())


def serial_verdicts(messages: Any) -> list[autodm.Verdict]:
    contexts = [
        {key: value for key, value in row.items() if pd.notna(value)} or None
        for row in messages[CONTEXT_COLUMNS].to_dict("records")
    ]
    return autodm.classify_many(messages["text"].tolist(), contexts)


def check_verdicts(result: Any, messages: Any, columns: list[str]) -> None:
    """The cluster's rows: the input's index and ids, in order, with the serial verdicts."""
    assert list(result.columns) == ["id", *columns]
    assert result.index.equals(messages.index)
    assert result["id"].tolist() == messages["id"].tolist()
    serial = serial_verdicts(messages)
    assert result["label"].tolist() == [v.label for v in serial]
    assert result["probability"].tolist() == [v.probability for v in serial]
    assert result["is_automated"].tolist() == [v.is_automated for v in serial]
    assert {"automated", "human"} == set(result["label"])
    assert (result["reason_follow_delay"] != 0).any()  # the context columns reached the workers


def test_recipe_defines_the_functions_it_documents(recipe: dict[str, Any]) -> None:
    for name in ("score_frame", "score_partition", "score_partition_cached", "batch_scorer"):
        assert callable(recipe[name]), name
    assert "BUNDLE" not in recipe  # the path is an argument, never a global of the functions


def test_the_task_holds_the_path_not_a_detector(recipe: dict[str, Any], bundle_path: str) -> None:
    task = cloudpickle.dumps((recipe["score_partition"], bundle_path))
    detector = cloudpickle.dumps(autodm.Detector(bundle_path))
    assert bundle_path.encode() in task
    assert len(task) * 100 < len(detector)


def test_dask_recipe_matches_serial_classify_many(
    client: Any, recipe: dict[str, Any], bundle_path: str, messages: Any, tmp_path: Path
) -> None:
    score_partition = recipe["score_partition"]
    client.run(_count_builds)
    frames = dd.from_pandas(messages, npartitions=PARTITIONS)
    meta = score_partition(make_meta(frames), bundle_path)
    verdicts = frames.map_partitions(score_partition, bundle_path, meta=meta)

    result = verdicts.compute()
    check_verdicts(result, messages, recipe["COLUMNS"])
    assert (result.dtypes == meta.dtypes).all()
    # One detector per partition, each built on a worker from the path.
    builds = builds_per_worker(client)
    assert sum(len(paths) for paths in builds) == PARTITIONS
    assert {path for paths in builds for path in paths} == {bundle_path}

    verdicts.to_parquet(tmp_path / "verdicts", write_index=False)
    written = dd.read_parquet(tmp_path / "verdicts").compute()
    assert written["id"].tolist() == messages["id"].tolist()
    assert written["probability"].tolist() == result["probability"].tolist()
    assert written["template"].tolist() == result["template"].tolist()


def test_dask_recipe_with_a_detector_per_worker_process(
    client: Any,
    recipe: dict[str, Any],
    bundle_path: str,
    messages: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    module = tmp_path / "dm_scoring.py"
    module.write_text(recipe_source() + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    dm_scoring = importlib.import_module("dm_scoring")  # sent by name: workers import it
    request.addfinalizer(lambda: sys.modules.pop("dm_scoring", None))
    client.upload_file(str(module))
    client.run(_count_builds)
    frames = dd.from_pandas(messages, npartitions=PARTITIONS)
    meta = dm_scoring.score_partition(make_meta(frames), bundle_path)
    result = frames.map_partitions(
        dm_scoring.score_partition_cached, bundle_path, meta=meta
    ).compute()

    check_verdicts(result, messages, dm_scoring.COLUMNS)
    builds = builds_per_worker(client)
    assert all(len(paths) <= 1 for paths in builds), builds  # at most one per process
    assert {path for paths in builds for path in paths} == {bundle_path}
