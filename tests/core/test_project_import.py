"""A run folder made by ``automl-gui train`` (here or on a cluster) opened as a project's run:
read, never changed; refused with a clear message when it is not a run or not of the
project's kind of data; saved into the project's runs/ like a run trained here."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.cli import main as cli_main
from automl_gui.core.base.errors import ModelError
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.project import (
    ProjectData,
    ProjectError,
    load_project,
    load_run,
    open_run_folder,
    record_for_run,
    save_project,
)


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its bytes' hash (and its mode and time)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        stat = path.stat()
        body = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[str(path.relative_to(folder))] = f"{body} {stat.st_mode} {stat.st_mtime_ns}"
    return out


def write_table(path: Path, n: int = 90, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    pd.DataFrame({"a": a, "b": b, "y": (a + b > 0).astype(int)}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> tuple[Path, Path]:
    """(the table, the run folder ``automl-gui train`` wrote for it)."""
    root = tmp_path_factory.mktemp("cli")
    csv = write_table(root / "t.csv")
    out = root / "run"
    args = ["train", str(csv), "--target", "y", "--epochs", "1", "--out", str(out)]
    assert cli_main(args) == 0
    return csv, out


def test_a_cli_run_folder_opens_as_a_run_of_its_data_and_is_left_as_it_was(cli_run, tmp_path):
    csv, folder = cli_run
    before = digest(folder)
    table = TABULAR.load(str(csv))
    opened = open_run_folder(folder, kind=TABULAR, dataset=table, dataset_name="t.csv")
    assert opened.same_data is True and opened.dataset == "t.csv"
    assert opened.kind is TABULAR and opened.folder == folder and opened.label == "run"
    run = opened.run
    assert run.model is not None and run.metadata["target"] == "y"
    assert run.report["metrics"] and run.result.epochs_run == 1
    # its curves come from the history.csv the command line wrote (Compare Runs draws them)
    assert (folder / "history.csv").is_file()
    assert len(run.history["loss"]) == 1 and np.isfinite(run.history["val_loss"][0])
    assert run.test_predictions is None  # the CLI writes them for files only (as CSV)
    assert any(str(folder) in n for n in run.notices)

    # another table: accepted, grouped apart
    other = TABULAR.load(str(write_table(tmp_path / "o.csv", seed=9)))
    apart = open_run_folder(folder, kind=TABULAR, dataset=other, dataset_name="o.csv")
    identity = run.metadata["data"]["identity"]
    assert apart.same_data is False and len(identity) > 6
    # the command line records the data's name: the group is named after the run's own data
    assert run.metadata["data"]["name"] == "t.csv"
    assert apart.data_name == "t.csv" and apart.dataset == "t.csv"

    # kept in a project: Save writes it into runs/ with the project's writer, and it reloads
    record = record_for_run(run, "run-001", dataset=opened.dataset)
    project = tmp_path / "p"
    save_project(project, ProjectData(kind="tabular", runs=[record]), {"run-001": run})
    data = load_project(project)
    assert data.runs[0].folder == "runs/run-001" and data.runs[0].dataset == "t.csv"
    again = load_run(project, data.runs[0])
    rows = pd.read_csv(csv).head(5)
    np.testing.assert_allclose(
        np.asarray(again.model.predict(dict(rows[["a", "b"]].items()), verbose=0)),
        np.asarray(run.model.predict(dict(rows[["a", "b"]].items()), verbose=0)),
        rtol=1e-6,
    )
    assert digest(folder) == before  # read, never written


def test_what_is_not_a_run_folder_is_refused_with_what_to_choose(cli_run, tmp_path):
    _csv, folder = cli_run
    before = digest(folder)
    cases = {
        "missing": tmp_path / "nowhere",
        "file": folder / "metadata.json",
        "empty": tmp_path / "empty",
    }
    cases["empty"].mkdir()
    for name, path in cases.items():
        with pytest.raises(ProjectError) as info:
            open_run_folder(path, kind=TABULAR)
        assert "--out" in info.value.hint, name

    project = tmp_path / "proj"
    save_project(project, ProjectData())
    with pytest.raises(ProjectError, match="project folder"):
        open_run_folder(project)

    no_model = tmp_path / "no_model"
    no_model.mkdir()
    shutil.copy(folder / "metadata.json", no_model)
    with pytest.raises(ProjectError, match="no model.keras"):
        open_run_folder(no_model)

    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    (broken / "model.keras").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="model.keras"):
        open_run_folder(broken)

    garbled = tmp_path / "garbled"  # damaged metadata: say what to choose, not "export again"
    shutil.copytree(folder, garbled)
    (garbled / "metadata.json").write_text("{not json")
    with pytest.raises(ProjectError, match="metadata.json") as info:
        open_run_folder(garbled)
    assert "--out" in info.value.hint

    with_csv = tmp_path / "loans-job" / "output" / "run"  # an exported job's run
    shutil.copytree(folder, with_csv)
    pd.DataFrame({"path": ["a.png"], "label": ["x"]}).to_csv(with_csv / "test_predictions.csv")
    job_run = open_run_folder(with_csv)
    assert list(job_run.run.test_predictions.columns)[-2:] == ["path", "label"]
    assert job_run.label == "loans-job"  # named by its job, not "run"

    with pytest.raises(ProjectError, match="a table model; this project's data is an image"):
        open_run_folder(folder, kind=IMAGES)
    assert digest(folder) == before


def test_a_run_of_other_data_is_grouped_by_its_data_file_name(cli_run, tmp_path):
    """The group and the banner's words name the data the run trained on: the metadata's
    ``data["name"]``, else an exported job's job.json; the id only when neither says."""
    csv, folder = cli_run
    other = TABULAR.load(str(write_table(tmp_path / "o.csv", seed=9)))
    job_run = tmp_path / "churn-job" / "output" / "run"
    shutil.copytree(folder, job_run)
    job = {"name": "churn-job", "data": {"original": "/far/away/t.csv", "in_job": "data/t.csv"}}
    (job_run.parents[1] / "job.json").write_text(json.dumps(job))
    metadata = json.loads((job_run / "metadata.json").read_text())
    metadata.get("data", {}).pop("name", None)
    (job_run / "metadata.json").write_text(json.dumps(metadata))
    opened = open_run_folder(job_run, kind=TABULAR, dataset=other, dataset_name="o.csv")
    assert opened.same_data is False and opened.data_name == "t.csv"
    assert opened.dataset == "t.csv" and opened.label == "churn-job"
    n = opened.run.report["n_samples"]
    assert opened.test_words == f"its own test split ({n:,} rows of t.csv)"
    # the same file name as the loaded data's but other contents: kept apart from its runs
    same_name = open_run_folder(job_run, kind=TABULAR, dataset=other, dataset_name="t.csv")
    identity = metadata["data"]["identity"]
    assert same_name.dataset == f"t.csv (other contents, {identity[:6]})"

    named = tmp_path / "named"
    shutil.copytree(folder, named)
    metadata["data"]["name"] = "loans.csv"
    (named / "metadata.json").write_text(json.dumps(metadata))
    assert open_run_folder(named, kind=TABULAR, dataset=other).dataset == "loans.csv"

    (job_run.parents[1] / "job.json").unlink()  # neither says: the id
    unnamed = open_run_folder(job_run, kind=TABULAR, dataset=other, dataset_name="o.csv")
    assert unnamed.data_name == "" and unnamed.dataset == f"other table ({identity[:6]})"
    assert unnamed.test_words == f"its own test split ({n:,} rows)"
