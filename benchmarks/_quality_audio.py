"""The audio section of ``bench_quality.py``: the app's default audio training against
logistic regression on MFCC means, on audio sets made offline, and the training speed
(clips per second in an epoch) with the old and the new defaults.

Sets (class folders of audio files under a temporary folder, fixed seeds):

- ``phone_prompts``: Debian's Asterisk telephone prompts (``asterisk-core-sounds-{en,es,fr}
  -wav``: real recordings, 8 kHz mono WAV, 0.3 to 80 s long, median about 2 s), three
  classes = the prompt's language (English, Spanish, French). The issue's case: 8 kHz clips
  of very different lengths. Needs ``apt-get install asterisk-core-sounds-en-wav
  asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav``.
- ``spoken_digits``: the words "zero" … "nine" synthesized with ``espeak-ng`` in 14 English
  voices and variants (male/female), random speed (120–220 words/min), pitch and amplitude,
  soft noise added, written at 16 kHz. Needs ``apt-get install espeak-ng``.
- ``sound_shapes``: generated, known structure: a steady tone, a rising chirp, a falling
  chirp, a noise burst, a train of beeps, an amplitude-modulated tone; random frequency,
  level and length (0.3–4 s, log-uniform), in background noise at 0–20 dB SNR, 16 kHz.

Per set, on the same stratified split (the app's own ``split_audio`` with its defaults; the
run's test files are checked to be that split's):

- ``default``: ``AUDIO.train(TrainRequest(...))`` with the kind's defaults, as the Train
  button runs it: test accuracy, seconds, epochs, the Auto sample rate and clip length.
- ``baseline``: scikit-learn ``LogisticRegression`` on the mean and standard deviation over
  time of 20 MFCCs of each whole clip (the app's NumPy log-mel, 40 bands, DCT-II), at the
  rate the app chose, standardized, C picked on validation.
- ``speed``: clips per second of one training epoch of the default CNN (``model.fit`` on
  ``make_audio_dataset(training=True)``, the second epoch timed) with the old defaults
  (16 kHz, clip length = the 95th percentile of the durations) and the new ones (the
  recordings' own rate up to 16 kHz, the 75th percentile), on the same clips.

``rows(budget_s, quick)`` returns one dict per set (``section``, ``dataset``, ``n``,
``metric``, ``default``, ``search`` (None: no audio search here), ``baseline``,
``default_s``, notes). ``budget_s`` is unused (kept for the shared signature).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SEED = 0
SETS = ("phone_prompts", "spoken_digits", "sound_shapes")
ASTERISK = Path("/usr/share/asterisk/sounds")
LANGUAGES = ("en", "es", "fr")
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VOICES = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-029",
    "en-us-nyc",
    "en-us+f2",
    "en-us+f4",
    "en-gb+f3",
    "en-us+m3",
    "en-gb+m5",
    "en-029+f1",
    "en-gb-scotland+f5",
)
SHAPES = ("tone", "chirp_up", "chirp_down", "noise", "beeps", "tremolo")
C_GRID = (0.01, 0.1, 1.0, 10.0)
#: clips per class (quick mode / full)
QUICK_PER_CLASS = 60
PER_CLASS = 200
QUICK_TRAIN_BUDGET_S = 90.0
RATE = 16_000


class Unavailable(RuntimeError):
    """A set cannot be made on this computer (its package is missing)."""


# -- the sets -----------------------------------------------------------------------------------
def write_phone_prompts(root: Path, per_class: int) -> Path:
    """Asterisk prompts linked into one folder per language (a random ``per_class`` each)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    for lang in LANGUAGES:
        files = sorted((ASTERISK / lang).rglob("*.wav")) if (ASTERISK / lang).is_dir() else []
        if not files:
            raise Unavailable(f"no {ASTERISK / lang}: apt-get install asterisk-core-sounds-*-wav")
        folder = root / lang
        folder.mkdir(parents=True, exist_ok=True)
        for k in rng.permutation(len(files))[:per_class]:
            rel = files[k].relative_to(ASTERISK / lang)
            (folder / "_".join(rel.parts)).symlink_to(files[k])
    return root


