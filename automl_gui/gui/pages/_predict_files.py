"""The Predict page's part for classifiers of files: image models and audio models.

Files and folders (recursed) are dropped or chosen, predicted in a worker with progress and
Cancel by the kind's engine call (``core.kinds._image_media.predict_images`` or
``core.kinds._audio_media.predict_audio``, through ``DataKind.predict``), and shown as a table (path, prediction, confidence,
probability_<class>, error). Beside the table: a gallery captioned with the predictions for
images (with "Show where the model looked": Grad-CAM overlays, ``widgets/saliency.py``), the
selected row's clip (play, waveform, spectrogram) for audio. Broken files get a row with the
reason.

:class:`FilesPredicting` is a mixin of ``PredictPage``; what differs between kinds is the
kind's own (``item``, ``extensions``, ``predict``) and its page package's words
(``WINDOW.predict``, a :class:`~automl_gui.gui.pages._kind_window.PredictWords`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from automl_gui.core.kinds import DataKind
from automl_gui.gui.format import probability
from automl_gui.gui.pages._kind_window import PredictWords
from automl_gui.gui.pages._predict_model import common_folder, probability_columns
from automl_gui.gui.pages.registry import kind_window

PROGRESS_STEPS = 1000
PATH_COLUMN_WIDTH = 340  # px at most for the path column (elided on the left)
ERROR_WIDTH = 240  # px at most for the error column (the whole reason in the tooltip)
TEXT_WIDTH = 380  # px at most for a text model's text column (the whole text in the tooltip)
TABLE_SHARE = 0.6  # of the width, for the table beside an audio model's clip panel
MAX_LISTED_CLASSES = 6  # classes named in the model line
ARCHITECTURES = {"cnn": "CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}


@dataclass(frozen=True)
class MediaKind:
    """A kind of file model on the Predict page: the kind (its ``item``, ``extensions`` and
    ``predict``) and what its page package says (:class:`PredictWords`)."""

    kind: DataKind
    words: PredictWords

    @property
    def noun(self) -> str:
        return self.kind.item

    @property
    def extensions(self) -> tuple[str, ...]:
        """The kind's example files, and what else its models predict on (tables of texts)."""
        return self.kind.extensions + self.words.also_opens

    @property
    def file_filter(self) -> str:
        """For the file dialog: "Images (*.jpg *.png …);;All files (*)"."""
        patterns = " ".join("*" + s for s in self.extensions)
        return f"{self.words.files_title} ({patterns});;All files (*)"

    @property
    def open_text(self) -> str:
        return self.words.open_text

    @property
    def open_tip(self) -> str:
        return self.words.open_tip

    @property
    def folder_tip(self) -> str:
        return self.words.folder_tip

    def details(self, meta: dict[str, Any], details: list[str]) -> list[str]:
        return self.words.details(meta, details)

    def plural(self, n: int) -> str:
        return f"{n:,} {self.noun}" if n == 1 else f"{n:,} {self.noun}s"

    def predict(self, bundle: Any, paths: list[str], on_event: Any, cancel: Any) -> Any:
        return self.kind.predict(bundle, paths, on_event=on_event, cancel=cancel)


def media_kind(bundle: Any) -> MediaKind | None:
    """The file kind ``bundle`` classifies, or None for a table model (or no model)."""
    if bundle is None:
        return None
    kind = bundle.kind
    words = kind_window(kind).predict
    return MediaKind(kind, words) if words is not None else None


def is_media_input(path: str, media: MediaKind) -> bool:
    """True for a folder or a file with one of ``media``'s extensions."""
    p = Path(path)
    return p.is_dir() or p.suffix.lower() in media.extensions


def image_items(frame: Any) -> list[tuple[str, str, str]]:
    """Gallery items ``(path, caption, tooltip)`` for ``predict_images`` rows: "dog 97%", or
    "can't read" with the reason for a broken file."""
    import numpy as np

    probs = [c for c in frame.columns if c.startswith("probability_")]
    names = [c[len("probability_") :] for c in probs]
    n = len(frame)
    if probs:  # vectorized: 50,000 rows must not hold up the window
        proba = np.nan_to_num(frame[probs].to_numpy(dtype="float64", na_value=np.nan), nan=-1.0)
        order = np.argsort(-proba, axis=1)[:, :3].tolist()
        confidence = proba.max(axis=1).tolist()
        proba = proba.tolist()
    else:
        order, confidence, proba = [[]] * n, [-1.0] * n, [[]] * n
    errors = frame["error"].fillna("").astype(str).tolist() if "error" in frame else [""] * n
    predictions = frame["prediction"].fillna("").astype(str).tolist()
    items = []
    for i, path in enumerate(frame["path"].astype(str).tolist()):
        prediction, error = predictions[i], errors[i]
        if error or not prediction:
            items.append((path, "can't read", f"{path}\n{error or 'no prediction'}"))
        elif confidence[i] < 0:
            items.append((path, prediction, f"{path}\npredicted {prediction}"))
        else:
            conf = probability(confidence[i])
            top = ", ".join(f"{names[j]} {probability(proba[i][j])}" for j in order[i])
            tip = f"{path}\npredicted {prediction} ({conf})\nmost likely: {top}"
            items.append((path, f"{prediction} {conf}", tip))
    return items


