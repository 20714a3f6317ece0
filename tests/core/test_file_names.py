"""File names that are not valid UTF-8 (bytes such as b'\\xff' on Linux, which Python holds
as lone surrogates) once ended ``train FOLDER`` and ``predict`` with "This is a bug": a
TensorFlow string, a CSV/Parquet/JSON write or a print of such a path raises. They are now
bad files with a plain reason and a printable path; nothing else changes."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import audio_factory
import numpy as np
import pandas as pd
import pytest
from image_factory import draw, make_class_folders, save

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.audio import check_audio, scan_audio
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds._audio_media import collect_audio_paths
from automl_gui.core.kinds._image_media import collect_image_paths

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="only Linux file names may hold any bytes"
)

REASON = "bad file name (not valid UTF-8: rename the file or its folder)"


def _odd(folder: Path, raw: bytes) -> str:
    """The path of a file named ``raw`` (bytes) in ``folder``, as Python shows it."""
    return os.fsdecode(os.fsencode(str(folder)) + b"/" + raw)


def _printable(text: str) -> None:
    text.encode("utf-8")  # raises for lone surrogates


def test_an_image_with_an_undecodable_name_is_a_bad_file_with_a_printable_path(tmp_path):
    root = make_class_folders(tmp_path / "ds", classes=("a", "b"), per_class=3, size=(16, 16))
    odd = _odd(root / "a", b"\xff.png")
    shutil.copy(next((root / "a").glob("*.png")), odd)
    ds = scan_images(str(root))
    assert [(b.path, b.reason) for b in ds.bad_files] == [(f"{root}/a/\\xff.png", REASON)]
    assert odd not in ds.paths() and len(ds) == 6
    for text in ds.notices + ds.paths() + [b.path for b in ds.bad_files]:
        _printable(text)
    assert any("1 bad file name" in n for n in ds.notices)


def test_a_class_folder_with_an_undecodable_name_is_shown_and_its_files_are_bad(tmp_path):
    root = make_class_folders(tmp_path / "ds", classes=("a", "b"), per_class=2, size=(16, 16))
    folder = Path(_odd(root, b"caf\xe9"))
    folder.mkdir()
    save(draw("c", (16, 16)), folder / "1.png", "png")
    ds = scan_images(str(root))
    assert ds.class_names == ["a", "b"]
    assert [b.reason for b in ds.bad_files] == [REASON]
    assert "Class 'caf\\xe9' has no usable images and was left out." in ds.notices
    for text in ds.notices + [b.path for b in ds.bad_files]:
        _printable(text)


def test_a_dataset_whose_own_path_is_undecodable_is_refused_plainly(tmp_path):
    root = Path(_odd(tmp_path, b"d\xfft"))
    make_class_folders(root, classes=("a", "b"), per_class=2, size=(16, 16))
    with pytest.raises(DataError, match="is not valid UTF-8") as info:
        scan_images(str(root))
    assert "Rename the folder" in info.value.hint
    _printable(info.value.message)


def test_a_clip_with_an_undecodable_name_is_a_bad_file(tmp_path):
    root = audio_factory.make_class_folders(
        tmp_path / "ds", classes=("a", "b"), per_class=2, formats=("wav",)
    )
    odd = _odd(root / "b", b"\xfe\xff.wav")
    shutil.copy(next((root / "b").glob("*.wav")), odd)
    assert not isinstance(check_audio(odd), str)  # the clip itself is fine
    ds = scan_audio(str(root))
    assert [(b.path, b.reason) for b in ds.bad_files] == [(f"{root}/b/\\xfe\\xff.wav", REASON)]


def test_prediction_lists_undecodable_names_as_bad_and_the_table_can_be_written(tmp_path):
    root = make_class_folders(tmp_path / "ds", classes=("a",), per_class=2, size=(16, 16))
    shutil.copy(next((root / "a").glob("*.png")), _odd(root / "a", b"\xff.png"))
    given = _odd(tmp_path, b"g\xff.jpg")
    shutil.copy(next((root / "a").glob("*.jpg")), given)
    good, bad, _other = collect_image_paths([str(root), given])
    assert len(good) == 2 and {b.reason for b in bad} == {REASON}
    frame = pd.DataFrame({"path": [b.path for b in bad], "error": [b.reason for b in bad]})
    frame.to_csv(tmp_path / "out.csv", index=False)  # raised UnicodeEncodeError before
    frame.to_parquet(tmp_path / "out.parquet")
    json.dumps([b.path for b in bad], ensure_ascii=False).encode("utf-8")
    clips = audio_factory.make_class_folders(
        tmp_path / "clips", classes=("a",), per_class=1, formats=("wav",)
    )
    shutil.copy(next((clips / "a").glob("*.wav")), _odd(clips / "a", b"\xff.wav"))
    good, bad, _other = collect_audio_paths([str(clips)])
    assert len(good) == 1 and [b.reason for b in bad] == [REASON]


def test_the_input_pipelines_read_any_file_name(tmp_path):
    """Should such a path reach the pipeline anyway, it travels as bytes and loads."""
    from automl_gui.core.preprocess.audio import make_audio_dataset
    from automl_gui.core.preprocess.images import load_images, make_dataset

    image = _odd(tmp_path, b"\xff.png")
    save(draw("a", (12, 10)), Path(image), "png")
    batches = list(make_dataset([image], np.array([1], "int32"), 8, 4))
    assert batches[0][0].shape == (1, 8, 8, 3) and int(batches[0][1][0]) == 1
    assert load_images([image], 8).shape == (1, 8, 8, 3)
    clip = _odd(tmp_path, b"\xff.wav")
    written = audio_factory.write(tmp_path / "a.wav", audio_factory.synth("a", 0.2, 8000), 8000)
    os.rename(written, clip)
    waves = list(make_audio_dataset([clip], None, 8000, 800, 2))
    assert waves[0].shape == (1, 1600)  # evaluation reads the 0.2 s clip whole
    crops = list(make_audio_dataset([clip], None, 8000, 800, 2, training=True))
    assert crops[0].shape == (1, 800)  # training takes one window of it


def test_a_table_with_an_undecodable_name_reads_and_its_notices_print(tmp_path):
    from automl_gui.core.data.tabular import read_table

    path = _odd(tmp_path, b"t\xff.csv")
    Path(path).write_bytes("name,n\ncaf\xe9,1\nb,2\n".encode("cp1252"))
    table = read_table(path)
    assert table.df.shape == (2, 2) and table.notices
    for notice in table.notices:
        _printable(notice)
    assert "t\\xff.csv" in table.notices[0]


def test_a_csv_with_an_undecodable_name_is_not_taken_as_the_folder_labels(tmp_path):
    make_class_folders(tmp_path / "pictures", classes=("a", "b"), per_class=2, size=(16, 16))
    rows = [f"pictures/{p.parent.name}/{p.name},{p.parent.name}" for p in tmp_path.glob("*/*/*")]
    Path(_odd(tmp_path, b"l\xff.csv")).write_text("path,label\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match="Only one class"):  # 'pictures' is one folder
        scan_images(str(tmp_path))


def test_a_parquet_table_with_an_undecodable_name_is_read(tmp_path):
    """pyarrow encodes a path as UTF-8: the file is opened here and handed over instead
    (it was reported as damaged: "could not be read as Parquet: 'utf-8' codec ...")."""
    from automl_gui.core.data.tabular import read_table

    path = _odd(tmp_path, b"t\xff.parquet")
    pd.DataFrame({"x": [1.5, 2.5, 3.5], "y": ["a", "b", "a"]}).to_parquet(
        tmp_path / "plain.parquet"
    )
    os.rename(tmp_path / "plain.parquet", path)
    table = read_table(path)
    assert table.df.shape == (3, 2)
    assert list(table.df["x"]) == [1.5, 2.5, 3.5]
    assert table.source.format == "parquet"
