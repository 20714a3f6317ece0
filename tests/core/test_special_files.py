"""Named pipes, sockets and devices are never opened: a FIFO named ``x.csv``, or ``x.png`` /
``x.wav`` among a dataset's files, once hung every reader (``open()`` waits for a writer).
They are listed as bad files with a reason, or refused with a DataError for a single path."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import audio_factory
import pytest
from image_factory import make_class_folders

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.audio import check_audio, scan_audio
from automl_gui.core.data.images import BadImageError, check_image, scan_images
from automl_gui.core.data.tabular import read_table
from automl_gui.core.kinds import kind_for_path
from automl_gui.core.kinds._audio_media import collect_audio_paths
from automl_gui.core.kinds._image_media import collect_image_paths

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

PIPE = "not a regular file (a named pipe)"


@pytest.fixture
def fifo():
    """Makes named pipes; should a reader block on one (the bug), a writer opens it after a
    few seconds so the reader sees an empty file and the test fails instead of hanging."""
    made: list[Path] = []
    stop = threading.Event()

    def release() -> None:
        if stop.wait(5.0):
            return
        while not stop.wait(0.2):
            for path in made:
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:
                    continue
                os.close(fd)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()

    def make(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    stop.set()
    thread.join()


def _quick(call, *args):
    start = time.monotonic()
    try:
        return call(*args)
    finally:
        assert time.monotonic() - start < 4, "a reader waited on a named pipe"


def test_read_table_refuses_a_named_pipe_without_opening_it(tmp_path, fifo):
    path = fifo(tmp_path / "x.csv")
    with pytest.raises(DataError, match="'x.csv' is a named pipe, not a regular file"):
        _quick(read_table, path)


def test_kind_for_path_refuses_a_named_pipe(tmp_path, fifo):
    for name in ("x.csv", "x.parquet", "x.png"):
        path = fifo(tmp_path / name)
        with pytest.raises(DataError, match="is a named pipe, not a regular file"):
            _quick(kind_for_path, path)


def test_a_socket_is_refused_too(tmp_path):
    path = tmp_path / "s.csv"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        with pytest.raises(DataError, match="'s.csv' is a socket"):
            read_table(path)
        with pytest.raises(DataError, match="is a socket"):
            kind_for_path(path)
    finally:
        sock.close()


def test_a_device_is_a_bad_file_not_a_read():
    assert check_audio("/dev/zero") == "not a regular file (a device)"
    with pytest.raises(BadImageError, match=r"not a regular file \(a device\)"):
        check_image("/dev/zero")


def test_a_named_pipe_among_images_is_a_bad_file(tmp_path, fifo):
    root = make_class_folders(tmp_path / "ds", classes=("a", "b"), per_class=3, size=(16, 16))
    pipe = fifo(root / "a" / "x.png")
    ds = _quick(scan_images, str(root))
    assert {b.path: b.reason for b in ds.bad_files} == {str(pipe): PIPE}
    assert len(ds) == 6
    assert any("1 not a regular file" in n for n in ds.notices)


def test_a_named_pipe_among_clips_is_a_bad_file(tmp_path, fifo):
    root = audio_factory.make_class_folders(
        tmp_path / "ds", classes=("a", "b"), per_class=2, formats=("wav",)
    )
    pipe = fifo(root / "b" / "x.wav")
    ds = _quick(scan_audio, str(root))
    assert [(b.path, b.reason) for b in ds.bad_files] == [(str(pipe), PIPE)]


def test_an_image_csv_naming_a_named_pipe_lists_it_as_bad(tmp_path, fifo):
    root = make_class_folders(tmp_path / "ds", classes=("a", "b"), per_class=2, size=(16, 16))
    fifo(root / "pipe.png")
    rows = [f"{p.relative_to(root)},{p.parent.name}" for p in sorted(root.glob("*/*.*"))]
    csv = root / "labels.csv"
    csv.write_text("path,label\n" + "\n".join(rows + ["pipe.png,a"]) + "\n")
    ds = _quick(scan_images, str(csv))
    assert [(Path(b.path).name, b.reason) for b in ds.bad_files] == [("pipe.png", PIPE)]


def test_a_named_pipe_as_the_dataset_or_its_csv_is_refused(tmp_path, fifo):
    pipe = fifo(tmp_path / "labels.csv")
    with pytest.raises(DataError, match="'labels.csv' is a named pipe"):
        _quick(scan_images, str(pipe))
    folder = fifo(tmp_path / "folder")
    with pytest.raises(DataError, match="'folder' is a named pipe"):
        _quick(scan_audio, str(folder))


def test_a_named_pipe_beside_a_folder_of_csv_layout_is_not_read(tmp_path, fifo):
    """A folder whose subfolders do not name classes looks for one CSV in it: a pipe named
    like a CSV is not read while looking."""
    make_class_folders(tmp_path / "pictures", classes=("a",), per_class=2, size=(16, 16))
    fifo(tmp_path / "labels.csv")
    with pytest.raises(DataError, match="Only one class"):
        _quick(scan_images, str(tmp_path))


def test_prediction_lists_named_pipes_given_or_found_as_bad(tmp_path, fifo):
    root = make_class_folders(tmp_path / "ds", classes=("a",), per_class=2, size=(16, 16))
    found = fifo(root / "a" / "x.png")
    given = fifo(tmp_path / "given.png")
    good, bad, _other = _quick(collect_image_paths, [str(root), str(given)])
    assert len(good) == 2
    assert {(b.path, b.reason) for b in bad} == {(str(found), PIPE), (str(given), PIPE)}
    clips = audio_factory.make_class_folders(
        tmp_path / "clips", classes=("a",), per_class=1, formats=("wav",)
    )
    pipe = fifo(clips / "a" / "x.wav")
    good, bad, _other = _quick(collect_audio_paths, [str(clips)])
    assert len(good) == 1 and [(b.path, b.reason) for b in bad] == [(str(pipe), PIPE)]


def test_the_input_pipelines_refuse_a_named_pipe(tmp_path, fifo):
    from automl_gui.core.base import lazy
    from automl_gui.core.preprocess.audio import load_audio
    from automl_gui.core.preprocess.images import load_images

    lazy.tf()  # imported before the clock starts
    with pytest.raises(DataError, match=r"x.png: not a regular file \(a named pipe\)"):
        _quick(load_images, [str(fifo(tmp_path / "x.png"))], 8)
    with pytest.raises(DataError, match=r"x.wav: not a regular file \(a named pipe\)"):
        _quick(load_audio, str(fifo(tmp_path / "x.wav")), 16000)
