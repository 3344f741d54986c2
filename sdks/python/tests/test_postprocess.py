"""The post-steps generate.sh applies to the generator's raw output (generator/postprocess.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "generator" / "postprocess.py"


@pytest.fixture(scope="module")
def postprocess() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postprocess", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RAW_ENDPOINT = """def _get_kwargs(*, body: UploadIn) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    _kwargs["files"] = body.to_multipart()
    headers["Content-Type"] = "multipart/form-data; boundary=+++"
    _kwargs["headers"] = headers
"""

RAW_MODEL = """def to_multipart(self):
    files = []
    files.append(("file", self.file))
    if isinstance(self.title, str):
        files.append(("title", (None, str(self.title).encode(), "text/plain")))
    else:
        files.append(("title", (None, str(self.title).encode(), "text/plain")))
    files.append(("id", (None, str(self.id), "text/plain")))
    return files
"""

RAW_FORM = """    _kwargs["data"] = body.to_dict()
"""


def test_boundary_line_is_removed(postprocess: ModuleType) -> None:
    out, counts = postprocess.process_source(RAW_ENDPOINT)
    assert "boundary" not in out and "+++" not in out
    assert '_kwargs["files"] = body.to_multipart()' in out
    assert counts["boundary"] == 1


def test_none_multipart_fields_are_omitted(postprocess: ModuleType) -> None:
    out, counts = postprocess.process_source(RAW_MODEL)
    assert counts["multipart_none"] == 3
    assert out.count("if self.title is not None:\n") == 2
    assert '        if self.title is not None:\n            files.append(("title"' in out
    assert '    if self.id is not None:\n        files.append(("id", (None, str(self.id), "text/plain")))' in out
    # The rewritten code runs, and omits None instead of sending "None".
    namespace: dict[str, Any] = {}
    exec(compile(out, "to_multipart", "exec"), namespace)
    to_multipart = namespace["to_multipart"]
    assert to_multipart(SimpleNamespace(file="F", title=None, id=None)) == [("file", "F")]
    assert to_multipart(SimpleNamespace(file="F", title="t", id="i")) == [
        ("file", "F"),
        ("title", (None, b"t", "text/plain")),
        ("id", (None, "i", "text/plain")),
    ]


def test_form_bodies_omit_none(postprocess: ModuleType) -> None:
    out, counts = postprocess.process_source(RAW_FORM)
    assert counts["form_none"] == 1
    assert '_kwargs["data"] = {k: v for k, v in body.to_dict().items() if v is not None}' in out


def test_banner_and_idempotence(postprocess: ModuleType) -> None:
    once, _ = postprocess.process_source(RAW_ENDPOINT + RAW_MODEL + RAW_FORM)
    twice, counts = postprocess.process_source(once)
    assert once.startswith(postprocess.BANNER)
    assert once.count("Do not edit") == 1
    assert twice == once
    assert counts == {"boundary": 0, "multipart_none": 0, "form_none": 0}
