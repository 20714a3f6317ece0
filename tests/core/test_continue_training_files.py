"""Continue training a run of files (``core.jobs._continued_files``): the run's own model
trained further on new labelled images or clips, its input contract kept, a new class or the
earlier and new folders together refused."""

from __future__ import annotations

import numpy as np
import pytest
from audio_factory import make_class_folders as make_sound_folders
from image_factory import make_class_folders as make_shape_folders

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import EpochEnd
from automl_gui.core.data.images import scan_images
from automl_gui.core.jobs.continued import check_new_data, continue_run, old_and_new
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES


def test_an_image_run_continues_on_new_images(image_run, tmp_path):
    run, _, dataset = image_run
    weights = [w.copy() for w in run.model.get_weights()]
    new = scan_images(
        str(make_shape_folders(tmp_path / "new", per_class=10, size=(48, 48), seed=8))
    )
    events: list = []
    new_run = continue_run(
        run.model, run.metadata, new, base_name="shapes", epochs=2, lr_factor=1.0,
        on_event=events.append,
    )  # fmt: skip
    info = new_run.metadata["continued_from"]
    assert info["items"] == "images" and info["rows"]["train"] > 0
    assert set(info["test_before"]) >= {"accuracy"} and "accuracy" in info["test_after"]
    assert sum(isinstance(e, EpochEnd) for e in events) == 2
    # the input contract is the earlier model's, not one decided from the new 48 px images
    assert new_run.metadata["image_size"] == run.metadata["image_size"]
    assert new_run.metadata["class_names"] == run.metadata["class_names"]
    assert new_run.metadata["data"]["identity"] == IMAGES.identity(new)
    assert len(new_run.test_predictions) == info["rows"]["test"]
    assert all(np.array_equal(a, b) for a, b in zip(weights, run.model.get_weights(), strict=True))
    assert "continued_from" not in run.metadata


def test_new_image_classes_and_old_with_new_are_refused(image_run, tmp_path):
    run, _, dataset = image_run
    other = make_shape_folders(tmp_path / "o", ("circle", "hexagon"), per_class=3, seed=9)
    with pytest.raises(DataError, match="does not know: 'hexagon'"):
        check_new_data(IMAGES, run.metadata, scan_images(str(other)))
    assert "one folder" in old_and_new(IMAGES)
    new = scan_images(str(make_shape_folders(tmp_path / "n", per_class=4, seed=10)))
    with pytest.raises(DataError, match="not offered for folders"):
        continue_run(run.model, run.metadata, new, old_data=dataset, epochs=1)


def test_a_text_run_keeps_its_vocabulary():
    from kind_jobs import train_kind

    from automl_gui.core.kinds.text import TEXT
    from automl_gui.core.train.config import TrainConfig

    sample = TEXT.load(TEXT.sample_path())
    run = train_kind(
        TEXT, sample, TEXT.default_preprocess(sample), TEXT.default_model(),
        TrainConfig(epochs=1, seed=1),
    )  # fmt: skip
    new_run = continue_run(run.model, run.metadata, sample, epochs=1, lr_factor=0.5)
    assert new_run.metadata["text"] == run.metadata["text"]
    assert new_run.metadata["continued_from"]["items"] == TEXT.items
    assert len(new_run.test_predictions) == new_run.metadata["continued_from"]["rows"]["test"]


def test_new_data_is_read_as_the_run_read_its_own(image_run, tmp_path):
    from automl_gui.core.jobs.continued import load_new_data

    run, _, _ = image_run
    folder = make_shape_folders(tmp_path / "n", per_class=3, seed=11)
    assert len(load_new_data(run.metadata, folder).items) == 9
    table = tmp_path / "t.csv"
    table.write_text("x,y\n1,a\n2,b\n")
    with pytest.raises(DataError, match="trained on images; this is a table"):
        load_new_data(run.metadata, table)


def test_the_command_line_continues_an_audio_model_keeping_its_window_and_rate(
    audio_run, tmp_path, capsys
):
    """The command line's folder path is the same for every file kind: one continuation
    through it (an audio model's, whose input contract is the longest) proves both what the
    command writes and that the clips' rate and window are kept."""
    import json

    from automl_gui.cli import main
    from automl_gui.core.export.bundle import save_bundle

    run, _, dataset = audio_run
    saved = save_bundle(run.model, run.metadata, run.report, tmp_path / "run1", samples=run.samples)
    new = make_sound_folders(tmp_path / "s", per_class=6, seconds=(1.0, 1.4), seed=5)
    out = tmp_path / "run2"
    args = ["train", str(new), "--continue-from", str(saved), "--epochs", "1", "--out", str(out)]
    assert main(args) == 0
    metadata = json.loads((out / "metadata.json").read_text())
    for key in ("sample_rate", "clip_seconds", "n_samples"):
        assert metadata[key] == run.metadata[key]
    assert metadata["continued_from"]["items"] == "clips"
    assert AUDIO.name == metadata["kind"]
    assert (out / "test_predictions.csv").exists()
    old = ["--with-earlier-data", str(dataset.root), "--out", str(tmp_path / "run3")]
    assert main([*args[:-2], *old]) == 1
    assert "not offered for folders" in capsys.readouterr().err