def _speak(text: str, voice: str, speed: int, pitch: int, out: Path) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(out), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def write_spoken_digits(root: Path, per_class: int) -> Path:
    """Digits spoken by espeak-ng (voices × speeds × pitches), 16 kHz with soft noise."""
    import numpy as np
    import soundfile as sf
    import soxr

    if shutil.which("espeak-ng") is None:
        raise Unavailable("no espeak-ng: apt-get install espeak-ng")
    rng = np.random.default_rng(SEED)
    jobs = []
    for word in DIGITS:
        (root / word).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            voice = VOICES[i % len(VOICES)]
            speed, pitch = int(rng.integers(120, 221)), int(rng.integers(20, 81))
            level, snr = float(rng.uniform(0.3, 0.9)), float(rng.uniform(15, 35))
            jobs.append((word, voice, speed, pitch, level, snr, root / word / f"{i:03d}.wav"))

    def one(job: tuple) -> None:
        word, voice, speed, pitch, level, snr, out = job
        raw = _speak(word, voice, speed, pitch, out.with_suffix(".raw.wav"))
        wave, rate = sf.read(str(raw), dtype="float32")
        raw.unlink()
        wave = soxr.resample(wave, rate, RATE) if rate != RATE else wave
        wave = wave / max(1e-6, float(np.abs(wave).max())) * level
        noise_rng = np.random.default_rng(zlib.crc32(str(out.name + word).encode()))
        power = float(np.mean(wave**2)) / 10 ** (snr / 10)
        wave = wave + noise_rng.normal(0, np.sqrt(power), len(wave)).astype("float32")
        sf.write(str(out), np.clip(wave, -1, 1), RATE, subtype="PCM_16")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, jobs))
    return root


def _shape(name: str, seconds: float, rng: Any) -> Any:
    import numpy as np

    t = np.arange(int(seconds * RATE)) / RATE
    f0 = float(np.exp(rng.uniform(np.log(200), np.log(3000))))
    if name == "tone":
        return np.sin(2 * np.pi * f0 * t)
    if name in ("chirp_up", "chirp_down"):
        f1 = f0 * float(rng.uniform(2.0, 4.0))
        lo, hi = (f0, f1) if name == "chirp_up" else (f1, f0)
        freq = lo * (hi / lo) ** (t / max(seconds, 1e-3))  # exponential sweep
        return np.sin(2 * np.pi * np.cumsum(freq) / RATE)
    if name == "noise":
        return rng.uniform(-1, 1, len(t))
    if name == "beeps":
        rate = float(rng.uniform(3, 8))
        return np.sin(2 * np.pi * f0 * t) * (np.sin(2 * np.pi * rate * t) > 0.3)
    rate = float(rng.uniform(4, 12))  # tremolo: amplitude-modulated tone
    return np.sin(2 * np.pi * f0 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * rate * t))


def write_sound_shapes(root: Path, per_class: int) -> Path:
    """Tones, chirps, noise, beeps and tremolos in background noise, 0.3–4 s, 16 kHz."""
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(SEED)
    for name in SHAPES:
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            seconds = float(np.exp(rng.uniform(np.log(0.3), np.log(4.0))))
            wave = _shape(name, seconds, rng)
            wave = wave / max(1e-6, float(np.sqrt(np.mean(wave**2))))
            snr = float(rng.uniform(0, 20))
            wave = wave + rng.normal(0, 10 ** (-snr / 20), len(wave))
            wave = wave / float(np.abs(wave).max()) * float(rng.uniform(0.2, 0.9))
            sf.write(str(root / name / f"{i:03d}.wav"), wave.astype("float32"), RATE, "PCM_16")
    return root


WRITERS = {
    "phone_prompts": write_phone_prompts,
    "spoken_digits": write_spoken_digits,
    "sound_shapes": write_sound_shapes,
}


