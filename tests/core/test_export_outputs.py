"""The one rule for where the app writes (core/export/outputs.py): --overwrite replaces only
what the app wrote, never an input, a folder holding other files or the current folder; the
disk is probed before any work; leftovers of killed writes are tidied, nothing else."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.export import outputs
from automl_gui.core.export.bundle import answer_names
from automl_gui.core.export.outputs import (
    check_destination,
    check_writable,
    commit_dir,
    is_app_folder,
    prepare_output,
    temp_dir_beside,
    tidy_stale,
)


def _app_folder(path: Path, *extra: str) -> Path:
    path.mkdir(parents=True)
    meta = {"format_version": 1, "versions": {"app": "1.0"}, "kind": "tabular"}
    (path / "metadata.json").write_text(json.dumps(meta))
    (path / "model.keras").write_bytes(b"PK")
    for name in extra:
        (path / name).write_text("x")
    return path


@pytest.fixture(autouse=True)
def _age_by_mtime(monkeypatch):
    """Tests age leftovers with os.utime, which cannot set ctime back: count mtime only."""
    from automl_gui.core.base import files

    def mtime_only(path):
        path = Path(path)
        if not os.path.lexists(path):
            return None
        inside = list(path.iterdir()) if path.is_dir() and not path.is_symlink() else []
        return max(p.lstat().st_mtime for p in [path, *inside])

    monkeypatch.setattr(files, "last_touched", mtime_only)


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_only_a_folder_the_app_wrote_is_replaced(tmp_path):
    mine = _app_folder(tmp_path / "mine", "report.json", "leaderboard.csv")
    assert is_app_folder(mine)
    check_destination(mine, True)  # allowed
    with pytest.raises(ModelError, match="exists; choose another folder or pass --overwrite"):
        check_destination(mine, False)

    (mine / "data.csv").write_text("x,y\n")
    assert not is_app_folder(mine)
    with pytest.raises(ModelError, match=r"did not write \(data.csv\)"):
        check_destination(mine, True)

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "model.keras").write_bytes(b"PK")
    (theirs / "metadata.json").write_text('{"name": "not ours"}')
    with pytest.raises(ModelError, match="not a folder this app wrote"):
        check_destination(theirs, True)

    empty = tmp_path / "empty"
    empty.mkdir()
    check_destination(empty, False)  # nothing to lose
    check_destination(tmp_path / "new", False)


def test_never_an_input_a_folder_holding_one_or_the_current_folder(tmp_path, monkeypatch):
    model = _app_folder(tmp_path / "model")
    data = tmp_path / "data.csv"
    data.write_text("x,y\n1,2\n")
    with pytest.raises(ModelError, match="model, which this command reads"):
        check_destination(model, True, inputs=[model])
    with pytest.raises(ModelError, match="holds .*data.csv, which this command reads"):
        check_destination(tmp_path, True, inputs=[data])
    with pytest.raises(ModelError, match="is .*data.csv, which this command reads"):
        check_destination(data, True, inputs=[data], file=True)
    with pytest.raises(ModelError, match="is inside .*model, which this command reads"):
        check_destination(model / "metadata.json", True, inputs=[model], file=True)
    check_destination(model / "new-export", True, inputs=[model])  # a new folder in it: fine

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(ModelError, match="is the current folder"):
        check_destination(Path("."), True)
    with pytest.raises(ModelError, match="holding the current folder"):
        check_destination(Path(".."), True)


def test_a_file_is_not_replaced_by_a_folder_nor_a_folder_by_a_file(tmp_path):
    data = tmp_path / "notes.csv"
    data.write_text("keep me")
    with pytest.raises(ModelError, match="is a file, not a folder"):
        check_destination(data, True)
    with pytest.raises(ModelError, match="is a folder, not a file"):
        check_destination(tmp_path, True, file=True)
    link = tmp_path / "link"
    link.symlink_to(_app_folder(tmp_path / "target"))
    with pytest.raises(ModelError, match="is a link"):
        check_destination(link, True)
    assert data.read_text() == "keep me"


def test_commit_dir_applies_the_rule_too(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    tmp = temp_dir_beside(out)
    (tmp / "model.keras").write_bytes(b"PK")
    with pytest.raises(ModelError, match="did not write"):
        commit_dir(tmp, out, overwrite=True)
    assert (out / "thesis.tex").read_text() == "years of work"
    assert f".out.tmp-automl-gui-{os.getpid()}-" in tmp.name  # the writer's pid is in the name


@pytest.mark.parametrize(
    "code, words",
    [(errno.ENOSPC, "no space left"), (errno.EROFS, "read-only"), (errno.EACCES, "permission")],
)
def test_the_disk_is_probed_before_any_work(tmp_path, monkeypatch, code, words):
    real_open = os.open

    def failing_open(path, *args, **kwargs):
        if ".automl-gui-probe-" in str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(outputs.os, "open", failing_open)
    with pytest.raises(ConfigError) as info:
        prepare_output(tmp_path / "a" / "b" / "out", False)
    assert words in info.value.message.lower() and str(tmp_path) in info.value.message
    assert not (tmp_path / "a").exists()  # nothing created
    assert [p.name for p in tmp_path.iterdir()] == []  # the probe is gone


def test_the_probe_leaves_nothing_and_a_file_in_the_path_is_named(tmp_path):
    check_writable(tmp_path / "deep" / "er" / "out")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        check_writable(tmp_path / "afile" / "out")


def test_stale_leftovers_of_our_naming_are_tidied_and_nothing_else(tmp_path):
    dead, old = _dead_pid(), time.time() - 3600
    stale_dir = tmp_path / f".out.tmp-automl-gui-{dead}-abcd1234"
    stale_dir.mkdir()
    (stale_dir / "model.keras").write_bytes(b"x" * 1000)
    stale_file = tmp_path / f".pred.csv.tmp-automl-gui-{dead}-140000"
    stale_file.write_text("half a csv")
    live = tmp_path / ".out.tmp-automl-gui-1-abcd1234"  # pid 1 is alive
    live.mkdir()
    fresh = (
        tmp_path / f".out.tmp-automl-gui-{dead}-fresh000"
    )  # just written: maybe another computer's
    fresh.mkdir()
    user = tmp_path / ".out.tmp-notes"  # not our naming
    user.write_text("mine")
    other = tmp_path / f".other.tmp-automl-gui-{dead}-abcd1234"  # beside another target
    other.mkdir()
    for path in (stale_dir / "model.keras", stale_dir, stale_file, live, user, other):
        os.utime(path, (old, old))

    removed = tidy_stale(tmp_path / "out")
    assert removed == [stale_dir]
    removed = tidy_stale(tmp_path / "pred.csv")
    assert removed == [stale_file]
    assert live.exists() and fresh.exists() and user.exists() and other.exists()

    ancient = time.time() - outputs.STALE_AGE_S - 10
    os.utime(live, (ancient, ancient))
    assert tidy_stale(tmp_path / "out") == [live]  # hours old: a reused pid


def test_a_backup_left_mid_replace_is_put_back(tmp_path):
    dead, old = _dead_pid(), time.time() - 3600
    backup = _app_folder(tmp_path / f".model.old-automl-gui-{dead}")
    for path in [*backup.iterdir(), backup]:
        os.utime(path, (old, old))
    tidy_stale(tmp_path / "model")
    assert is_app_folder(tmp_path / "model") and not backup.exists()


def test_our_columns_never_replace_the_users():
    assert answer_names(["x", "y"], ["prediction"]) == (["prediction"], "")
    names, notice = answer_names(
        ["prediction", "prediction_2", "probability_a"], ["prediction", "probability_a"]
    )
    assert names == ["prediction_3", "probability_a_3"]
    assert "prediction" in notice and "prediction_3" in notice
    from automl_gui.core.export.bundle import add_answer_columns

    frame = pd.DataFrame({"prediction": ["theirs"], "z": [1]})
    out = add_answer_columns(frame, {"prediction": ["ours"], "probability_a": [0.5]})
    assert list(out.columns) == ["prediction", "z", "prediction_2", "probability_a_2"]
    assert out["prediction"].tolist() == ["theirs"] and out.attrs["notices"]
    assert out.attrs["answer_columns"]["prediction"] == "prediction_2"
    assert list(frame.columns) == ["prediction", "z"]  # the input is not changed


def test_test_predictions_keep_a_column_named_actual():
    import numpy as np

    from automl_gui.core.export.bundle import Bundle, frame_with_outputs

    bundle = Bundle(model=None, metadata={"task": "binary", "class_names": ["n", "p"]})
    rows = pd.DataFrame({"actual": [1.5, 2.5], "x": [0, 1]})
    out = frame_with_outputs(bundle, rows, np.array([[0.9, 0.1], [0.2, 0.8]]), actual=["n", "p"])
    assert list(out.columns) == [
        "actual",
        "x",
        "actual_2",
        "prediction_2",
        "probability_n_2",
        "probability_p_2",
    ]
    assert out["actual"].tolist() == [1.5, 2.5] and out["prediction_2"].tolist() == ["n", "p"]
    assert out.attrs["answer_columns"]["actual"] == "actual_2"


def test_a_folder_named_like_a_run_folder_is_not_the_apps(tmp_path):
    from automl_gui.core.export.bundle import save_bundle

    slot = tmp_path / "runs" / "run-001"
    slot.mkdir(parents=True)
    (slot / "thesis.docx").write_text("years of work")
    assert not is_app_folder(slot)
    with pytest.raises(ModelError, match=r"did not write \(thesis.docx\)"):
        check_destination(slot, True)
    with pytest.raises(ModelError, match="did not write"):
        save_bundle(object(), {}, {}, slot, overwrite=True)
    assert [p.name for p in slot.iterdir()] == ["thesis.docx"]


def test_a_project_says_it_checked_its_own_run_slot(tmp_path):
    slot = tmp_path / "runs" / "run-001"
    slot.mkdir(parents=True)
    (slot / "run.json").write_text("{}")  # the project's, checked by the project itself
    tmp = temp_dir_beside(slot)
    (tmp / "model.keras").write_bytes(b"PK")
    with pytest.raises(ModelError):
        commit_dir(tmp, slot, True)
    commit_dir(tmp, slot, True, project_checked=True)
    assert [p.name for p in slot.iterdir()] == ["model.keras"]


def test_a_rerun_may_replace_its_own_output_inside_an_input_folder(tmp_path):
    search = tmp_path / "S"
    search.mkdir()
    (search / "leaderboard.json").write_text("[]")
    best = _app_folder(search / "best")
    check_destination(best, True, inputs=[search])  # the app's own earlier output
    (best / "notes.txt").write_text("mine")
    with pytest.raises(ModelError):
        check_destination(best, True, inputs=[search])
    with pytest.raises(ModelError, match="holds"):
        check_destination(tmp_path, True, inputs=[search / "leaderboard.json"])


def test_the_same_file_under_another_spelling_is_the_input(tmp_path, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_text("x\n1\n")
    link = tmp_path / "hard.csv"
    os.link(data, link)  # one file, two names: samefile says so
    with pytest.raises(ModelError, match="which this command reads"):
        check_destination(link, True, inputs=[data], file=True)


def test_the_users_own_hidden_files_that_look_like_old_leftovers_are_never_tidied(
    tmp_path, monkeypatch
):
    """Issue 13 review: a hand-made ``.model.old-2023/notes.txt`` (read as pid 2023) and a
    file ``.model.tmp-20240101`` (the 8-character legacy pattern) were deleted."""
    from automl_gui.core.base import files

    later = time.time() + 10 * 3600  # everything is hours old
    monkeypatch.setattr(files, "_now", lambda: later)
    mine = tmp_path / ".model.old-2023"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    dated = tmp_path / ".model.tmp-20240101"
    dated.write_text("my file")
    folder = tmp_path / ".model.tmp-2024-draft"
    folder.mkdir()
    (folder / "draft.txt").write_text("mine")
    named = tmp_path / ".model.old-automl-gui-2023"  # our naming, but not a folder we wrote
    named.mkdir()
    (named / "notes.txt").write_text("mine")
    assert tidy_stale(tmp_path / "model") == []
    assert not (tmp_path / "model").exists()
    for path in (mine / "notes.txt", dated, folder / "draft.txt", named / "notes.txt"):
        assert path.read_text().startswith("my") or path.read_text() == "mine"


def test_an_older_versions_leftovers_go_only_when_they_hold_only_our_files(tmp_path, monkeypatch):
    from automl_gui.core.base import files

    later = time.time() + 10 * 3600
    monkeypatch.setattr(files, "_now", lambda: later)
    dead = _dead_pid()
    backup = _app_folder(tmp_path / f".model.old-{dead}")  # an app folder: put back
    staging = tmp_path / f".model.tmp-{dead}-abcd1234"
    staging.mkdir()
    (staging / "model.keras").write_bytes(b"PK")  # half written, only our files: goes
    mixed = tmp_path / ".model.tmp-abcd1234"
    mixed.mkdir()
    (mixed / "model.keras").write_bytes(b"PK")
    (mixed / "thesis.tex").write_text("mine")  # not only ours: stays
    done = tidy_stale(tmp_path / "model")
    assert sorted(done) == sorted([backup, staging])
    assert is_app_folder(tmp_path / "model") and (mixed / "thesis.tex").exists()


def test_a_backup_of_a_live_writer_or_of_this_process_is_never_taken_mid_commit(
    tmp_path, monkeypatch
):
    """Another tidy_stale between commit_dir's two renames (out missing, its backup there)
    never puts back or removes the live backup: this process's own, or another live one's."""
    from automl_gui.core.base import files

    out = _app_folder(tmp_path / "model")
    tmp = temp_dir_beside(out)
    tmp.rmdir()
    _app_folder(tmp)  # the new output, fully written
    real_replace = os.replace
    seen: list[list[Path]] = []

    def replace(src, dst):
        real_replace(src, dst)
        if Path(dst).name.startswith(".model.old-"):  # between the two renames
            seen.append(tidy_stale(out))
            assert Path(dst).is_dir() and not out.exists()

    monkeypatch.setattr(outputs.os, "replace", replace)
    later = time.time() + 3600  # idle an hour: still this process's
    monkeypatch.setattr(files, "_now", lambda: later)
    commit_dir(tmp, out, overwrite=True)
    assert seen == [[]] and is_app_folder(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]

    monkeypatch.setattr(outputs.os, "replace", real_replace)
    live = os.getppid()  # a process that runs: another writer between its renames
    theirs = out.rename(tmp_path / f".model.old-automl-gui-{live}")
    assert tidy_stale(out) == [] and is_app_folder(theirs) and not out.exists()


class _SlowModel:
    """A model whose save is where the user adds a file to --out (a multi-hour training)."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def save(self, path) -> None:
        self.out.mkdir(exist_ok=True)
        (self.out / "notes.txt").write_text("added during training")
        Path(path).write_bytes(b"PK")


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_finished_model_is_kept_beside_an_out_that_changed_meanwhile(tmp_path, overwrite):
    from automl_gui.core.export.bundle import save_bundle

    out = tmp_path / "model"
    if overwrite:
        _app_folder(out)
    (tmp_path / "model-2").mkdir()
    (tmp_path / "model-2" / "x").write_text("taken")
    meta = {"format_version": 1, "versions": {"app": "1"}, "kind": "tabular"}
    written = save_bundle(_SlowModel(out), meta, {}, out, overwrite=overwrite)
    assert written == tmp_path / "model-3" and is_app_folder(written)
    assert (out / "notes.txt").read_text() == "added during training"  # left as it is
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "model-2", "model-3"]


