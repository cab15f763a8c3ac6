"""The README's quick start runs as written and does what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quick_start_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the README has one Python example, its quick start"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("automated ")  # as the comment on that line says
    assert len(printed) == 4
    assert all(line.startswith("+") for line in printed[1:])
    verdicts = namespace["verdicts"]
    assert [v.label for v in verdicts] == ["human", "automated"]  # type: ignore[attr-defined]