# -- the baseline -------------------------------------------------------------------------------
def mfcc_stats(path: str, rate: int) -> Any:
    """Mean and standard deviation over time of 20 MFCCs of the whole clip."""
    import numpy as np

    from automl_gui.core.models._audio_ops import dct_matrix
    from automl_gui.core.preprocess.audio import load_audio, log_mel_display

    mel = log_mel_display(load_audio(path, rate), rate, n_mels=40)
    mfcc = mel @ dct_matrix(40, 20)
    return np.concatenate([mfcc.mean(axis=0), mfcc.std(axis=0)])


def baseline(split: Any, rate: int) -> dict[str, Any]:
    """Logistic regression on MFCC means (and deviations), C chosen on validation."""
    import warnings

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    start = time.perf_counter()
    names = split.class_names
    parts = {}
    for part in ("train", "validation", "test"):
        items = getattr(split, part)
        x = np.stack([mfcc_stats(i.path, rate) for i in items])
        parts[part] = (x, np.array([names.index(i.label) for i in items]))
    scaler = StandardScaler().fit(parts["train"][0])
    best = (-1.0, None)
    for c in C_GRID:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(C=c, max_iter=2000).fit(
                scaler.transform(parts["train"][0]), parts["train"][1]
            )
        score = model.score(scaler.transform(parts["validation"][0]), parts["validation"][1])
        if score > best[0]:
            best = (score, model)
    accuracy = best[1].score(scaler.transform(parts["test"][0]), parts["test"][1])
    return {
        "accuracy": round(float(accuracy), 4),
        "C": best[1].C,
        "seconds": round(time.perf_counter() - start, 1),
    }


# -- the app ------------------------------------------------------------------------------------
def _same_split(run: Any, split: Any) -> bool:
    frame = getattr(run, "test_predictions", None)
    if frame is None or "path" not in frame:
        return False
    return set(map(str, frame["path"])) == {i.path for i in split.test}


def default_training(kind: Any, dataset: Any, split: Any, quick: bool) -> dict[str, Any]:
    """The kind's default settings trained through the engine, as the Train button does."""
    import dataclasses

    from automl_gui.core.base.events import Log
    from automl_gui.core.jobs.requests import TrainRequest

    training = kind.default_training()
    if quick:
        training = dataclasses.replace(training, time_budget=QUICK_TRAIN_BUDGET_S)
    logs: list[str] = []

    def on_event(event: Any) -> None:
        if isinstance(event, Log) and ("Sample rate" in event.message or "Clip" in event.message):
            logs.append(event.message)

    request = TrainRequest(
        kind, dataset, kind.default_preprocess(dataset), kind.default_model(), training
    )
    start = time.perf_counter()
    run = kind.train(request, on_event=on_event)
    seconds = time.perf_counter() - start
    result = run.result
    return {
        "accuracy": run.report["metrics"].get("accuracy"),
        "seconds": round(seconds, 1),
        "train_seconds": round(float(result.seconds), 1),
        "epochs": int(result.epochs_run),
        "best_epoch": int(result.best_epoch) + 1,
        "stopped": result.stopped_reason,
        "sample_rate": run.metadata.get("sample_rate"),
        "clip_seconds": run.metadata.get("clip_seconds"),
        "auto": logs,
        "same_split": _same_split(run, split),
    }


