"""The Train page's checkpoints: every training (not a search) checkpoints each epoch, and an
interrupted one is offered back.

The folder is ``state.work_folder("checkpoints", search_key(state))`` (inside the open
project, else in the app's data folder under a hash of the dataset). When it holds an
unfinished checkpoint (``core.train.checkpoint.read_checkpoint``) of the dataset now loaded
and nothing is training, a banner says "Training was interrupted after epoch N of M (time)"
with Resume training (continue from the last epoch: ``resume=True``) and Discard (delete the
checkpoint). Starting a training normally begins afresh and replaces it. Resume with data
or settings other than the checkpoint's fails in the engine (``CheckpointMismatchError``,
which keeps the checkpoint); the page then asks whether to start afresh, discarding it
(:meth:`TrainingCheckpoints.ask_start_afresh`, which tests replace).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from automl_gui.core.train.checkpoint import (  # TensorFlow-free
    CheckpointInfo,
    CheckpointMismatchError,
    clear_checkpoint,
    read_checkpoint,
)
from automl_gui.gui.dialogs.messages import confirm
from automl_gui.gui.pages._search_run import search_key
from automl_gui.gui.pages._train_view import TrainView
from automl_gui.gui.widgets.banner import ChoiceBanner


class TrainingResumeBanner(ChoiceBanner):
    """ "Training was interrupted after epoch N of M (time)." with Resume training and Discard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            (
                "Resume training",
                "Continue from the last finished epoch with the weights, optimizer state and "
                "curves saved then (the same data and settings are needed).",
            ),
            ("Discard", "Delete the interrupted training's checkpoint; Start trains afresh."),
            parent,
        )
        self.resume_button, self.discard_button = self.yes_button, self.no_button
        self.info: CheckpointInfo | None = None

    def offer(self, info: CheckpointInfo) -> None:
        self.info = info
        self.show_text(info.describe())

    def withdraw(self) -> None:
        self.info = None
        self.hide()


class TrainingCheckpoints(QObject):
    """Where a Train page's trainings checkpoint, and the banner that offers one back."""

    def __init__(self, page: TrainView) -> None:
        super().__init__(page)
        self.page = page
        self.state = page.state
        self.banner = TrainingResumeBanner()
        self.banner.resume_button.clicked.connect(lambda: page.start_training(resume=True))
        self.banner.discard_button.clicked.connect(self.discard)
        self._identity: tuple[Any, str] | None = None  # (the data object, its identity)
        self._mismatch: CheckpointMismatchError | None = None

    def folder(self) -> Path | None:
        """The checkpoint folder of the loaded dataset (None: nothing trainable is loaded)."""
        key = search_key(self.state)
        return None if key is None else Path(self.state.work_folder("checkpoints", key))

    def job_options(self, resume: bool) -> dict[str, Any]:
        """``checkpoint_dir``/``resume`` for the training job about to start."""
        folder = self.folder()
        if folder is None:
            return {}
        return {"checkpoint_dir": str(folder), "resume": bool(resume)}

    def unfinished(self) -> CheckpointInfo | None:
        """The loaded dataset's interrupted training, if its folder holds one."""
        folder = self.folder()
        info = read_checkpoint(folder) if folder is not None else None
        if info is None or info.kind != self.state.kind.name:
            return None
        return info if info.data_id == self._data_id() else None

    def check(self) -> None:
        """Show the banner for an interrupted training of this dataset (nothing training, no
        search chosen); hide it otherwise."""
        st = self.state
        busy = self.page.is_training() or st.training_active
        info = None if busy or st.search is not None else self.unfinished()
        if info is None:
            self.banner.withdraw()
        elif self.banner.info is None or self.banner.info.updated != info.updated:
            self.banner.offer(info)
        else:
            self.banner.label.setText(info.describe())  # "… (12 min ago)" moves on

    def note_error(self, exc: BaseException) -> None:
        """Remember a refused resume (the checkpoint was made with other data or settings)."""
        if isinstance(exc, CheckpointMismatchError):
            self._mismatch = exc

    def after_job(self) -> None:
        """After a refused resume, ask whether to start afresh; Yes trains without resuming
        (the engine then discards the old checkpoint), No keeps it offered."""
        exc, self._mismatch = self._mismatch, None
        if exc is None:
            return
        if self.ask_start_afresh(exc.message):
            self.page.error_banner.dismiss()
            self.page.start_training(resume=False)
        else:
            self.check()

    def ask_start_afresh(self, message: str) -> bool:
        """Yes: train afresh, discarding the interrupted training. Tests replace this."""
        return confirm(
            self.page,
            "Resume training",
            f"{message}\n\nStart a new training with the current settings instead? "
            "The interrupted training is then discarded.",
        )

    def discard(self) -> None:
        clear_checkpoint(self.folder())
        self.banner.withdraw()
        self.page.set_status("Discarded the interrupted training.")

    def _data_id(self) -> str:
        """The loaded dataset's identity (its kind's), worked out once per dataset."""
        st = self.state
        data = st.dataset
        if data is None:
            return ""
        if self._identity is None or self._identity[0] is not data:
            self._identity = (data, st.kind.identity(data))
        return self._identity[1]
