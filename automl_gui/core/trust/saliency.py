"""Where an image or audio model looked: Grad-CAM (Selvaraju, Cogswell, Das, Vedantam,
Parikh & Batra 2017, "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
Localization", ICCV).

For an item and a class c, Grad-CAM weighs each channel k of the last convolutional feature
map A by the mean of the gradient of the class's score over the map's positions,
``alpha_k = mean_ij d y^c / d A^k_ij``, and keeps the positive part of the weighted sum,
``ReLU(sum_k alpha_k A^k)``, stretched over the input and scaled to [0, 1]. ``y^c`` is the
class's score before the softmax (the softmax layer's input, computed beside it: the
probability's own gradient vanishes where the model is sure). The feature map is the one entering the network's global pooling (see
``_gradcam``): the compact CNN's last ReLU, ResNet50's ``conv5_block3_out``, InceptionV3's
``mixed10``; nested backbones (as ``load_bundle`` returns them) work as built.

Audio: the map lies over the log-mel spectrogram (frames × mel bands, time first). A clip
longer than the model's window is answered by the model as the mean of its half-overlapping
windows (``_audio_ops.clip_windows``); its map combines them: every window is explained for
the clip's class (the window's own score y^c), each window's map is placed at its time in the
clip, and overlapping maps are averaged before the whole clip's map is scaled to [0, 1].

Public: :func:`gradcam`, :func:`explain_images`, :func:`explain_audio`, :func:`overlay_rgb`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.trust._gradcam import normalize, resize_map, runner
from automl_gui.core.trust._overlay import overlay_rgb, spectrogram_picture_map, spectrogram_rgb
from automl_gui.core.trust.explanation import Explanation

METHOD = "Grad-CAM (Selvaraju et al. 2017)"
#: the largest side of a map kept in ``Explanation.maps`` (stretch it over the picture)
MAP_SIDE = 128
EXPLANATIONS_FILE = "explanations.csv"
#: a clip's PNG is at least this wide and tall (its spectrogram cells enlarged whole)
PICTURE_WIDTH, PICTURE_HEIGHT = 480, 192
BATCH = 16


def gradcam(
    model: Any,
    inputs: np.ndarray,
    *,
    classes: np.ndarray | None = None,
    clip_window: tuple[int, int, int] | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Grad-CAM maps of ``model`` on ``inputs`` for the predicted class (or ``classes``, one
    index per item): ``(maps, probabilities)``; each map has values in [0, 1].

    Images: ``inputs`` ``(n, h, w, 3)`` RGB 0-255 (what the model takes); each map is
    ``(h, w)``, over the image as given. Audio: ``inputs`` ``(n, samples)`` waveforms of one
    length and ``clip_window = (n_samples, frames, bands)`` (the model's window and its
    feature shape); each map is ``(clip frames, bands)``, time first, a window's frames
    spread over the clip (see the module docstring for long clips).

    Raises:
        ModelError: the model has no convolutional feature map before a global pooling.
    """
    x = np.asarray(inputs, dtype=np.float32)
    if len(x) == 0:
        return [], np.zeros((0, int(model.outputs[0].shape[-1])), np.float32)
    raw = runner(model).run(x, classes)
    if clip_window is None:
        h, w = x.shape[1], x.shape[2]
        return [normalize(resize_map(c, h, w)) for c in raw.cams], raw.proba
    n_samples, frames, bands = (int(v) for v in clip_window)
    k = len(raw.cams) // len(x)
    maps = []
    for i in range(len(x)):
        windows = [
            _window_map(c, frames, bands, raw.image_layout) for c in raw.cams[i * k : (i + 1) * k]
        ]
        maps.append(normalize(_clip_map(windows, x.shape[1], n_samples)))
    return maps, raw.proba


def _window_map(cam: np.ndarray, frames: int, bands: int, image_layout: bool) -> np.ndarray:
    """One window's map as ``(frames, bands)``; a backbone's map lies over the spectrogram
    picture (bands top-down, time across) and is turned back."""
    if image_layout:
        return resize_map(cam, bands, frames)[::-1].T
    return resize_map(cam, frames, bands)


