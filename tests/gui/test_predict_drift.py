"""Predict page trust parts: a strip naming what drifted after predicting (tables and image
folders), nothing when nothing drifted, a muted line for a model without a reference, a
table row's contributions when it is selected, and a chosen threshold in the model line."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import predict_kinds as pk
import pytest
from PIL import Image, ImageOps

from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.trust.drift import DRIFT_KEY, files_reference, table_reference
from automl_gui.gui.pages.predict import PredictPage
from automl_gui.gui.state import AppState


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n) + shift, rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    label = np.where(x1 + 0.5 * x2 + (colour == "red") > 0.5, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "label": label})


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """(run with a drift reference, folder with shifted.csv and alike.csv)."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    folder = tmp_path_factory.mktemp("predict_drift_gui")
    _frame(300, 0).to_csv(folder / "train.csv", index=False)
    data = read_table(folder / "train.csv")
    setup = setup_tabular(data, "label", None)
    run = train_tabular(
        data.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=2, batch_size=32, early_stopping=False, seed=1),
    )
    features = data.df.drop(columns=["label"])
    run.metadata.setdefault(DRIFT_KEY, table_reference(features, run.metadata))
    _frame(120, 5, shift=2.0).to_csv(folder / "shifted.csv", index=False)
    _frame(120, 6).to_csv(folder / "alike.csv", index=False)
    return run, folder


def _page(qtbot, run) -> PredictPage:
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    state.set_run(run)
    return page


def _predict(qtbot, page: PredictPage, path) -> pd.DataFrame:
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        page.predict_file(str(path))
    return blocker.args[0]


def test_a_table_that_drifted_is_named_with_details_a_click_away(qtbot, table) -> None:
    run, folder = table
    page = _page(qtbot, run)
    _predict(qtbot, page, folder / "shifted.csv")
    strip = page.drift_strip
    assert strip.isVisible() and strip.bar.isVisible()
    assert strip.shown_text.startswith("Drift: 1 of 3 columns differ from the training data: x1")
    assert "retrain it with recent data" in strip.shown_text
    assert not strip.details.isVisible()
    strip.details_button.click()
    assert strip.details.isVisible() and "Kolmogorov" in strip.method.text()
    assert strip.details_model.rowCount() == 3
    assert strip.details_model.frame.iloc[0]["Compared"] == "x1"
    assert strip.details_model.frame.iloc[0]["Drifted"] == "yes"
    assert "PSI" not in strip.shown_text  # the rule's figures are in the details
    strip.details_button.click()
    assert not strip.details.isVisible()


def test_a_table_like_the_training_data_says_so_in_a_muted_line(qtbot, table) -> None:
    run, folder = table
    page = _page(qtbot, run)
    _predict(qtbot, page, folder / "shifted.csv")
    _predict(qtbot, page, folder / "alike.csv")
    strip = page.drift_strip
    assert strip.isVisible() and not strip.bar.isVisible()  # checked, fine: no warning
    assert strip.shown_text == "Compared with the training data: nothing drifted (3 columns)."


def test_a_model_without_a_reference_says_so_quietly(qtbot, table) -> None:
    run, folder = table
    metadata = {k: v for k, v in run.metadata.items() if k != DRIFT_KEY}
    page = _page(qtbot, dataclasses.replace(run, metadata=metadata))
    _predict(qtbot, page, folder / "alike.csv")
    assert page.drift_strip.isVisible() and not page.drift_strip.bar.isVisible()
    assert page.drift_strip.shown_text.startswith("Drift not checked: this model was saved")


def test_a_selected_row_shows_what_moved_its_answer(qtbot, table) -> None:
    run, folder = table
    page = _page(qtbot, run)
    frame = _predict(qtbot, page, folder / "alike.csv")
    assert not page.contributions.isVisible()  # the answers take the width until a row is picked
    page.table.selectRow(4)
    page.table.selectRow(2)  # quickly on: only the last row asked is worked out
    qtbot.waitUntil(lambda: page.contributions.words.text().startswith("Row 3 "), timeout=60_000)
    assert page.contributions.isVisible()
    chart = page.contributions.chart
    # each bar named with the row's value, as on the Evaluate page
    assert sorted(label.split(" = ")[0] for label in chart.labels) == ["colour", "x1", "x2"]
    assert f"colour = {frame['colour'].iloc[2]}" in chart.labels
    predicted = frame["prediction"].iloc[2]
    assert f"(predicted {predicted})" in page.contributions.words.text()
    assert page.wait_idle()


