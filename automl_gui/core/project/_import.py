"""Opening a run folder made elsewhere as a run of the project (File → Open Run Folder…).

A *run folder* is what ``automl-gui train DATA --out RUN`` writes, on this computer or on a
cluster (the chief of a multi-worker training or search writes it): ``model.keras``,
``metadata.json``, ``report.json``, maybe ``samples.npy`` (images, audio),
``test_predictions.csv`` (files) and ``leaderboard.csv`` (a search). A run
folder of another project (``runs/run-003``, with its ``run.json`` and
``test_predictions.parquet``) is one too.

:func:`open_run_folder` reads one and returns the run object, which then joins the project's
run history like a run trained here (the window's ``AppState.add_run``): Compare Runs lists
it, Evaluate, Predict and Export use it, and the next Save writes it into the project's
``runs/<id>`` with the project's own writer (:func:`._runs.save_run_folder`: the model, its
metadata, report, run.json and test predictions). Nothing is written into the project
before the user saves, as for every other run, and the folder opened is only read: never
moved, changed or written to (its other files, such as ``leaderboard.csv``, stay there).

What is refused, with a message saying what to choose instead (``ProjectError``, or
``ModelError`` from the model loader):

- a path that is not a folder, a project folder (open it as a project), a folder without
  ``metadata.json`` or ``model.keras`` (not a run folder), a model that does not load in
  Keras' safe mode, a metadata file of a newer version or of a kind this app lacks;
- a run of another kind of data than the project's loaded data (an image model in a table's
  project): Evaluate and Predict would feed it the wrong inputs, and the runs of one project
  are compared on its data. A table run of another table is accepted: Compare Runs lists it
  in its own group (named by that data's file name when the run records it), and Evaluate
  shows what it recorded on its own test split of that data, as for every run.

Qt-free; TensorFlow is imported only when the model is loaded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ModelError
from automl_gui.core.jobs.run import Run
from automl_gui.core.kinds import DataKind
from automl_gui.core.project._runs import (
    PREDICTIONS_FILE,
    PROJECT_FILE,
    ProjectError,
    read_run_folder,
)

#: the test predictions the CLI writes for image, audio and text runs (a project's run folder holds parquet)
PREDICTIONS_CSV = "test_predictions.csv"
#: the hint for a folder that is not a run folder
WHAT_TO_CHOOSE = (
    "Choose the folder that `automl-gui train ... --out FOLDER` wrote (on a cluster: the "
    "chief's --out); it holds model.keras, metadata.json and report.json."
)


@dataclass
class OpenedRun:
    """A run read from a run folder made elsewhere.

    Attributes:
        run: the run object (model loaded in safe mode; ``prepared`` is None).
        folder: the folder it was read from (absolute).
        kind: the kind of data its model takes.
        same_data: whether it was trained on the dataset given to :func:`open_run_folder`
            (its recorded identity equals that dataset's); None when no dataset was given or
            the run recorded none.
        dataset: the name the run history groups it under: ``dataset_name`` when it was
            trained on that data, else the name of the data it was trained on (see
            :func:`data_name`; with its identity's first characters when that name is the
            loaded data's too), else "other <kind's dataset noun> (<identity>)"; "" when
            its data is unknown. Runs of one other dataset share a group.
        data_name: the file or folder name of the data it was trained on ("" when unknown).
    """

    run: Run
    folder: Path
    kind: DataKind
    same_data: bool | None
    dataset: str
    data_name: str = ""

    @property
    def test_words(self) -> str:
        """What its recorded test results are about: "its own test split (30 rows of
        small.csv)", or "its own test split" when the count is unknown."""
        n = (self.run.report or {}).get("n_samples")
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            return "its own test split"
        of = f" of {self.data_name}" if self.data_name else ""
        return f"its own test split ({n:,} {self.kind.items}{of})"

    @property
    def label(self) -> str:
        """A few words naming where the run came from: its folder's name, or the job's for
        the run of a job written by File → Export Training Job… (``<job>/output/run``)."""
        job = _job_folder(self.folder)
        return job.name if job is not None else self.folder.name


def open_run_folder(
    folder: str | os.PathLike[str],
    *,
    kind: DataKind | None = None,
    dataset: Any = None,
    dataset_name: str = "",
) -> OpenedRun:
    """Read the run folder ``folder`` (made by ``automl-gui train``, here or on a cluster).

    Args:
        folder: the run folder.
        kind: the kind of the project's loaded data; a run of another kind is refused.
        dataset: the loaded dataset (its identity says whether the run was trained on it).
        dataset_name: its name (``OpenedRun.dataset`` when the run was trained on it).

    Raises:
        ProjectError: not a folder, a project, not a run folder, damaged files, or a run of
            another kind of data than ``kind``.
        ModelError: the model is missing, damaged, unsafe or of a newer version.
    """
    from automl_gui.core.export.bundle import METADATA_FILE, MODEL_FILE
    from automl_gui.core.export.bundle import _check_metadata as check_metadata
    from automl_gui.core.export.bundle import _read_json as read_bundle_json

    path = Path(folder).expanduser().absolute()
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a folder"
        raise ProjectError(f"{path} {what}.", WHAT_TO_CHOOSE)
    if (path / PROJECT_FILE).is_file():
        raise ProjectError(
            f"{path.name} is a project folder (it holds {PROJECT_FILE}), not a run folder.",
            "Open it with File → Open Project…, or choose one of its runs/run-… folders.",
        )
    for needed in (METADATA_FILE, MODEL_FILE):
        if not (path / needed).is_file():
            raise ProjectError(
                f"{path.name} is not a run folder: it has no {needed}.", WHAT_TO_CHOOSE
            )
    try:
        metadata = read_bundle_json(path / METADATA_FILE)
    except ModelError as exc:  # its hint speaks of exporting a model
        raise ProjectError(exc.message, WHAT_TO_CHOOSE) from None
    version = metadata.get("format_version", 0)
    if not isinstance(version, int) or version > 1:
        raise ModelError(
            f"The run in {path.name} was written by a newer version of the app (format {version}).",
            "Update the app to open it.",
        )
    run_kind = check_metadata(metadata, METADATA_FILE)
    if kind is not None and run_kind is not kind:
        raise ProjectError(
            f"{path.name} holds {run_kind.model_noun}; this project's data is "
            f"{_article(kind.dataset_noun)}.",
            f"Open it in a project of its own: File → New Project, open the "
            f"{run_kind.dataset_noun} it was trained on, then File → Open Run Folder… again.",
        )
    try:
        run = read_run_folder(path, label=path.name)
    except ProjectError as exc:  # its hints speak of a project's own runs
        raise ProjectError(exc.message, WHAT_TO_CHOOSE) from None
    if run.test_predictions is None and not (path / PREDICTIONS_FILE).is_file():
        run.test_predictions = _csv_predictions(path / PREDICTIONS_CSV)
    run.notices.append(f"Opened from the run folder {path} (left there as it was).")
    trained_on = data_name(path, metadata)
    same, group = _data_group(run_kind, metadata, dataset, dataset_name, trained_on)
    return OpenedRun(
        run=run, folder=path, kind=run_kind, same_data=same, dataset=group, data_name=trained_on
    )


def data_name(folder: Path, metadata: dict[str, Any]) -> str:
    """The file or folder name of the data the run in ``folder`` was trained on: the
    metadata's ``data["name"]`` when recorded, else, for the run of a job written by File →
    Export Training Job… (``<job>/output/run``), the data its ``job.json`` names; "" when
    neither says."""
    name = (metadata.get("data") or {}).get("name")
    if isinstance(name, str) and name.strip():
        return Path(name.strip()).name
    job = _job_folder(folder)
    if job is None:
        return ""
    try:
        data = json.loads((job / "job.json").read_text(encoding="utf-8")).get("data")
    except (OSError, ValueError, AttributeError):
        return ""
    given = (data.get("original") or data.get("in_job")) if isinstance(data, dict) else None
    return Path(given).name if isinstance(given, str) and given.strip() else ""


def _job_folder(folder: Path) -> Path | None:
    """The job folder when ``folder`` is a job's run folder (``<job>/output/run``), else None."""
    from automl_gui.core.cluster.job_export import RUN_DIR

    inside = Path(RUN_DIR).parts
    if folder.parts[-len(inside) :] == inside and len(folder.parts) > len(inside):
        return folder.parents[len(inside) - 1]
    return None


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _csv_predictions(path: Path) -> Any:
    """The test predictions the CLI wrote as CSV (None when there are none or they cannot
    be read: they only add to what Evaluate shows)."""
    if not path.is_file():
        return None
    import pandas as pd

    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def _data_group(
    kind: DataKind, metadata: dict[str, Any], dataset: Any, name: str, trained_on: str
) -> tuple[bool | None, str]:
    """(trained on ``dataset``?, the dataset name the run history groups it under)."""
    recorded = (metadata.get("data") or {}).get("identity")
    if not isinstance(recorded, str) or not recorded:
        return None, ""
    if trained_on and trained_on != name:
        other = trained_on
    elif trained_on:  # the same name, other contents: kept apart from the loaded data's runs
        other = f"{trained_on} (other contents, {recorded[:6]})"
    else:
        other = f"other {kind.dataset_noun} ({recorded[:6]})"
    if dataset is None:
        return None, other
    try:
        same = kind.identity(dataset) == recorded
    except (TypeError, ValueError, AttributeError):
        return None, ""
    return same, name if same else other