def _clip_map(windows: list[np.ndarray], length: int, n_samples: int) -> np.ndarray:
    """Window maps placed at their times (``_audio_ops.window_starts``) in a clip of
    ``length`` samples, averaged where they overlap: ``(clip frames, bands)``."""
    from automl_gui.core.models._audio_ops import window_starts

    frames, bands = windows[0].shape
    starts = window_starts(int(length), int(n_samples))
    total = max(1, int(round(length * frames / n_samples)))
    acc = np.zeros((total, bands), np.float64)
    count = np.zeros(total, np.float64)
    centres = (np.arange(frames) + 0.5) * (n_samples / frames)
    for start, m in zip(starts, windows, strict=True):
        at = np.floor((start + centres) * total / max(1, length)).astype(int)
        keep = (at >= 0) & (at < total)
        np.add.at(acc, at[keep], m[keep])
        np.add.at(count, at[keep], 1.0)
    return (acc / np.maximum(count, 1.0)[:, None]).astype(np.float32)


# -- explaining files --------------------------------------------------------------------------
def _class_names(bundle: Any) -> list[str]:
    names = [str(c) for c in (bundle.metadata.get("class_names") or [])]
    if not names:
        raise DataError("The model's metadata lacks its class names.", "Export the model again.")
    return names


def _check_out_dir(out_dir: Any) -> Path | None:
    if out_dir is None:
        return None
    folder = Path(out_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file, not a folder.", "Give a folder for the output.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Writer:
    """One PNG per explained file in ``folder`` (names from the files' own, made unique)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.files: list[Path] = []

    def write(self, path: str, picture: np.ndarray) -> str:
        if self.folder is None:
            return ""
        from PIL import Image

        from automl_gui.core.base.files import atomic_write

        stem = Path(path).stem or "file"
        name, n = f"{stem}_gradcam.png", 1
        while name in self.used:
            n += 1
            name = f"{stem}_{n}_gradcam.png"
        self.used.add(name)
        target = self.folder / name
        atomic_write(
            target, lambda tmp: Image.fromarray(picture).save(tmp, "PNG"), keep_suffix=True
        )
        self.files.append(target)
        return name


def _capped(good: list[str], rows: int | None, notes: list[str], noun: str) -> list[str]:
    if rows is not None and int(rows) < 1:
        raise ConfigError(f"--rows must be at least 1, got {rows}.", "Give a positive number.")
    if rows is not None and len(good) > int(rows):
        notes.append(f"Explained the first {int(rows):,} of {len(good):,} {noun}.")
        return good[: int(rows)]
    return good


def _items(
    bundle: Any, rows: list[tuple[str, np.ndarray, str]], bad: list[Any], names: list[str]
) -> Any:
    """``path, prediction, confidence, overlay, error`` (the model's chosen threshold
    applied to predictions as ``predict`` does)."""
    import pandas as pd

    from automl_gui.core.jobs._files_predict import prediction_frame
    from automl_gui.core.trust.thresholds import apply_threshold

    proba = np.array([p for _path, p, _o in rows], np.float32).reshape(-1, len(names))
    frame = prediction_frame([r[0] for r in rows], proba, names)
    frame = apply_threshold(frame, bundle.metadata)
    frame = frame[["path", "prediction", "confidence"]].copy()
    frame["overlay"] = [o for _path, _p, o in rows]
    frame["error"] = ""
    if bad:
        broken = pd.DataFrame(
            {
                "path": [str(getattr(b, "path", b)) for b in bad],
                "prediction": "",
                "confidence": np.nan,
                "overlay": "",
                "error": [str(getattr(b, "reason", "unreadable")) for b in bad],
            }
        )
        frame = pd.concat([frame, broken], ignore_index=True)
    return frame


def _finish(
    method: str, items: Any, maps: dict[str, np.ndarray], writer: _Writer, notes: list[str]
) -> Explanation:
    explanation = Explanation(method=method, items=items, maps=maps, notes=notes)
    if writer.folder is not None:
        from automl_gui.core.base.files import atomic_write

        target = writer.folder / EXPLANATIONS_FILE
        atomic_write(target, lambda tmp: items.to_csv(tmp, index=False), keep_suffix=True)
        explanation.files = [*writer.files, target]
    return explanation


def _progress(on_event: EventCallback | None, done: int, total: int, noun: str) -> None:
    message = f"Grad-CAM: {done:,}/{total:,} {noun}"
    emit(on_event, Progress("explain", done / max(1, total), message))


def _small(m: np.ndarray) -> np.ndarray:
    h, w = m.shape
    side = max(h, w)
    if side <= MAP_SIDE:
        return m
    return resize_map(m, max(1, h * MAP_SIDE // side), max(1, w * MAP_SIDE // side))


def image_batches(paths: list[str], size: int, batch: int) -> Iterator[tuple[list[str], Any]]:
    """``(paths, images)`` batches of the files that decode, resized to ``size`` as in
    training (``preprocess.images.make_dataset``); unreadable files are skipped."""
    from automl_gui.core.preprocess.images import make_dataset

    idx = np.arange(len(paths), dtype="int32")
    for x, i in make_dataset(paths, idx, size, batch, shuffle=False):
        yield [paths[j] for j in np.asarray(i).tolist()], np.asarray(x, np.float32)


def explain_images(
    bundle: Any,
    paths: list[str],
    *,
    rows: int | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH,
) -> Explanation:
    """Grad-CAM of an image model (``bundle``: anything with ``model`` and ``metadata``, a
    loaded bundle or a run) on image files or folders (recursed).

    Returns an :class:`Explanation` with ``items`` (``path, prediction, confidence, overlay,
    error``) and ``maps`` (path → map over the image as the model saw it, at most
    :data:`MAP_SIDE` a side). ``rows`` caps the files explained; ``out_dir`` gets one PNG per
    file (the map over the resized image) and ``explanations.csv``. Progress and cancel per
    batch.

    Raises:
        DataError: nothing readable to explain, or metadata without the image size.
        ModelError: a model without a convolutional feature map.
    """
    from automl_gui.core.kinds._image_media import collect_image_paths

    names = _class_names(bundle)
    size = int(bundle.metadata.get("image_size") or 0)
    if size <= 0:
        raise DataError("The model's metadata lacks its image size.", "Export the model again.")
    good, bad, _other = collect_image_paths(list(paths), on_event=on_event, cancel=cancel)
    notes: list[str] = []
    good = _capped(good, rows, notes, "images")
    writer = _Writer(_check_out_dir(out_dir))
    done: list[tuple[str, np.ndarray, str]] = []
    maps: dict[str, np.ndarray] = {}
    _progress(on_event, 0, len(good), "images")
    for found, x in image_batches(good, size, batch_size):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch_maps, proba = gradcam_answered(bundle, x)
        for j, path in enumerate(found):
            maps[path] = _small(batch_maps[j])
            picture = overlay_rgb(np.clip(x[j], 0, 255).astype(np.uint8), batch_maps[j])
            done.append((path, proba[j], writer.write(path, picture)))
        _progress(on_event, len(done), len(good), "images")
    skipped = sorted(set(good) - set(maps))
    bad = list(bad) + [_Broken(p, "not a readable image") for p in skipped]
    method = f"{METHOD} on the last convolutional feature map, for the predicted class"
    return _finish(method, _items(bundle, done, bad, names), maps, writer, notes)


def gradcam_answered(
    bundle: Any, x: np.ndarray, clip_window: tuple[int, int, int] | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`gradcam` for the class the model answers: the most likely one, or another
    where the model's chosen threshold (``thresholds.apply_threshold``) decides otherwise."""
    from automl_gui.core.jobs._files_predict import prediction_frame
    from automl_gui.core.trust.thresholds import apply_threshold

    window = clip_window
    names = _class_names(bundle)
    maps, proba = gradcam(bundle.model, x, clip_window=window)
    if not (bundle.metadata or {}).get("threshold") or not len(proba):
        return maps, proba
    frame = apply_threshold(prediction_frame([""] * len(proba), proba, names), bundle.metadata)
    decided = np.array([names.index(str(p)) for p in frame["prediction"]])
    if np.array_equal(decided, proba.argmax(axis=1)):
        return maps, proba
    return gradcam(bundle.model, x, classes=decided, clip_window=window)


class _Broken:
    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason


# -- audio -------------------------------------------------------------------------------------
def clip_window(metadata: dict[str, Any]) -> tuple[int, int, int]:
    """``(n_samples, frames, bands)`` of an audio model's window, from its metadata."""
    n = int(metadata.get("n_samples") or 0)
    shape = metadata.get("feature_shape") or []
    if n <= 0 or len(shape) != 2:
        raise DataError(
            "The model's metadata lacks its clip length or feature shape.",
            "Export the model again.",
        )
    return n, int(shape[0]), int(shape[1])


def clip_overlay(wave: np.ndarray, rate: int, cam: np.ndarray, mfcc: bool = False) -> np.ndarray:
    """The clip's log-mel spectrogram (time along x, low bands at the bottom) with ``cam``
    (frames × bands over the clip) drawn over it, uint8 RGB. ``mfcc``: the map's second axis
    is MFCC coefficients, not bands, so only its profile over time is drawn."""
    from PIL import Image

    from automl_gui.core.preprocess.audio import log_mel_display

    bands = int(cam.shape[1]) if cam.ndim == 2 and not mfcc else 64
    picture = spectrogram_rgb(log_mel_display(wave, rate, n_mels=bands))
    h, w = picture.shape[:2]  # a cell a pixel is too small to see: whole cells enlarged
    sx, sy = max(1, -(-PICTURE_WIDTH // w)), max(1, -(-PICTURE_HEIGHT // h))
    picture = np.asarray(Image.fromarray(picture).resize((w * sx, h * sy), Image.NEAREST))
    shown = time_profile(cam)[:, None].repeat(bands, axis=1) if mfcc else cam
    return overlay_rgb(picture, spectrogram_picture_map(shown))


def time_profile(cam: np.ndarray) -> np.ndarray:
    """A frames × bands map's mean over bands, scaled to [0, 1]: where in time it looked."""
    return normalize(np.asarray(cam, np.float32).mean(axis=1))


def _clip_groups(
    paths: list[str], rate: int, batch: int, bad: list[Any]
) -> Iterator[tuple[list[str], np.ndarray]]:
    """Clips decoded as the model takes them, in batches of one length (file order kept
    within a length)."""
    from automl_gui.core.preprocess.audio import load_audio

    pending: dict[int, list[tuple[str, np.ndarray]]] = {}
    for path in paths:
        try:
            wave = load_audio(path, rate)
        except DataError as exc:
            bad.append(_Broken(path, exc.message if hasattr(exc, "message") else str(exc)))
            continue
        group = pending.setdefault(len(wave), [])
        group.append((path, wave))
        if len(group) >= batch:
            yield [p for p, _ in group], np.stack([w for _, w in group])
            pending[len(wave)] = []
    for group in pending.values():
        if group:
            yield [p for p, _ in group], np.stack([w for _, w in group])


def explain_audio(
    bundle: Any,
    paths: list[str],
    *,
    rows: int | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH,
) -> Explanation:
    """Grad-CAM of an audio model on clip files or folders (recursed): ``maps`` (path →
    ``(clip frames, bands)`` over the clip's log-mel spectrogram, time first; a long clip's
    windows combined, see the module docstring), ``items`` (``path, prediction, confidence,
    overlay, error``); ``out_dir`` gets one PNG per clip (the log-mel with time along x, the
    map over it) and ``explanations.csv``.

    Raises:
        DataError: nothing readable, or metadata without the sample rate / clip length.
    """
    from automl_gui.core.kinds._audio_media import collect_audio_paths

    names = _class_names(bundle)
    meta = bundle.metadata
    rate = int(meta.get("sample_rate") or 0)
    if rate <= 0:
        raise DataError("The model's metadata lacks its sample rate.", "Export the model again.")
    window = clip_window(meta)
    mfcc = str(meta.get("features", "")) == "mfcc"
    good, bad, _other = collect_audio_paths(list(paths), on_event=on_event, cancel=cancel)
    bad = list(bad)
    notes: list[str] = []
    if mfcc:
        notes.append("The model reads MFCCs: the pictures show where in time it looked.")
    good = _capped(good, rows, notes, "clips")
    writer = _Writer(_check_out_dir(out_dir))
    done: list[tuple[str, np.ndarray, str]] = []
    maps: dict[str, np.ndarray] = {}
    _progress(on_event, 0, len(good), "clips")
    for found, waves in _clip_groups(good, rate, batch_size, bad):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch_maps, proba = gradcam_answered(bundle, waves, window)
        for j, path in enumerate(found):
            maps[path] = batch_maps[j]
            picture = clip_overlay(waves[j], rate, batch_maps[j], mfcc)
            done.append((path, proba[j], writer.write(path, picture)))
        _progress(on_event, len(done), len(good), "clips")
    if any(m.shape[0] > window[1] + 1 for m in maps.values()):
        notes.append(
            f"A clip longer than the model's window ({window[0] / rate:.1f} s) is answered "
            "from half-overlapping windows: each is explained for the clip's class and their "
            "maps are placed at their times and averaged."
        )
    order = {p: i for i, p in enumerate(good)}
    done.sort(key=lambda r: order[r[0]])
    method = (
        f"{METHOD} on the last convolutional feature map over the log-mel spectrogram, "
        "for the predicted class"
    )
    return _finish(method, _items(bundle, done, bad, names), maps, writer, notes)


__all__ = [
    "EXPLANATIONS_FILE",
    "METHOD",
    "clip_overlay",
    "clip_window",
    "explain_audio",
    "explain_images",
    "gradcam",
    "gradcam_answered",
    "image_batches",
    "overlay_rgb",
    "time_profile",
]
