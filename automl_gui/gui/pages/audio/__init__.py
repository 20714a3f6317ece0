"""Pages of the window for audio datasets (kind "audio"), and what the window says about
them: ``WINDOW``."""

from __future__ import annotations

from typing import Any

from automl_gui.gui.format import audio_model_details
from automl_gui.gui.pages._kind_window import KindWindow, PredictWords, WaysIn


def _details(meta: dict[str, Any], details: list[str]) -> list[str]:
    audio = audio_model_details(meta)
    if not audio:
        return details
    return [f"{details[0]} {audio}"] if details else [audio]


def _input_parts(dataset: Any, preprocess: Any, model: str, auto: str | None = None) -> list[str]:
    """The Train page's lines on the model and its clips (``auto``, the image pages' Auto
    choice, is not the audio one's: unused)."""
    from automl_gui.core.preprocess.audio import auto_clip_seconds
    from automl_gui.core.preprocess.audio_config import sample_rate_for

    clip = f"{preprocess.clip_seconds:g} s"
    if not preprocess.clip_seconds:
        clip = f"{auto_clip_seconds(dataset.durations()):g} s (auto)"
    bands = f"{preprocess.n_mels} bands" if preprocess.features == "log-mel" else ""
    bands = bands or f"{preprocess.n_mfcc} coefficients"
    return [
        f"<b>Model</b> {model}",
        f"<b>Clips</b> {sample_rate_for(dataset, preprocess) / 1000:g} kHz, {clip}, "
        f"{preprocess.features} ({bands})",
    ]


WINDOW = KindWindow(
    pages={
        "data": "automl_gui.gui.pages.audio.data:AudioDataPage",
        "preprocess": "automl_gui.gui.pages.audio.preprocess:AudioPreprocessPage",
        "model": "automl_gui.gui.pages.audio.model:AudioModelPage",
        "evaluate": "automl_gui.gui.pages.audio.evaluate:AudioEvaluatePage",
    },
    ways_in=WaysIn(
        "Open &Audio Folder…",
        "Open a folder of sound clips (WAV, FLAC, OGG, MP3): one subfolder per class, or "
        "train/ val/ test/ folders",
        "Ctrl+Alt+O",
        "Open Audio Samp&le",
        "Open the bundled demo sound folder (whistle, siren, hiss and tick clips)",
        "Load the bundled demo sound folder (whistle, siren, hiss, tick: 80 one-second clips)",
        "sound",
    ),
    predict=PredictWords(
        files_title="Audio clips",
        open_text="Open clips…",
        open_tip="Choose audio clips to classify (WAV, FLAC, OGG, MP3)",
        folder_tip="Predict every audio clip in a folder and its subfolders",
        clips=True,
        details=_details,
    ),
    input_parts=_input_parts,
)