def test_a_drifted_columns_push_is_marked(qtbot, table) -> None:
    run, folder = table
    page = _page(qtbot, run)
    _predict(qtbot, page, folder / "shifted.csv")
    page.table.selectRow(1)
    qtbot.waitUntil(lambda: page.contributions.words.text().startswith("Row 2 "), timeout=60_000)
    marked = [label for label in page.contributions.chart.labels if label.endswith("⚠")]
    assert [label.split(" = ")[0] for label in marked] == ["x1"]  # the drifted column only
    assert "unlike the training data" in page.contributions.words.text()
    assert page.wait_idle()


def test_a_chosen_threshold_is_said_in_the_model_line(qtbot, table) -> None:
    from automl_gui.core.trust.thresholds import set_threshold, threshold_words

    run, _folder = table
    metadata = set_threshold(dict(run.metadata), 0.7, "by hand")
    page = _page(qtbot, dataclasses.replace(run, metadata=metadata))
    words = threshold_words(metadata)
    assert words and words.replace("'", "&#x27;") in page.model_label.text()


# -- an image model ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """(image run with a reference, a folder alike, the same images inverted)."""
    import image_factory

    from automl_gui.core.preprocess.images import make_dataset

    root = tmp_path_factory.mktemp("predict_drift_images")
    size = (pk.IMAGE_SIZE, pk.IMAGE_SIZE)
    kw = {"size": size, "vary_size": False, "formats": ("png",), "modes": False}
    train = image_factory.make_class_folders(root / "train", per_class=20, seed=1, **kw)
    held = image_factory.make_class_folders(root / "held", per_class=20, seed=2, **kw)
    alike = image_factory.make_class_folders(root / "alike", per_class=8, seed=3, **kw)
    inverted = root / "inverted"
    inverted.mkdir()
    for i, path in enumerate(sorted(alike.rglob("*.png"))):
        ImageOps.invert(Image.open(path).convert("RGB")).save(inverted / f"{i:03d}.png")
    run = pk.image_run()

    def batches(folder):
        paths = sorted(str(p) for p in folder.rglob("*.png"))
        return make_dataset(paths, np.zeros(len(paths), "int32"), pk.IMAGE_SIZE, 16)

    run.metadata[DRIFT_KEY] = files_reference(run.model, batches(train), batches(held))
    return run, alike, inverted


def test_an_image_folder_that_drifted_is_named_with_its_answers(qtbot, images) -> None:
    run, alike, inverted = images
    page = _page(qtbot, run)
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000):
        page.predict_files([str(inverted)])
    assert page.predictions is not None and len(page.predictions) == 24
    assert page.drift_strip.bar.isVisible()  # worked out with the answers, in one pass
    assert page.drift_strip.shown_text.startswith("Drift: The images differ from the training")
    assert not page.contributions.isVisible()  # contributions are for table rows
    assert page.wait_idle()
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000):
        page.predict_files([str(alike)])
    assert page.wait_idle()
    assert not page.drift_strip.bar.isVisible()  # no warning; the muted line says it was checked
    assert page.drift_strip.shown_text.startswith("Compared with the training data: ")


def test_categories_the_model_never_saw_are_said_once_in_the_drift_strip() -> None:
    from types import SimpleNamespace

    from automl_gui.gui.pages._predict_drift import said_by_drift

    notices = [
        "Column 'contract': 300 values are categories the model never saw (unknown) (e.g. 'x').",
        "Column 'age': 2 values are not numbers (treated as missing).",
        "Column 'plan': 3 values are categories the model never saw (unknown); 1 value is far.",
    ]
    problems = [
        {"column": "contract", "unseen": 300},
        {"column": "age", "not_numbers": 2},
        {"column": "plan", "unseen": 3, "far_outside": 1},
    ]
    report = SimpleNamespace(unseen={"contract": (300, "x"), "plan": (3, "y")})
    # contract's only problem is said by the strip; plan has another one, kept
    assert said_by_drift(notices, problems, report) == notices[1:]
    assert said_by_drift(notices, problems, None) == notices