def broken_count(frame: Any) -> int:
    """Rows whose file could not be read (a non-empty ``error``)."""
    if "error" not in frame.columns:
        return 0
    return int((frame["error"].fillna("").astype(str) != "").sum())


def warned_count(frame: Any) -> int:
    """Answers the engine warns about (a text with no word the model knows: ``warning``)."""
    if "warning" not in frame.columns:
        return 0
    return int((frame["warning"].fillna("").astype(str) != "").sum())


def shown_frame(frame: Any) -> Any:
    """The columns in reading order: path, prediction, confidence, the error (only when some
    file failed: the reasons next to the answers, else the empty column goes last), then the
    probabilities (a text model's answers carry the ``text`` read, after the confidence).
    Confidence comes before the (capped but wide) error column so it stays in
    sight beside the side panel."""
    first = ["path", "prediction", "confidence", "text"]  # the text a text model read
    first += ["error"] if broken_count(frame) else []
    first += ["warning"] if warned_count(frame) else []  # an answer that means nothing
    first = [c for c in first if c in frame.columns]
    first += [c for c in frame.columns if c.startswith("probability_")]
    return frame[first + [c for c in frame.columns if c not in first]]


def files_model_text(bundle: Any, media: MediaKind, source: str) -> str:
    """The model line: "Model: <source> (classifies clips into 4 classes: <b>a, b</b>; CNN
    on log-mel spectrograms of 1 s clips at 16 kHz)."."""
    meta = getattr(bundle, "metadata", {}) or {}
    names = [str(n) for n in (bundle.class_names or [])]
    listed = ", ".join(names[:MAX_LISTED_CLASSES])
    if len(names) > MAX_LISTED_CLASSES:
        listed += f" and {len(names) - MAX_LISTED_CLASSES} more"
    arch = str(meta.get("architecture") or "")
    details = [ARCHITECTURES.get(arch, arch)] if arch else []
    details = media.details(meta, details)
    tail = f"; {', '.join(details)}" if details else ""
    return (
        f"Model: {source} (classifies {media.noun}s into {len(names)} classes: "
        f"<b>{listed}</b>{tail})."
    )


