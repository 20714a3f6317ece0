"""The Predict page shows probabilities in one format (issue 15, item 10: 0.0810076 stood
next to 0.90393): the model's probability answers and a file's confidence as "90.4%", the
exact value on hover; the input's own columns, even one named like an answer, as they are."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from automl_gui.gui.format import probability
from automl_gui.gui.pages._predict_model import (
    PredictionsModel,
    common_folder,
    probability_columns,
)


def texts(model: PredictionsModel, column: str) -> list[str]:
    col = list(model.frame.columns).index(column)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_probability_has_one_fixed_format():
    assert [probability(p) for p in (0.90393, 0.0810076, 0.0, 1.0)] == [
        "90.4%",
        "8.1%",
        "0.0%",
        "100.0%",
    ]


def test_a_tables_answers_are_formatted_and_its_own_columns_are_not(qtbot):
    frame = pd.DataFrame(
        {
            "prediction": ["yes", "no"],
            "probability_no_2": [0.0960700, 0.9],  # the model's (the input has the plain name)
            "probability_yes_2": [0.90393, float("nan")],
            "probability_no": [0.0810076, 0.5],  # the input's own column
            "confidence": [0.25, 0.75],  # an input column, not a file's confidence
        }
    )
    frame.attrs["answer_columns"] = {
        "prediction": "prediction_2",
        "probability_no": "probability_no_2",
        "probability_yes": "probability_yes_2",
    }
    assert probability_columns(frame) == ["probability_no_2", "probability_yes_2"]
    model = PredictionsModel()
    model.set_frame(frame, probability_columns(frame))
    assert texts(model, "probability_no_2") == ["9.6%", "90.0%"]
    assert texts(model, "probability_yes_2") == ["90.4%", "—"]  # missing stays missing
    assert texts(model, "probability_no") == ["0.0810076", "0.5"]
    assert texts(model, "confidence") == ["0.25", "0.75"]
    col = list(frame.columns).index("probability_yes_2")
    assert model.index(0, col).data(Qt.ItemDataRole.ToolTipRole) == "0.90393"  # exact
    model.set_frame(None)
    assert model.rowCount() == 0
    model.set_frame(frame[["probability_no"]])  # another frame: nothing formatted
    assert texts(model, "probability_no") == ["0.0810076", "0.5"]


def test_a_files_confidence_and_probabilities_are_formatted(qtbot):
    frame = pd.DataFrame(
        {
            "path": ["/a.png"],
            "prediction": ["dog"],
            "confidence": [0.874],
            "probability_cat": [0.126],
            "probability_dog": [0.874],
            "error": [""],
        }
    )
    model = PredictionsModel()
    model.set_frame(frame, probability_columns(frame))
    assert texts(model, "confidence") == ["87.4%"]
    assert texts(model, "probability_cat") == ["12.6%"]
    assert texts(model, "path") == ["/a.png"]


def test_file_paths_show_relative_to_the_chosen_folder(tmp_path, monkeypatch):
    """Absolute paths wrapped onto two lines and pushed the confidence out of sight; a folder
    given relative to the working directory ("resources/samples/shapes") counts as well."""
    files = tmp_path / "shapes" / "circle"
    files.mkdir(parents=True)
    image = files / "c_01.jpg"
    image.write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert common_folder(["shapes"]) == str(tmp_path / "shapes")
    assert common_folder([str(image)]) == str(files)
    assert common_folder([str(image), "shapes"]) == str(tmp_path / "shapes")
    frame = pd.DataFrame({"path": [str(image)], "prediction": ["circle"], "confidence": [0.9]})
    model = PredictionsModel()
    model.set_frame(frame, ["confidence"], common_folder(["shapes"]))
    assert texts(model, "path") == ["circle/c_01.jpg"]
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == str(image)  # whole
    model.set_frame(frame, ["confidence"])  # a table's rows: as they are
    assert texts(model, "path") == [str(image)]
