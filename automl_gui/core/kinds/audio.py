"""Audio: a folder of class folders of clips (or split folders, or a CSV of paths)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from automl_gui.core.data._media_csv import AUDIO_EXTENSIONS, looks_like_audio_csv
from automl_gui.core.kinds.images import FilesKind

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.data._media_scan import MediaDataset
    from automl_gui.core.data.audio import AudioDataset
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.jobs._files_media import Media
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

#: a backbone fine-tunes on spectrograms for fewer epochs than on photos
AUDIO_FINE_TUNE_EPOCHS = 5


class AudioKind(FilesKind):
    """Sounds; the model takes mono waveforms and computes its own spectrogram."""

    name = "audio"
    title = "Audio"
    item = "clip"
    items = "clips"
    dataset_noun = "audio folder"
    opens = "a folder of audio clips (.wav .flac .ogg .mp3)"
    trained_on = "audio clips"
    model_noun = "an audio model"
    input_hint = "Give it audio files (.wav .flac .ogg .mp3) or folders"
    card_input_word = "audio clips"
    extensions = AUDIO_EXTENSIONS
    sample = "sounds"
    one_file = "an audio clip"
    folder_example = "sounds/dog/*.wav and sounds/cat/*.wav"
    sample_words = "sample clips (raw waveforms)"
    serving_input = ((None, None), "waveforms")
    serves_any_length = True
    search_note = (
        "The search chooses the spectrogram (log-mel or MFCC, bands, window and hop), the CNN's "
        "width, dropout, augmentation strength and learning rate. The other settings on this "
        "page apply to every trial."
    )

    def lists_files(self, path: str) -> bool:
        return looks_like_audio_csv(path)

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> AudioDataset:
        from automl_gui.core.data.audio import scan_audio

        return scan_audio(str(path), on_event=on_event, cancel=cancel)

    def preprocess_from_dict(self, data: dict[str, Any]) -> AudioPreprocessConfig:
        from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

        return AudioPreprocessConfig.from_dict(data)

    def default_preprocess(self, dataset: Any = None) -> AudioPreprocessConfig:
        from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

        return AudioPreprocessConfig()

    def default_model(self) -> ImageModelConfig:
        """The image model settings, with a shorter fine-tune (audio reuses the networks)."""
        from automl_gui.core.models.image_config import ImageModelConfig

        return ImageModelConfig(fine_tune_epochs=AUDIO_FINE_TUNE_EPOCHS)

    def empty_samples(self, metadata: dict[str, Any]) -> Any:
        import numpy as np

        return np.zeros((0, int(metadata.get("n_samples") or 1)), "float32")

    def auto_architecture_note(self) -> str:
        return (
            "A compact CNN on the spectrograms, unless a backbone's weights are on this "
            "computer and training runs on a GPU."
        )

    def media(self, dataset: MediaDataset, preprocess: Any) -> Media:
        from automl_gui.core.kinds._audio_media import AudioMedia

        return AudioMedia(dataset, preprocess)

    def search_space(self, dataset: Any, preprocess: Any, model: Any, **options: Any) -> Any:
        """The AutoML search's default space for ``dataset`` (``tune.search.files_space``)."""
        from automl_gui.core.preprocess.audio_config import resolve_rate
        from automl_gui.core.tune.search.files_space import audio_space

        return audio_space(dataset, resolve_rate(dataset, preprocess), model, **options)

    def _answer(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: audio files or folders (recursed)."""
        from automl_gui.core.kinds._audio_media import predict_audio

        return predict_audio(bundle, list(data), on_event=on_event, cancel=cancel)

    def _explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None,
        out_dir: Any,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: audio files or folders; a Grad-CAM map on each clip's log-mel spectrogram (``core.trust.saliency``)."""
        from automl_gui.core.trust.saliency import explain_audio

        return explain_audio(
            bundle, list(data), rows=rows, out_dir=out_dir, on_event=on_event, cancel=cancel
        )

    @property
    def required_metadata(self) -> tuple[str, ...]:
        return ("class_names", "sample_rate", "n_samples")

    def model_card_input(self, metadata: dict[str, Any]) -> str:
        rate = int(metadata.get("sample_rate") or 0)
        return (
            f"float32 mono waveforms (n, samples) at {rate} Hz, values in [-1, 1], any length "
            "(the model pads a shorter clip centred, answers a longer one with the mean of its "
            "windows' probabilities, and computes its spectrogram)"
        )

    def model_card_serving(self, metadata: dict[str, Any]) -> str:
        rate = int(metadata.get("sample_rate") or 0)
        return (
            f"Call loaded.serve(waveforms): float32 (n, samples) mono at {rate} Hz, values in "
            "[-1, 1], any length (the model pads a shorter clip centred to its clip length, "
            "averages the probabilities of a longer clip's evenly spread half-overlapping "
            "windows, and computes its spectrogram); every waveform of one call has the same "
            "length (call once per clip for clips of different lengths: padding a batch "
            "would add silence to the answer); returns class probabilities in class_names order."
        )

    def export_input(self, metadata: dict[str, Any]) -> tuple[str, str]:
        from automl_gui.core.base.units import format_rate

        rate = format_rate(metadata.get("sample_rate"))
        at = f" at {rate}" if rate else " at the training sample rate"
        return (
            f"raw waveforms{at} (float32 mono, values in [-1, 1], any length; padding, the "
            "windows of a long clip and their average, and the spectrogram are inside it)",
            "waveforms",
        )

    def model_card_architecture(self, metadata: dict[str, Any]) -> list[str]:
        return [
            f"- Audio: {metadata.get('sample_rate')} Hz, windows of "
            f"{metadata.get('clip_seconds')} s, features {metadata.get('features')}; a longer "
            "clip is answered with the mean of its evenly spread, half-overlapping windows' "
            "probabilities (inside the model, in every export format)."
        ]


AUDIO = AudioKind()
