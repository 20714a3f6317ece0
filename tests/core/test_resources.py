"""Bundled resources: icons, stylesheet, demo data and the pretrained-weights manifest."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from automl_gui.core.base.resources import resources_root

ROOT = Path(__file__).resolve().parents[2]
RES = resources_root()
SVG_NS = "{http://www.w3.org/2000/svg}"
STEP_ICONS = ["data", "preprocess", "model", "train", "evaluate", "predict"]
ACTION_ICONS = ["start", "stop", "export", "open"]
SAMPLE = "customer_churn.csv"


@pytest.mark.parametrize("name", ["app", *STEP_ICONS, *ACTION_ICONS])
def test_icon_is_valid_svg_with_drawing(name):
    data = (RES / "icons" / f"{name}.svg").read_bytes()
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    shapes = [
        el for el in root.iter() if el.tag.split("}")[1] in {"path", "circle", "rect", "ellipse"}
    ]
    assert shapes, f"{name}.svg draws nothing"
    if name != "app":
        assert root.get("viewBox") == "0 0 24 24"
    # Drawn here, not downloaded: no external references or embedded bitmaps.
    assert b"xlink:href" not in data and b"<image" not in data


def test_stylesheet_defines_the_hooks_the_window_uses():
    qss = (RES / "style.qss").read_text(encoding="utf-8")
    body = re.sub(r"/\*.*?\*/", "", qss, flags=re.S)
    assert body.count("{") == body.count("}")
    assert 'QPushButton[primary="true"]' in body
    for kind in ("warning", "error", "info", "success"):
        assert f'[banner="{kind}"]' in body
    assert "#navigation::item:selected" in body
    assert "QHeaderView::section" in body


def _sample() -> pd.DataFrame:
    return pd.read_csv(RES / "samples" / SAMPLE)


def test_sample_is_small_and_shows_what_pages_explain():
    path = RES / "samples" / SAMPLE
    assert len(path.read_bytes()) < 200_000
    df = _sample()
    assert len(df) == 1500
    assert list(df.columns) == [
        "customer_id",
        "region",
        "tenure_months",
        "contract",
        "payment_method",
        "monthly_charges",
        "total_charges",
        "support_calls",
        "has_partner",
        "churn",
    ]
    assert df["customer_id"].is_unique
    assert set(df["contract"]) == {"month-to-month", "one year", "two year"}
    assert set(df["has_partner"]) == {"yes", "no"}
    assert 0 < df["monthly_charges"].isna().sum() < 100
    assert df["payment_method"].isna().any()
    assert df["churn"].notna().all()
    rate = (df["churn"] == "yes").mean()
    assert 0.15 < rate < 0.3  # mildly imbalanced


def test_sample_target_depends_on_the_features():
    df = _sample()
    churn = df["churn"] == "yes"
    by_contract = churn.groupby(df["contract"]).mean()
    assert by_contract["month-to-month"] > 2 * by_contract["two year"]
    assert df.loc[churn, "tenure_months"].mean() < df.loc[~churn, "tenure_months"].mean()


def test_sample_is_reproduced_by_its_generator(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_sample", ROOT / "packaging" / "make_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / SAMPLE
    module.write_csv(module.generate(), out)
    assert out.read_bytes() == (RES / "samples" / SAMPLE).read_bytes()


def test_pretrained_manifest_names_keras_files_without_invented_checksums():
    manifest = json.loads((ROOT / "models" / "pretrained" / "manifest.json").read_text())
    names = {w["file_name"] for w in manifest["weights"]}
    assert names == {
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    }
    assert all(w["sha256"] is None for w in manifest["weights"])
    readme = (ROOT / "models" / "pretrained" / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in names)


def test_packaging_metadata_is_well_formed():
    root = ET.parse(ROOT / "packaging" / "io.github.automl_gui.metainfo.xml").getroot()
    assert root.findtext("id") == "io.github.automl_gui"
    assert root.find("launchable").text == "automl-gui.desktop"
    desktop = (ROOT / "packaging" / "automl-gui.desktop").read_text(encoding="utf-8")
    assert desktop.startswith("[Desktop Entry]\n")
    entries = dict(line.split("=", 1) for line in desktop.splitlines()[1:] if "=" in line)
    assert entries["Type"] == "Application"
    assert entries["Exec"].split()[0] == "automl-gui"


SOUNDS = RES / "samples" / "sounds"
SOUND_CLASSES = ["hiss", "siren", "tick", "whistle"]


def _load_generator(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sound_sample_is_small_one_second_mono_flac_per_class():
    import soundfile as sf

    files = sorted(SOUNDS.rglob("*"))
    clips = [p for p in files if p.is_file()]
    assert sorted(p.name for p in SOUNDS.iterdir()) == SOUND_CLASSES
    assert len(clips) == 80 and all(p.suffix == ".flac" for p in clips)
    assert sum(p.stat().st_size for p in clips) < 1_500_000
    peaks = []
    for path in clips:
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.frames) == (16000, 1, 16000), path
        peaks.append(float(abs(sf.read(str(path))[0]).max()))
    # levels vary (not all normalized alike), never clipped, never silent
    assert min(peaks) < 0.1 < 0.5 < max(peaks) < 1.0


def test_sound_sample_is_reproduced_by_its_generator(tmp_path):
    import numpy as np
    import soundfile as sf

    module = _load_generator("make_audio_sample")
    written = module.generate(tmp_path)
    assert len(written) == 80
    for path in written:
        bundled = SOUNDS / path.relative_to(tmp_path)
        a, b = sf.read(str(path))[0], sf.read(str(bundled))[0]
        assert np.abs(a - b).max() <= 2 / 32768, path  # PCM_16 rounding at most


def test_sound_sample_scans_as_four_clean_classes():
    from automl_gui.core.data.audio import scan_audio
    from automl_gui.core.kinds import kind_for_path

    assert kind_for_path(SOUNDS).name == "audio"
    ds = scan_audio(str(SOUNDS))
    assert ds.class_names == SOUND_CLASSES and len(ds) == 80
    assert ds.class_counts() == dict.fromkeys(SOUND_CLASSES, 20)
    assert not ds.bad_files and ds.formats == {"FLAC": 80}
