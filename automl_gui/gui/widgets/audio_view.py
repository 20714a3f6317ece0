"""Plots of one clip: its waveform and its (log-mel) spectrogram.

Kept general so the Data, Preprocess (augmentation preview) and Evaluate pages share them:
``WaveformView.set_wave(wave, rate)`` and ``SpectrogramView.set_spectrogram(db, hop)`` take
plain arrays; computing them (decode, resample, log-mel) is the caller's job, off the UI
thread.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from automl_gui.plots.style import AXIS_COLOR, style_plot

WAVE_COLORS = ("#1E6FD9", "#E8590C", "#2B8A3E", "#7048E8")
#: above this many samples the waveform is drawn as a min/max envelope of ENVELOPE_POINTS
ENVELOPE_POINTS = 4000
DYNAMIC_RANGE_DB = 80.0
COLORMAP = "inferno"


def envelope(wave: np.ndarray, sample_rate: float, points: int = ENVELOPE_POINTS):
    """(x seconds, y) to draw ``wave`` (1-D): every sample when short, else the min and max of
    ``points`` equal buckets, interleaved, so peaks survive and drawing stays fast."""
    n = len(wave)
    if n <= 2 * points:
        return np.arange(n, dtype=np.float64) / sample_rate, wave.astype(np.float32)
    size = math.ceil(n / points)
    buckets = math.ceil(n / size)
    padded = np.pad(wave, (0, buckets * size - n), mode="edge").reshape(buckets, size)
    y = np.empty(2 * buckets, dtype=np.float32)
    y[0::2], y[1::2] = padded.min(axis=1), padded.max(axis=1)
    starts = np.arange(buckets, dtype=np.float64) * size
    x = np.empty(2 * buckets, dtype=np.float64)
    x[0::2], x[1::2] = starts, np.minimum(starts + size - 1, n - 1)
    return x / sample_rate, y


def _plot_widget(title: str, xlabel: str, ylabel: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    style_plot(plot.getPlotItem(), title, xlabel, ylabel)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumHeight(110)
    return plot


class WaveformView(QWidget):
    """Amplitude over time, [-1, 1] on the y axis (so a quiet clip looks quiet).

    ``set_wave`` takes (samples,) or (samples, channels); one line per channel.
    """

    def __init__(self, title: str = "Waveform", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.plot = _plot_widget(title, "time (s)", "amplitude")
        self.plot.setYRange(-1.12, 1.12, padding=0)
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (-1, -0.5, 0, 0.5, 1)]])
        self.curves: list[pg.PlotDataItem] = []
        self.duration = 0.0
        self.setToolTip("The clip's samples over time (full scale is ±1)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def clear(self, message: str = "") -> None:
        """Empty the plot; ``message`` (e.g. "Loading…", an error) becomes its title."""
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.curves = []
        self.duration = 0.0
        self.plot.setTitle(message or self._title, color=AXIS_COLOR, size="11pt")

    def set_wave(self, wave: np.ndarray, sample_rate: int, title: str | None = None) -> None:
        """Draw ``wave`` sampled at ``sample_rate`` Hz (x axis in seconds)."""
        data = np.asarray(wave, dtype=np.float32)
        if data.ndim == 1:
            data = data[:, None]
        if data.ndim != 2 or not data.shape[0] or sample_rate <= 0:
            self.clear("No samples to show")
            return
        self.clear(title or self._title)
        rate = float(sample_rate)
        for ch in range(data.shape[1]):
            x, y = envelope(data[:, ch], rate)
            pen = pg.mkPen(WAVE_COLORS[ch % len(WAVE_COLORS)], width=1)
            curve = self.plot.plot(x, y, pen=pen)
            self.curves.append(curve)
        self.duration = data.shape[0] / rate
        self.plot.setXRange(0, max(self.duration, 1.0 / rate), padding=0.01)
        self.plot.setYRange(-1.12, 1.12, padding=0)


def _hz_to_mel(hz: float) -> float:
    return 2595.0 * math.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: float) -> float:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_band_ticks(n_bands: int, max_hz: float, min_hz: float = 0.0) -> list[tuple[float, str]]:
    """(band position, "2k") ticks at round frequencies for HTK-mel bands from ``min_hz`` to
    ``max_hz`` (band k's centre sits at y = k + 0.5)."""
    lo, hi = _hz_to_mel(min_hz), _hz_to_mel(max_hz)
    step = (hi - lo) / (n_bands + 1)
    ticks = []
    # 100 and 250 Hz crowd the bottom of a 8 kHz axis: shown only for narrow ranges
    steps = (100, 250, 500) if max_hz <= 2000 else (250, 500) if max_hz <= 4000 else (500,)
    for hz in (*steps, 1000, 2000, 4000, 8000, 16000, 32000):
        if min_hz < hz < max_hz:
            band = (_hz_to_mel(hz) - lo) / step - 1  # centre k is at mel lo + (k + 1) * step
            if 0 <= band <= n_bands - 1:
                label = f"{hz // 1000}k" if hz >= 1000 else str(hz)
                ticks.append((band + 0.5, label))
    return ticks


class SpectrogramView(QWidget):
    """A spectrogram image: time on x, bands (low at the bottom) on y, colour = dB.

    ``set_spectrogram(db, hop_seconds)`` takes a ``(frames, bands)`` array in dB; colours span
    the loudest value down to ``DYNAMIC_RANGE_DB`` below it. With ``max_hz`` the y axis is
    labelled in Hz for mel bands, else with band numbers.
    """

    def __init__(self, title: str = "Log-mel spectrogram", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.plot = _plot_widget(title, "time (s)", "mel band")
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.colormap = pg.colormap.get(COLORMAP)
        self.image.setColorMap(self.colormap)
        self.colorbar = pg.ColorBarItem(
            values=(-DYNAMIC_RANGE_DB, 0.0),
            colorMap=self.colormap,
            interactive=False,
            width=12,
            label="dB",
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.levels = (-DYNAMIC_RANGE_DB, 0.0)
        self.shape = (0, 0)
        self.gray = pg.colormap.get("CET-L1")  # under a heat overlay
        self.heat = pg.ImageItem(axisOrder="col-major")  # where the model looked (Grad-CAM)
        self.heat.setZValue(5)
        self.plot.addItem(self.heat)
        self.setToolTip("Loudness (dB) of each mel band over time; bright is loud")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def _set_colormap(self, colormap: object) -> None:
        self.image.setColorMap(colormap)
        self.colorbar.setColorMap(colormap)

    def clear(self, message: str = "") -> None:
        self.image.clear()
        self.heat.clear()
        self._set_colormap(self.colormap)
        self.shape = (0, 0)
        self.plot.getAxis("left").setTicks(None)
        self.plot.setTitle(message or self._title, color=AXIS_COLOR, size="11pt")

    def set_spectrogram(
        self,
        db: np.ndarray,
        hop_seconds: float,
        *,
        max_hz: float | None = None,
        min_hz: float = 0.0,
        title: str | None = None,
    ) -> None:
        """Draw ``db`` ``(frames, bands)``, frame k starting at ``k * hop_seconds``."""
        data = np.asarray(db, dtype=np.float32)
        if data.ndim != 2 or not data.size or hop_seconds <= 0:
            self.clear("No spectrogram to show")
            return
        self.plot.setTitle(title or self._title, color=AXIS_COLOR, size="11pt")
        finite = data[np.isfinite(data)]
        top = float(finite.max()) if finite.size else 0.0
        self.levels = (top - DYNAMIC_RANGE_DB, top)
        data = np.nan_to_num(data, nan=self.levels[0], posinf=top, neginf=self.levels[0])
        frames, bands = data.shape
        self.shape = (frames, bands)
        self.image.setImage(data, levels=self.levels, autoLevels=False)
        self.image.setRect(QRectF(0.0, 0.0, frames * float(hop_seconds), float(bands)))
        self.colorbar.setLevels(self.levels)
        axis = self.plot.getAxis("left")
        if max_hz:
            axis.setTicks([mel_band_ticks(bands, float(max_hz), float(min_hz))])
            self.plot.setLabel("left", "frequency (Hz)", color=AXIS_COLOR)
        else:
            axis.setTicks(None)
            self.plot.setLabel("left", "mel band", color=AXIS_COLOR)
        self.plot.setXRange(0, frames * float(hop_seconds), padding=0)
        self.plot.setYRange(0, bands, padding=0)
        self.heat.clear()
        self._set_colormap(self.colormap)

    def set_heat(self, cam: np.ndarray | None, seconds: float) -> None:
        """Draw ``cam`` (``(frames, bands)`` in [0, 1] over the clip's ``seconds``; time
        first, the lowest band first) over the spectrogram in heat colours, transparent where
        it is 0 (None removes it). It spans the same bands as the spectrogram."""
        if cam is None or not np.size(cam) or seconds <= 0 or not self.shape[1]:
            self.heat.clear()
            self._set_colormap(self.colormap)
            return
        self._set_colormap(self.gray)  # the heat colours read on a gray spectrogram
        from automl_gui.core.trust._overlay import MAX_ALPHA, heat_colours

        c = np.clip(np.asarray(cam, dtype=np.float32), 0.0, 1.0)
        rgba = np.concatenate(
            [heat_colours(c), (255 * MAX_ALPHA * c)[..., None].astype(np.uint8)], axis=-1
        )
        self.heat.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.heat.setRect(QRectF(0.0, 0.0, float(seconds), float(self.shape[1])))