def epoch_speed(dataset: Any, split: Any, preprocess: Any) -> dict[str, Any]:
    """Clips per second of a training epoch of the default CNN with ``preprocess`` (the
    app's AudioMedia: rate, clip length, band statistics, model, streamed random crops)."""
    import numpy as np

    from automl_gui.core.base import lazy
    from automl_gui.core.kinds._audio_media import AudioMedia
    from automl_gui.core.models.image_config import ImageModelConfig

    media = AudioMedia(dataset, preprocess)
    paths = [i.path for i in split.train]
    labels = np.array([split.class_names.index(i.label) for i in split.train], "int32")

    class _Job:  # what AudioMedia.prepare reads
        def __init__(self) -> None:
            from automl_gui.core.base.events import CancelToken

            self.paths, self.on_event, self.cancel = {"train": paths}, None, CancelToken()

    media.prepare("cnn", _Job())
    built = media.build("cnn", len(split.class_names), ImageModelConfig(), n_train=len(paths))
    built.model.compile("adam", "sparse_categorical_crossentropy")
    ds = media.make_dataset(paths, labels, 32, shuffle=True, training=True)
    built.model.fit(ds, epochs=1, verbose=0)  # the first epoch traces and warms the caches
    start = time.perf_counter()
    built.model.fit(ds, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    lazy.keras().backend.clear_session()
    return {
        "sample_rate": media.sample_rate,
        "clip_seconds": media.clip_seconds,
        "epoch_s": round(seconds, 1),
        "clips_per_s": round(len(paths) / seconds, 1),
    }


def measure(name: str, quick: bool, folder: Path, speed: bool = True) -> dict[str, Any]:
    """One set: write it, scan it, split it; the baseline, the default training, the speed."""
    import dataclasses

    import numpy as np

    from automl_gui.core.kinds import kind_named
    from automl_gui.core.preprocess.audio import split_audio
    from automl_gui.core.preprocess.audio_config import sample_rate_for

    kind = kind_named("audio")
    root = WRITERS[name](folder / name, QUICK_PER_CLASS if quick else PER_CLASS)
    dataset = kind.load(root)
    preprocess = kind.default_preprocess(dataset)
    split = split_audio(dataset, preprocess)
    stats = dataset.duration_stats()
    rate = sample_rate_for(dataset, preprocess)
    row: dict[str, Any] = {
        "section": "audio",
        "dataset": name,
        "n": len(dataset.items),
        "classes": len(split.class_names),
        "metric": "accuracy",
        "durations": f"{stats['min']:.2g}–{stats['max']:.3g} s, median {stats['median']:.2g} s",
        "rates": dict(stats["sample_rates"]),
    }
    row["baseline_detail"] = baseline(split, rate)
    row["baseline"] = row["baseline_detail"]["accuracy"]
    detail = default_training(kind, dataset, split, quick)
    row["default_detail"] = detail
    row["default"], row["default_s"] = detail["accuracy"], detail["seconds"]
    row["search"] = None
    if speed:
        durations = np.asarray(dataset.durations())
        old_clip = float(np.ceil(round(np.percentile(durations, 95) * 10, 6)) / 10)
        before = dataclasses.replace(preprocess, sample_rate=16_000, clip_seconds=min(old_clip, 30))
        row["speed_before"] = epoch_speed(dataset, split, before)
        row["speed_after"] = epoch_speed(dataset, split, preprocess)
    return row


def rows(budget_s: float, quick: bool, names: tuple[str, ...] = SETS) -> list[dict[str, Any]]:
    """One row per audio set (module docstring); ``quick``: 60 clips per class, the default
    training within 90 s. A set whose package is missing gives a row saying so."""
    out = []
    with tempfile.TemporaryDirectory(prefix="quality_audio_") as tmp:
        for name in names:
            try:
                out.append(measure(name, quick, Path(tmp)))
            except Unavailable as exc:
                out.append(
                    {
                        "section": "audio",
                        "dataset": name,
                        "n": 0,
                        "metric": "accuracy",
                        "default": None,
                        "search": None,
                        "baseline": None,
                        "default_s": None,
                        "note": str(exc),
                    }
                )
    return out


if __name__ == "__main__":  # a look without bench_quality.py: python _quality_audio.py
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS), choices=SETS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-speed", action="store_true", help="skip the epoch speed runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quality_audio_") as tmp:
        for name in args.sets:
            row = measure(name, args.quick, Path(tmp), speed=not args.no_speed)
            print(json.dumps(row, default=str), flush=True)
