"""One strict reader for every JSON file of the app's: a named pipe never hangs it, deep
nesting is a refusal (never a RecursionError), duplicate keys and oversize files too."""

from __future__ import annotations

import json
import os
import threading

import pytest

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.files import NotRegularFile, open_regular
from automl_gui.core.base.json_read import JsonProblem, read_json
from automl_gui.core.project import _json as _project_json

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")


def _finishes(fn, seconds: float = 10.0):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "hung"
    return out


def test_open_regular_refuses_a_pipe_at_once_and_reads_files(tmp_path):
    fifo = tmp_path / "metadata.json"
    os.mkfifo(fifo)
    out = _finishes(lambda: open_regular(fifo))
    assert isinstance(out["error"], NotRegularFile) and "named pipe" in str(out["error"])
    assert isinstance(out["error"], OSError)
    (tmp_path / "f.txt").write_text("hé")
    with open_regular(tmp_path / "f.txt", "r", encoding="utf-8") as fh:
        assert fh.read() == "hé"
    with pytest.raises(NotRegularFile, match="folder"):
        open_regular(tmp_path)


def test_the_project_reader_does_not_hang_on_a_pipe(tmp_path):
    fifo = tmp_path / ".project.automl.json.saving"
    os.mkfifo(fifo)
    out = _finishes(lambda: _project_json.read_json(fifo, 2**20, 100))
    assert isinstance(out["error"], OSError)


def test_deep_duplicate_and_large(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JsonProblem, match="nested"):
        read_json(deep)
    twice = tmp_path / "twice.json"
    twice.write_text('{"a": 1, "a": 2}')
    with pytest.raises(JsonProblem, match='"a" twice'):
        read_json(twice)
    with pytest.raises(JsonProblem, match="larger"):
        read_json(twice, limit=4)
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"x": [1, {"y": "z"}]}))
    assert read_json(ok) == {"x": [1, {"y": "z"}]}


def test_outputs_check_does_not_hang_on_a_pipe_named_metadata(tmp_path):
    from automl_gui.core.export.outputs import check_destination, is_app_folder

    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "metadata.json")
    (out / "model.keras").write_bytes(b"PK")
    result = _finishes(lambda: is_app_folder(out))
    assert result == {"value": False}
    result = _finishes(lambda: check_destination(out, True))
    assert isinstance(result["error"], ModelError)


def test_a_bundle_with_deep_metadata_is_damaged_not_a_bug(tmp_path):
    from automl_gui.core.export.bundle import load_bundle

    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "model.keras").write_bytes(b"PK")
    (folder / "metadata.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ModelError, match="nested") as info:
        load_bundle(folder)
    assert info.value.hint
    for name in ("metadata.json",):
        (folder / name).unlink()
        os.mkfifo(folder / name)
    result = _finishes(lambda: load_bundle(folder))
    assert isinstance(result["error"], ModelError)


def test_checkpoint_and_search_files_use_the_strict_reader(tmp_path):
    from automl_gui.core.train.checkpoint import STATE_FILE, read_state
    from automl_gui.core.tune.search import saved

    (tmp_path / STATE_FILE).write_text("[" * 100_000)
    assert read_state(tmp_path) is None
    (tmp_path / saved.LEADERBOARD_FILE).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested"):
        saved.finished_records(tmp_path)
