"""Generate the demo sound folder ``resources/samples/sounds/``.

Four classes, one subfolder each, 1 s clips at 16 kHz mono in FLAC, synthesized with a fixed
seed so the folder is reproducible: ``.venv/bin/python packaging/make_audio_sample.py``.

- whistle: a steady tone (600-2,200 Hz) with a little vibrato and a few harmonics;
- siren: a tone whose pitch wails up and down (or sweeps once) over 500-1,800 Hz;
- hiss: bursts of band-limited noise;
- tick: trains of short clicks, 4-14 per second.

Each clip has its own pitch, loudness (-24 to -3 dBFS peak), onset and length of the event,
and a background (noise, mains hum or a babble of tones) from 3 dB (loud) to 30 dB (faint) below it,
so whistle and siren, or hiss and tick at low levels, are not told apart by loudness alone.
File → Open Audio Sample then shows the whole audio workflow in a minute or two on a CPU.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "resources" / "samples" / "sounds"
CLASSES = ("whistle", "siren", "hiss", "tick")
PER_CLASS = 20
RATE = 16_000
SECONDS = 1.0
SEED = 20240611


def _envelope(n: int, start: int, length: int, fade: int) -> np.ndarray:
    """0 outside ``[start, start + length)``, 1 inside, with raised-cosine fades."""
    env = np.zeros(n)
    stop = min(n, start + length)
    env[start:stop] = 1.0
    fade = max(1, min(fade, (stop - start) // 2))
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
    env[start : start + fade] *= ramp
    env[stop - fade : stop] *= ramp[::-1]
    return env


def _bandpass_noise(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """White noise kept between ``low`` and ``high`` Hz (in the frequency domain)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    x = np.fft.irfft(spectrum, n)
    return x / max(1e-9, float(np.std(x)))


def _event(label: str, rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """The sound of ``label`` over the whole clip (before envelope and level)."""
    n = len(t)
    if label == "whistle":
        f = rng.uniform(600, 2200) * (1 + 0.01 * np.sin(2 * np.pi * rng.uniform(4, 7) * t))
        phase = 2 * np.pi * np.cumsum(f) / RATE
        return sum(
            rng.uniform(0.05, 0.3) ** (k > 1) * np.sin(k * phase + rng.uniform(0, 6.3))
            for k in (1, 2, 3)
        )
    if label == "siren":
        low, high = sorted(rng.uniform(500, 1800, size=2))
        high = max(high, low * 1.5)
        if rng.random() < 0.7:  # wailing: the pitch goes up and down a few times
            rate = rng.uniform(1.5, 4.0)
            f = low + (high - low) * (
                0.5 - 0.5 * np.cos(2 * np.pi * rate * t + rng.uniform(0, 6.3))
            )
        else:  # one sweep, up or down
            f = np.linspace(low, high, n) if rng.random() < 0.5 else np.linspace(high, low, n)
        phase = 2 * np.pi * np.cumsum(f) / RATE
        return np.sin(phase) + 0.2 * np.sin(3 * phase)
    if label == "hiss":
        low = rng.uniform(300, 3000)
        noise = _bandpass_noise(rng, n, low, min(7900, low * rng.uniform(2, 6)))
        gate = np.zeros(n)
        for _ in range(int(rng.integers(1, 4))):
            length = int(rng.uniform(0.1, 0.45) * n)
            gate += _envelope(n, int(rng.integers(0, n - length)), length, int(0.01 * RATE))
        return noise * np.clip(gate, 0, 1)
    # tick: a click train; each click a few-millisecond decaying burst
    x = np.zeros(n)
    period = int(RATE / rng.uniform(4, 14))
    width = int(rng.uniform(0.001, 0.004) * RATE)
    click = rng.standard_normal(width) * np.exp(-np.arange(width) / (width / 4))
    for start in range(int(rng.integers(0, period)), n - width, period):
        x[start : start + width] += click * rng.uniform(0.6, 1.0)
    return x


def _background(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Faint noise, mains hum or a babble of quiet tones (unit RMS)."""
    n = len(t)
    kind = rng.integers(0, 3)
    if kind == 0:
        x = _bandpass_noise(rng, n, 50, rng.uniform(1500, 7900))
    elif kind == 1:
        mains = rng.choice([50.0, 60.0])
        x = sum(np.sin(2 * np.pi * mains * k * t) / k for k in (1, 2, 3))
        x = x + 0.3 * _bandpass_noise(rng, n, 50, 4000)
    else:
        x = sum(np.sin(2 * np.pi * rng.uniform(150, 600) * t) for _ in range(4))
        x = x * (0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
        x = x + 0.3 * _bandpass_noise(rng, n, 50, 4000)
    return x / max(1e-9, float(np.sqrt(np.mean(x**2))))


def synth(label: str, rng: np.random.Generator) -> np.ndarray:
    """One float32 clip of ``label`` (1 s at 16 kHz, peak below 1)."""
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    event = _event(label, rng, t)
    length = int(rng.uniform(0.25, 1.0) * n)
    event = event * _envelope(n, int(rng.integers(0, n - length + 1)), length, int(0.02 * RATE))
    rms = float(np.sqrt(np.mean(event[event != 0] ** 2))) if np.any(event) else 1.0
    snr_db = rng.uniform(3, 30)
    x = event / rms + _background(rng, t) * 10 ** (-snr_db / 20)
    peak_db = rng.uniform(-24, -3)
    x = x / max(1e-9, float(np.max(np.abs(x)))) * 10 ** (peak_db / 20)
    return x.astype(np.float32)


def generate(out: Path, per_class: int = PER_CLASS, seed: int = SEED) -> list[Path]:
    """Write ``out/<class>/<class>_<nn>.flac`` for every class; returns the files written."""
    import soundfile as sf

    rng = np.random.default_rng(seed)
    written = []
    for label in CLASSES:
        folder = out / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            path = folder / f"{label}_{i + 1:02d}.flac"
            sf.write(str(path), synth(label, rng), RATE, format="FLAC", subtype="PCM_16")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    files = generate(args.out)
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} clips ({size / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