def test_the_command_line_says_where_a_moved_model_went(tmp_path, capsys):
    from types import SimpleNamespace

    from automl_gui.cli._save import save_run

    out = tmp_path / "model"
    meta = {"format_version": 1, "versions": {"app": "1"}, "kind": "tabular"}
    run = SimpleNamespace(model=_SlowModel(out), metadata=meta, report={})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("automl_gui.core.evaluate.metrics.summary_line", lambda _r: "fine")
        path = save_run(run, out, overwrite=False)
    err = capsys.readouterr().err
    assert path == tmp_path / "model-2" and f"saved to {path} instead" in err


def test_other_commit_errors_are_raised_as_before(tmp_path, monkeypatch):
    out = tmp_path / "model"
    tmp = temp_dir_beside(out)
    monkeypatch.setattr(
        outputs, "commit_dir", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full"))
    )
    with pytest.raises(OSError):
        outputs.commit_dir_or_beside(tmp, out, False)


def test_a_projects_run_folder_is_never_replaced_by_an_output(tmp_path):
    run = _app_folder(tmp_path / "P" / "runs" / "run-001", "report.json")
    (run / "run.json").write_text(json.dumps({"format": "automl-gui-run", "project": "abc"}))
    with pytest.raises(ModelError, match="run folder of the project"):
        check_destination(run, True)
    old = _app_folder(tmp_path / "Q" / "runs" / "run-002")  # an older version's: no run.json
    (tmp_path / "Q" / "q.automl.json").write_text("{}")
    with pytest.raises(ModelError, match="run folder of the project"):
        check_destination(old, True)
    assert check_destination(_app_folder(tmp_path / "runs" / "run-003"), True) is None
