"""Every kind's window side is its page package's ``WINDOW``: its pages exist, a kind of
files brings its ways in, Predict words and Train summary parts, and the package itself is
light (the window imports it at start)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from automl_gui.core.kinds import all_kinds, kind_named
from automl_gui.gui.pages import registry
from automl_gui.gui.pages._kind_window import KindWindow
from automl_gui.gui.step_host import load_class


@pytest.mark.parametrize("kind", all_kinds(), ids=str)
def test_each_kind_has_a_page_package_with_its_window(kind):
    window = registry.kind_window(kind)
    assert isinstance(window, KindWindow)
    assert set(window.pages) == {"data", "preprocess", "model", "evaluate"}
    for step in registry.STEPS:
        page = load_class(registry.page_spec(kind, step))
        assert page.name == step
    files = kind.file_based
    assert (window.ways_in is not None) is files
    assert (window.predict is not None) is files
    assert (window.input_parts is not None) is files


def test_predict_words_and_summary_parts_of_the_kinds_of_files():
    images, audio = (registry.kind_window(kind_named(n)) for n in ("images", "audio"))
    assert images.predict.gallery and not images.predict.clips
    assert audio.predict.clips and not audio.predict.gallery
    assert images.predict.details({"image_size": 96}, ["CNN"]) == ["CNN", "96×96 px"]
    size = SimpleNamespace(image_size=0)
    # what will be trained, in words ("Model Auto at auto size" said nothing)
    parts = images.input_parts
    assert parts(None, size, "Compact CNN") == [
        "<b>Model</b> Compact CNN, size chosen from the images"
    ]
    assert parts(None, size, "ResNet50") == ["<b>Model</b> ResNet50, 224×224 px"]
    assert parts(None, size, "Auto") == [
        "<b>Model</b> Auto: a pretrained network if its weights are on this computer, else "
        "the Compact CNN; size to suit it"
    ]
    assert parts(None, SimpleNamespace(image_size=80), "Auto") == ["<b>Model</b> Auto, 80×80 px"]
    # once the Model page has found what Auto picks on this computer, the line names it
    assert parts(None, size, "Auto", auto="ResNet50") == [
        "<b>Model</b> Auto → ResNet50, 224×224 px"
    ]
    assert parts(None, size, "Auto", auto="Compact CNN") == [
        "<b>Model</b> Auto → Compact CNN, size chosen from the images"
    ]
    audio_parts = audio.input_parts(
        SimpleNamespace(durations=lambda: [1.0]),
        SimpleNamespace(clip_seconds=1.0, sample_rate=16000, features="log-mel", n_mels=64),
        "Auto",
        auto="ResNet50",  # the image pages' choice: not the audio model's
    )
    assert audio_parts[0] == "<b>Model</b> Auto"
    assert [kind.name for kind, _ways in registry.ways_in()] == ["images", "audio", "text"]


def test_page_packages_import_no_page():
    code = (
        "import sys\n"
        "from automl_gui.core.kinds import all_kinds\n"
        "from automl_gui.gui.pages.registry import kind_window\n"
        "[kind_window(k) for k in all_kinds()]\n"
        "print(sorted(m for m in sys.modules if m.startswith('automl_gui.gui.pages.')))\n"
        "print('pandas' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = out.stdout.splitlines()
    assert lines[0] == str(
        [
            "automl_gui.gui.pages._kind_window",
            "automl_gui.gui.pages.audio",
            "automl_gui.gui.pages.images",
            "automl_gui.gui.pages.registry",
            "automl_gui.gui.pages.tabular",
            "automl_gui.gui.pages.text",
            "automl_gui.gui.pages.text._words",
        ]
    ), out.stdout + out.stderr
    assert lines[1] == "False False", out.stdout + out.stderr
