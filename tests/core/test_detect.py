"""kind_for_path: which dataset a dropped path holds, or a plain error saying what would work."""

from __future__ import annotations

import os

import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.data import SUPPORTED_TABLE_SUFFIXES
from automl_gui.core.kinds import kind_for_path


@pytest.mark.parametrize("name", ["a.csv", "b.TSV", "c.txt", "d.tab", "e.parquet", "f.PQ"])
def test_table_files_are_tabular_whatever_the_case_of_the_suffix(tmp_path, name):
    path = tmp_path / name
    path.write_text("x,y\n1,2\n")
    assert kind_for_path(path).name == "tabular"
    assert kind_for_path(str(path)).name == "tabular"


def test_supported_table_suffixes_are_listed():
    assert set(SUPPORTED_TABLE_SUFFIXES) == {".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq"}


def test_folder_of_images_in_class_subfolders_is_images(tmp_path):
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            (tmp_path / cls / f"{i}.JPG").write_bytes(b"\xff\xd8\xff")
    (tmp_path / ".DS_Store").write_bytes(b"")
    (tmp_path / "labels.csv").write_text("file,label\n")
    assert kind_for_path(tmp_path).name == "images"


def test_folder_of_audio_clips_is_audio(tmp_path):
    for i, ext in enumerate([".wav", ".flac", ".ogg", ".mp3"]):
        (tmp_path / f"clip{i}{ext}").write_bytes(b"RIFF")
    assert kind_for_path(tmp_path).name == "audio"


def test_missing_path_says_it_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="does not exist") as info:
        kind_for_path(tmp_path / "gone.csv")
    assert info.value.hint


def test_empty_folder_is_refused(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(DataError, match="empty") as info:
        kind_for_path(tmp_path)
    assert "CSV" in info.value.hint


def test_excel_file_is_refused_with_save_as_csv_hint(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match="report.xlsx is|'report.xlsx' is an Excel") as info:
        kind_for_path(path)
    assert "CSV" in info.value.hint


def test_unknown_suffix_lists_what_is_supported(tmp_path):
    path = tmp_path / "notes.doc2"
    path.write_text("hello")
    with pytest.raises(DataError, match=r"\.doc2") as info:
        kind_for_path(path)
    assert ".csv" in info.value.hint and ".parquet" in info.value.hint


def test_pickle_is_refused_for_safety(tmp_path):
    path = tmp_path / "frame.pkl"
    path.write_bytes(b"\x80\x04")
    with pytest.raises(DataError, match="pickle") as info:
        kind_for_path(path)
    assert "Parquet" in info.value.hint


def test_single_image_file_asks_for_its_folder(tmp_path):
    path = tmp_path / "cat.png"
    path.write_bytes(b"\x89PNG")
    with pytest.raises(DataError, match="single file") as info:
        kind_for_path(path)
    assert "folder" in info.value.hint


def test_folder_of_tables_asks_for_the_table_itself(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="table files") as info:
        kind_for_path(tmp_path)
    assert "table file itself" in info.value.hint


def test_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "a.doc").write_text("x")
    (tmp_path / "b.md").write_text("x")
    with pytest.raises(DataError, match="no images or audio"):
        kind_for_path(tmp_path)


def test_importing_the_package_defers_pandas_until_the_readers_are_used():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import automl_gui.core.data as d\n"
        "print('pandas' in sys.modules)\n"
        "d.read_table\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_folder_of_every_audio_extension_is_audio(tmp_path):
    for i, ext in enumerate([".WAV", ".wave", ".oga", ".opus", ".Mp3"]):
        (tmp_path / "birds" / f"clip{i}{ext}").parent.mkdir(exist_ok=True)
        (tmp_path / "birds" / f"clip{i}{ext}").write_bytes(b"RIFF")
    assert kind_for_path(tmp_path).name == "audio"


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("clips.csv", "file,label\na/1.wav,dog\na/2.flac,cat\nb/3.MP3,dog\n", "audio"),
        ("clips.tsv", "x/1.ogg\tdog\nx/2.opus\tcat\n", "audio"),  # no header
        ("pictures.csv", "path,label\n1.jpg,cat\n2.png,dog\n", "images"),
        ("table.csv", "name,wav_count\nx.txt,3\ny,4\n", "tabular"),
    ],
)
def test_a_csv_naming_audio_files_is_audio(tmp_path, name, text, kind):
    path = tmp_path / name
    path.write_text(text)
    assert kind_for_path(path).name == kind


def test_single_audio_file_asks_for_its_folder_with_an_audio_example(tmp_path):
    path = tmp_path / "bark.flac"
    path.write_bytes(b"fLaC")
    with pytest.raises(DataError, match="single file \\(an audio clip\\)") as info:
        kind_for_path(path)
    assert "sounds/dog/*.wav" in info.value.hint


def test_a_folder_of_linked_class_folders_is_images_and_a_loop_ends(tmp_path):
    """Class folders that are links (a dataset assembled from elsewhere) were not looked
    into: the folder was called empty. Links are followed now, each folder once."""
    for cls in ("cat", "dog"):
        (tmp_path / "real" / cls).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "real" / cls / f"{i}.png").write_bytes(b"\x89PNG")
        os.symlink(tmp_path / "real" / cls, tmp_path / "real" / cls / "loop")
    (tmp_path / "ds").mkdir()
    for cls in ("cat", "dog"):
        os.symlink(tmp_path / "real" / cls, tmp_path / "ds" / cls)
    os.symlink("..", tmp_path / "ds" / "up")
    assert kind_for_path(tmp_path / "ds").name == "images"
