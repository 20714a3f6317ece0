"""An image or an audio run alike: its saved bundle reloads and predicts the same, its exports
reload and compare on the sample inputs, and files are collected for prediction. What only one
kind has stays in test_images_pipeline.py and test_audio_pipeline.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.export.bundle import load_bundle, save_bundle
from automl_gui.core.export.formats import export_model
from automl_gui.core.kinds._audio_media import collect_audio_paths
from automl_gui.core.kinds._image_media import collect_image_paths
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES


@dataclass(frozen=True)
class Pipeline:
    """What differs between the kinds: the fixtures of the folder and the run trained on it,
    how files are collected, and the words and numbers they give."""

    folder: str  # fixture name (tests/core/conftest.py)
    run: str  # fixture name
    collect: Callable[[list[str]], Any]
    files: int  # files in the folder
    noun: str  # "No <noun> files found"
    samples: str  # how an export's comparison names the sample inputs


PIPELINES = {
    IMAGES: Pipeline(
        folder="image_folder",
        run="image_run",
        collect=collect_image_paths,
        files=42,
        noun="image",
        samples="sample images",
    ),
    AUDIO: Pipeline(
        folder="audio_folder",
        run="audio_run",
        collect=collect_audio_paths,
        files=32,
        noun="audio",
        samples="sample clips (raw waveforms)",
    ),
}
KINDS = pytest.mark.parametrize("kind", list(PIPELINES), ids=str)


@KINDS
def test_saved_bundle_reloads_and_predicts_files_like_the_app(kind, request, tmp_path):
    run = request.getfixturevalue(PIPELINES[kind].run)[0]
    out = save_bundle(run.model, run.metadata, run.report, tmp_path / "m", samples=run.samples)
    assert (out / "samples.npy").is_file() and not (out / "sample_images.npy").exists()
    bundle = load_bundle(out)
    assert bundle.kind is kind and bundle.kind.name == kind.name
    assert bundle.samples.shape == run.samples.shape
    again = np.asarray(bundle.model.predict(bundle.samples, verbose=0))
    assert np.allclose(again, np.array(run.metadata["sample_predictions"]), atol=1e-5)
    # files predicted through the reloaded bundle = the in-app test predictions
    test = run.test_predictions
    df = kind.predict(bundle, list(test["path"])).set_index("path")
    names = run.metadata["class_names"]
    for _, row in test.iterrows():
        assert df.loc[row["path"], "prediction"] == row["prediction"]
        for n in names:
            got = df.loc[row["path"], f"probability_{n}"]
            assert abs(got - row[f"probability_{n}"]) < 1e-4


@KINDS
@pytest.mark.parametrize("fmt", ["keras", "savedmodel"])
def test_export_reloads_and_compares_on_the_sample_inputs(kind, fmt, request, tmp_path):
    table = PIPELINES[kind]
    run = request.getfixturevalue(table.run)[0]
    result = export_model(run.bundle, fmt, tmp_path / f"export-{fmt}")
    assert result.ok, result.message
    assert result.rows_compared == len(run.samples)
    assert table.samples in result.message
    assert (tmp_path / f"export-{fmt}" / "samples.npy").is_file()


@KINDS
def test_collect_paths_recurses_counts_other_files_and_errors(kind, request, tmp_path):
    table = PIPELINES[kind]
    folder = request.getfixturevalue(table.folder)
    good, bad, other = table.collect([str(folder)])
    assert len(good) == table.files and not bad and other == 0 and good == sorted(good)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(DataError, match=f"No {table.noun} files"):
        table.collect([str(tmp_path)])
    with pytest.raises(DataError, match="does not exist"):
        table.collect([str(tmp_path / "missing")])
