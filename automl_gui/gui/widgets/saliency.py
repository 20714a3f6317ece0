""" "Show where the model looked": Grad-CAM overlays (``core.trust.saliency``) in the window.

- :class:`SaliencyToggle`: the check box, remembered across sessions (one setting for every
  view), with a tooltip; keyboard reachable like any check box.
- :class:`OverlayFeeder`: computes overlays off the UI thread in batches (a Python thread;
  TensorFlow releases the GIL while it computes) and hands each finished one back on the UI
  thread; a new request or :meth:`OverlayFeeder.stop` cancels the one running.

The model comes from a ``source`` callable returning anything with ``model`` and
``metadata`` (the run in memory on Evaluate, the loaded bundle on Predict), or None.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from automl_gui.core.base.events import CancelToken

SETTING_KEY = "trust/show_where_the_model_looked"
TOGGLE_TEXT = "Show where the model looked"
TOGGLE_TIP = (
    "Colour each picture by how much each part pushed the model towards its answer "
    "(Grad-CAM, Selvaraju et al. 2017): red is where it looked most. Computed in the "
    "background, a batch at a time."
)
#: at most this many files get an overlay per list (the first ones, in the list's order)
MAX_OVERLAYS = 500
BATCH = 16

Source = Callable[[], Any]


def _settings() -> Any:
    from automl_gui.gui import settings

    return settings.current()


class _Shared(QObject):
    """Tells every toggle when one of them changes: one setting for every view."""

    changed = Signal(bool)


_shared: _Shared | None = None


def _broadcast() -> _Shared:
    global _shared
    if _shared is None:
        _shared = _Shared()
    return _shared


class SaliencyToggle(QCheckBox):
    """The "Show where the model looked" check box; its state is remembered and shared by
    every view that has one."""

    def __init__(self, text: str = TOGGLE_TEXT, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(TOGGLE_TIP)
        try:
            on = str(_settings().value(SETTING_KEY, "false")).lower() == "true"
        except Exception:  # noqa: BLE001 - no settings yet: off
            on = False
        self.setChecked(on)
        self.toggled.connect(self._remember)
        _broadcast().changed.connect(self._follow)

    def _remember(self, on: bool) -> None:
        try:
            _settings().setValue(SETTING_KEY, "true" if on else "false")
        except Exception:  # noqa: BLE001 - nowhere to remember: the box still works
            pass
        _broadcast().changed.emit(on)

    def _follow(self, on: bool) -> None:
        try:
            if self.isChecked() != on:
                self.setChecked(on)
        except RuntimeError:  # deleted: Qt drops its connection soon
            pass


class OverlayFeeder(QObject):
    """Overlays for a list of files, computed in a background thread.

    ``compute(paths, cancel)`` runs in the thread and yields ``(path, uint8 RGB)`` pairs;
    each arrives through :attr:`ready` (path, array) on the UI thread. :attr:`progress`
    says (done, total); :attr:`failed` carries a sentence when the model cannot be explained.
    """

    ready = Signal(str, object)
    progress = Signal(int, int)
    failed = Signal(str)
    _deliver = Signal(int, str, object)
    _count = Signal(int, int, int)
    _fail = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._cancel: CancelToken | None = None
        self._thread: threading.Thread | None = None
        self._deliver.connect(self._on_deliver)
        self._count.connect(self._on_count)
        self._fail.connect(self._on_fail)

    def start(self, paths: list[str], compute: Callable[..., Any]) -> None:
        """Cancel what runs and compute overlays for ``paths`` (at most :data:`MAX_OVERLAYS`)."""
        self.stop()
        self._generation += 1
        generation, cancel = self._generation, CancelToken()
        self._cancel = cancel
        paths = list(paths)[:MAX_OVERLAYS]

        def run() -> None:
            from automl_gui.core.base.errors import AutoMLError, CancelledError

            done = 0
            try:
                for path, picture in compute(paths, cancel):
                    if cancel.cancelled:
                        return
                    done += 1
                    self._deliver.emit(generation, path, picture)
                    self._count.emit(generation, done, len(paths))
            except CancelledError:
                return
            except AutoMLError as exc:
                self._fail.emit(generation, exc.message)
            except Exception as exc:  # noqa: BLE001 - shown, never a crash of the window
                self._fail.emit(generation, f"Could not compute where the model looked: {exc}")
            except BaseException:  # noqa: BLE001 - the interpreter is exiting
                return

        self._thread = threading.Thread(target=run, name="saliency", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Cancel the computation running (its late results are dropped)."""
        if self._cancel is not None:
            self._cancel.cancel()
        self._generation += 1

    def wait(self, seconds: float = 30.0) -> bool:
        """Join the thread (tests, closing)."""
        thread = self._thread
        if thread is not None:
            thread.join(seconds)
            return not thread.is_alive()
        return True

    def _on_deliver(self, generation: int, path: str, picture: Any) -> None:
        if generation == self._generation:
            self.ready.emit(path, picture)

    def _on_count(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation:
            self.progress.emit(done, total)

    def _on_fail(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.failed.emit(message)


def image_overlays(source: Source, thumb_size: int) -> Callable[..., Any]:
    """``compute`` for :class:`OverlayFeeder`: each image's Grad-CAM map drawn over the file
    itself scaled to ``thumb_size`` (the model's square view stretched back over the
    picture); unreadable files are skipped."""

    def compute(paths: list[str], cancel: CancelToken) -> Any:
        from automl_gui.core.trust.saliency import gradcam_answered, image_batches, overlay_rgb

        bundle = source()
        if bundle is None:
            return
        size = int(bundle.metadata.get("image_size") or 0)
        for start in range(0, len(paths), BATCH):
            cancel.raise_if_cancelled()
            chunk = paths[start : start + BATCH]
            for found, x in image_batches(chunk, size, BATCH):
                maps, _proba = gradcam_answered(bundle, x)
                for path, cam in zip(found, maps, strict=True):
                    thumb = _thumbnail(path, thumb_size)
                    if thumb is not None:
                        yield path, overlay_rgb(thumb, cam)

    return compute


def _thumbnail(path: str, size: int) -> np.ndarray | None:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.draft("RGB", (size, size))
            im = im.convert("RGB")
            im.thumbnail((size, size))
            return np.asarray(im, dtype=np.uint8)
    except Exception:  # noqa: BLE001 - a file that cannot be shown gets no overlay
        return None


class SaliencyGallery:
    """The "Show where the model looked" part of ``ImageGallery`` (a mixin: ``self`` is the
    gallery, with ``_model`` its ``GalleryModel``, ``thumb_size`` and ``setViewportMargins``)."""

    def enable_saliency(self, source: Any) -> None:
        """Add the "Show where the model looked" bar; ``source()`` returns the model to
        explain (anything with ``model`` and ``metadata``) or None."""
        from PySide6.QtWidgets import QHBoxLayout

        self._saliency_source = source
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(4, 2, 4, 2)
        self.saliency_toggle = SaliencyToggle(parent=bar)
        self.saliency_status = status_label(bar)
        self.saliency_status.setProperty("role", "muted")
        row.addWidget(self.saliency_toggle)
        row.addWidget(self.saliency_status, 1)
        self.saliency_bar = bar
        self.feeder = OverlayFeeder(self)
        self.feeder.ready.connect(lambda path, pic: self._model.set_overlay(path, to_qimage(pic)))
        self.feeder.progress.connect(self._saliency_progress)
        self.feeder.failed.connect(self.saliency_status.setText)
        self.saliency_toggle.toggled.connect(self._saliency_toggled)
        self.setViewportMargins(0, bar.sizeHint().height(), 0, 0)
        self._model.set_show_overlays(self.saliency_toggle.isChecked())

    def refresh_saliency(self) -> None:
        """Compute the overlays again (the model changed)."""
        self._model.clear_overlays()
        self._start_saliency()

    def _start_saliency(self) -> None:
        feeder = getattr(self, "feeder", None)
        if feeder is None:
            return
        paths = [self._model.item(r)[0] for r in range(self._model.rowCount())]
        source = self._saliency_source()
        wanted = self.saliency_toggle.isChecked() and getattr(source, "model", None) is not None
        if not wanted or not paths:
            feeder.stop()
            self.saliency_status.setText("")
            return
        first = max(0, self.visible_rows()[0])  # from where the user looks
        missing = [p for p in paths[first:] + paths[:first] if p not in self._model._overlays]
        if not missing:
            return
        self.saliency_status.setText("Working…")
        self._saliency_queue = set(missing[:MAX_OVERLAYS])
        feeder.start(missing, image_overlays(self._saliency_source, self.thumb_size))

    def saliency_scrolled(self) -> None:
        """Scrolling settled: compute the rows in view first if they are not on their way."""
        toggle = getattr(self, "saliency_toggle", None)
        if toggle is None or not toggle.isChecked():
            return
        first, last = self.visible_rows()
        shown = [self._model.item(r)[0] for r in range(first, last + 1)]
        queue = getattr(self, "_saliency_queue", set())
        if any(p not in self._model._overlays and p not in queue for p in shown):
            self._start_saliency()

    def _saliency_toggled(self, on: bool) -> None:
        self._model.set_show_overlays(on)
        if on:
            self._start_saliency()
        else:
            self.feeder.stop()
            self.saliency_status.setText("")

    def _saliency_progress(self, done: int, total: int) -> None:
        if done >= total:
            more = self._model.overlay_count() < self._model.rowCount()
            more_text = " Scroll for more." if more else ""
            self.saliency_status.setText(f"Red: where it looked most.{more_text}")
        else:
            self.saliency_status.setText(f"{done:,} of {total:,}…")


def clip_maps(source: Source, max_seconds: float) -> Callable[..., Any]:
    """``compute`` for :class:`OverlayFeeder` on clips: ``(path, (map, seconds))``, the
    clip's Grad-CAM map ``(frames, bands)`` over its first ``max_seconds`` (MFCC models: the
    map's profile over time spread over the bands)."""

    def compute(paths: list[str], cancel: CancelToken) -> Any:
        from automl_gui.core.preprocess.audio import load_audio
        from automl_gui.core.trust.saliency import clip_window, gradcam_answered, time_profile

        bundle = source()
        if bundle is None:
            return
        meta = bundle.metadata
        rate, window = int(meta.get("sample_rate") or 0), clip_window(meta)
        for path in paths:
            cancel.raise_if_cancelled()
            wave = load_audio(path, rate, max_seconds=max_seconds)
            maps, _proba = gradcam_answered(bundle, wave[None], window)
            cam = maps[0]
            if str(meta.get("features", "")) == "mfcc":
                cam = np.repeat(time_profile(cam)[:, None], window[2], axis=1)
            yield path, (cam, len(wave) / float(rate))

    return compute


class ClipSaliency(QObject):
    """ "Show where the model looked" for a ``ClipPanel``: its clip's map over the spectrogram,
    computed in the background once the clip is drawn."""

    def __init__(self, panel: Any, source: Source, max_seconds: float) -> None:
        from PySide6.QtWidgets import QHBoxLayout

        super().__init__(panel)
        self.panel, self.source, self.max_seconds = panel, source, float(max_seconds)
        self.bar = QWidget()
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.toggle = SaliencyToggle()
        self.toggle.setToolTip(
            "Colour the spectrogram by how much each time and band pushed the model towards "
            "its answer (Grad-CAM, Selvaraju et al. 2017): red is where it looked most, by "
            "time (across) and frequency band (up)."
        )
        self.status = status_label()
        self.status.setProperty("role", "muted")
        row.addWidget(self.toggle)
        row.addWidget(self.status, 1)
        self.feeder = OverlayFeeder(self)
        self.feeder.ready.connect(self._on_ready)
        self.feeder.failed.connect(self.status.setText)
        self.toggle.toggled.connect(lambda _on: self.refresh())
        panel.loaded.connect(lambda _path: self.refresh())

    def refresh(self) -> None:
        """Compute the shown clip's map (or remove it when the toggle is off)."""
        self.panel.spectrogram.set_heat(None, 0)
        bundle = self.source()
        path = self.panel.drawn
        if not self.toggle.isChecked() or getattr(bundle, "model", None) is None or not path:
            self.feeder.stop()
            self.status.setText("")
            return
        self.status.setText("Working…")
        self.feeder.start([path], clip_maps(self.source, self.max_seconds))

    def _on_ready(self, path: str, result: Any) -> None:
        if path != self.panel.drawn:
            return
        cam, seconds = result
        self.panel.spectrogram.set_heat(cam, seconds)
        self.status.setText("Red: where it looked most, by time (across) and band (up).")


def status_label(parent: QWidget | None = None) -> Any:
    """The muted label beside a toggle: it never widens its row (long text is cut; the
    whole text is its tooltip)."""
    from PySide6.QtWidgets import QLabel, QSizePolicy

    class Status(QLabel):
        def setText(self, text: str) -> None:  # noqa: N802 - Qt API
            super().setText(text)
            self.setToolTip(text)

    label = Status(parent)
    label.setProperty("role", "muted")
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(0)
    return label


def to_qimage(picture: np.ndarray) -> Any:
    """A uint8 RGB array as a QImage (copied: the array may go)."""
    from PySide6.QtGui import QImage

    rgb = np.ascontiguousarray(picture[..., :3], dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


__all__ = [
    "MAX_OVERLAYS",
    "SETTING_KEY",
    "TOGGLE_TEXT",
    "OverlayFeeder",
    "SaliencyGallery",
    "ClipSaliency",
    "clip_maps",
    "SaliencyToggle",
    "image_overlays",
    "to_qimage",
]