class FilesPredicting:
    """Mixin of the Predict page: predicting with an image or audio model.

    The page supplies ``bundle``, ``model`` (DataFrameModel), ``table``, ``gallery``,
    ``clip_panel`` (made on first use; ``_clip_panel`` None until then), ``info``,
    ``banner``, ``busy``, ``state``, ``predictions``, ``predictions_ready`` and the worker
    plumbing ``_start`` / ``_fail``.
    """

    path_root = ""  # the folder the table's paths are shown relative to

    def media(self) -> MediaKind | None:
        """The kind of files the current model classifies (None: a table model)."""
        return media_kind(self.bundle)

    def is_image_model(self) -> bool:
        """True when the current model's answers show as a gallery (an image model)."""
        media = self.media()
        return media is not None and media.words.gallery

    def is_audio_model(self) -> bool:
        """True when the current model's answers show with their clips (an audio model)."""
        media = self.media()
        return media is not None and media.words.clips

    def predict_files(self, paths: list[str]) -> None:
        """Classify files/folders (recursed) with the current image or audio model in the
        background, with progress and Cancel (emits predictions_ready/prediction_failed)."""
        media = self.media()
        if media is None:
            self._fail("No image or audio model to predict with.", "Load or train one first.")
            return
        bundle, paths = self.bundle, [str(p) for p in paths]

        def job(on_event: Any, cancel: Any) -> Any:
            frame = media.predict(bundle, paths, on_event, cancel)
            # gallery captions built here, off the UI thread
            return frame, image_items(frame) if media.words.gallery else []

        self.path_root = common_folder(paths)  # the table shows paths relative to it
        self.source_path = paths[0] if len(paths) == 1 else None
        self.source_name = Path(paths[0]).name if len(paths) == 1 else f"{len(paths)} items"
        self.info.setText(f"Classifying the {media.noun}s in {self.source_name}…")
        self._start(job, self._on_files_predicted, clear_on_fail=True)
        if self.worker is not None:
            self.worker.progress.connect(self._on_progress)

    predict_images = predict_files  # the name the image tests and the window know
    predict_clips = predict_files

    def _on_progress(self, event: Any) -> None:
        if event.fraction is not None:
            self.busy.setRange(0, PROGRESS_STEPS)
            self.busy.setValue(round(PROGRESS_STEPS * min(max(event.fraction, 0.0), 1.0)))
        if event.message:
            self.info.setText(f"{self.source_name}: {event.message}")

    def _on_files_predicted(self, result: Any) -> None:
        media = self.media()
        if media is None:  # the model was replaced meanwhile
            return
        frame, self.gallery_items = result
        self.predictions = frame
        broken = broken_count(frame)
        self.model.set_frame(shown_frame(frame), probability_columns(frame), self.path_root)
        # keep the file names; a text model's answers keep the start of each text instead
        text = "text" in frame.columns
        self.table.setTextElideMode(
            Qt.TextElideMode.ElideRight if text else Qt.TextElideMode.ElideLeft
        )
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), PATH_COLUMN_WIDTH))
        capped = {
            "error": ERROR_WIDTH,
            "warning": ERROR_WIDTH,
            "text": TEXT_WIDTH,
        }  # long cells must not push the
        for name, width in capped.items():  # answers out of sight
            if name in self.model.frame.columns:
                column = list(self.model.frame.columns).index(name)
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), width))
        self._show_side_view(media)
        good = len(frame) - broken
        text = f"{media.plural(good)} classified in {self.source_name}."
        if broken:
            text = text[:-1] + f"; {broken:,} could not be read (see the error column)."
            self.banner.show_message(
                f"{broken:,} of {len(frame):,} files could not be read.",
                "They are listed with the reason in the error column; the others are predicted.",
                "warning",
            )
        warned = warned_count(frame)
        if warned:
            text = text[:-1] + f"; {warned:,} of them with a warning (see the warning column)."
        self.info.setText(text)
        self.state.status.emit(f"Classified {media.plural(good)} in {self.source_name}")
        self.predictions_ready.emit(frame)

    def _show_side_view(self, media: MediaKind | None) -> None:
        """The gallery (images), the clip panel (audio: the first good clip selected)."""
        gallery = media is not None and media.words.gallery
        clips = media is not None and media.words.clips
        if not clips and self._clip_panel is not None:
            self._clip_panel.hide()
        if gallery:
            if not hasattr(self.gallery, "feeder"):  # "Show where the model looked"
                self.gallery.enable_saliency(lambda: self.bundle)
            self.gallery.set_items(self.gallery_items)
        self.gallery.setVisible(gallery)
        if clips:
            if not self.clip_panel.isVisible():  # the table keeps room for its columns
                total = max(sum(self.split.sizes()), self.split.width())
                table = int(total * TABLE_SHARE)
                self.split.setSizes([table, 0, total - table])
            self.clip_panel.show()
            meta = self.bundle.metadata or {}
            self.clip_panel.set_sample_rate(int(meta.get("sample_rate") or 0))
            self.clip_panel.set_clip_seconds(float(meta.get("clip_seconds") or 0))
            frame = self.model.frame
            good = [] if frame is None else self._good_rows(frame)
            if good:
                self.select_row(good[0])
            else:
                self.clip_panel.clear()

    @staticmethod
    def _good_rows(frame: Any) -> list[int]:
        if "error" not in frame.columns:
            return list(range(len(frame)))
        errors = frame["error"].fillna("").astype(str).to_numpy()
        return (errors == "").nonzero()[0].tolist()

    def select_path(self, path: str) -> None:
        """Select and show the table row of ``path`` (a gallery item was activated)."""
        frame = self.model.frame
        if frame is None or "path" not in frame.columns:
            return
        hits = (frame["path"].astype(str) == path).to_numpy().nonzero()[0]
        if len(hits):
            self.select_row(int(hits[0]))

    def select_row(self, row: int) -> None:
        """Make table row ``row`` current and selected (for audio: its clip in the panel)."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """An audio model's table: the current row's clip goes to the clip panel."""
        if not self.is_audio_model():
            return
        frame = self.model.frame
        row = current.row()
        if frame is None or not 0 <= row < len(frame) or "path" not in frame.columns:
            self.clip_panel.clear()
            return
        record = frame.iloc[row]
        error = str(record.get("error", "") or "") if "error" in frame.columns else ""
        path = str(record["path"])
        if error:
            self.clip_panel.show_problem(path, error)
            return
        prediction = str(record.get("prediction", "") or "")
        caption = f"predicted {prediction}" if prediction else ""
        try:
            confidence = float(record.get("confidence"))
        except (TypeError, ValueError):
            confidence = float("nan")
        if caption and confidence == confidence:  # not NaN
            caption += f" ({probability(confidence)})"
        self.clip_panel.show_clip(path, caption)
