"""The window's shared state: one QObject every page reads and updates.

Pages never talk to each other directly; they change :class:`AppState` through its setters,
and the setters emit signals the other pages listen to. Core objects are held as they are
(LoadedTable, TableProfile, PreprocessConfig, ...), so the GUI adds no parallel model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from automl_gui.core.data.audio import AudioDataset
from automl_gui.core.data.images import ImageDataset
from automl_gui.core.data.schema import DataWarning, LoadedTable, TableProfile
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.space import SearchConfig


class AppState(QObject):
    """Current dataset, settings and results, with change signals."""

    dataset_changed = Signal()  # table/profile replaced (new file loaded or cleared)
    target_changed = Signal()  # target or task changed (preprocess config rebuilt)
    preprocess_changed = Signal()  # user edited preprocessing
    model_changed = Signal()  # user edited model/training settings
    run_started = Signal()
    run_finished = Signal()  # self.run holds the finished run (or None after failure)
    engine_ready_changed = Signal(bool)
    status = Signal(str)  # a short line for the status bar ("Loading data.csv…")
    page_requested = Signal(str)  # ask the window to show a page: "data", "train", ...

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = "tabular"  # "tabular" | "images" | "audio": which pages the steps show
        self.table: LoadedTable | None = None
        self.images: ImageDataset | None = None  # the scanned image folder (kind "images")
        self.image_preprocess = ImagePreprocessConfig()
        self.image_model = ImageModelConfig()
        self.audio: AudioDataset | None = None  # the scanned audio folder (kind "audio")
        self.audio_preprocess = AudioPreprocessConfig()
        self.audio_model = ImageModelConfig(fine_tune_epochs=5)
        # what "auto" resolves to on this computer ("cnn" or a backbone whose weights are
        # here), once the Model page has looked; None until then
        self.auto_architecture: str | None = None
        self.profile: TableProfile | None = None
        self.warnings: list[DataWarning] = []
        self.target: str | None = None
        self.task: str | None = None  # Task value
        self.preprocess: PreprocessConfig | None = None
        self.mlp = MLPConfig()
        self.training = TrainConfig()
        # the AutoML search the Train page runs instead of one model; None: search off. The
        # Model page of the loaded kind installs its own (widgets/search_settings.py) and
        # calls notify_model_changed() when it changes
        self.search: SearchConfig | None = None
        self.run: Any = None  # core.pipeline.TabularRun once trained
        self.training_active = False
        self.engine_ready = False
        self.hardware_plan: Any = None  # core.hardware.HardwarePlan once the engine is ready
        self.engine_process: Any = None  # core.process.EngineProcess that runs training

    # -- setters that notify ----------------------------------------------------------------
    def _replace_dataset(
        self,
        kind: str,
        table: LoadedTable | None = None,
        profile: TableProfile | None = None,
        images: ImageDataset | None = None,
        audio: AudioDataset | None = None,
    ) -> None:
        """What was loaded is replaced (settings are kept); results of the old one go."""
        self.kind = kind
        self.table, self.profile = table, profile
        self.images, self.audio = images, audio
        self.warnings = []
        self.target = self.task = None
        self.preprocess = None
        self.run = None
        # the search setting remembered for this kind (its Model page, once built, installs
        # its own on dataset_changed; the image and audio pages are built on first need)
        from automl_gui.gui import settings as app_settings

        on, search = app_settings.load_search(app_settings.current(), kind)
        self.search = search if on else None
        self.dataset_changed.emit()

    def set_dataset(self, table: LoadedTable | None, profile: TableProfile | None) -> None:
        self._replace_dataset("tabular", table=table, profile=profile)

    def set_image_dataset(self, dataset: ImageDataset | None) -> None:
        """A scanned image folder replaces whatever was loaded (settings are kept)."""
        self._replace_dataset("images", images=dataset)

    def set_audio_dataset(self, dataset: AudioDataset | None) -> None:
        """A scanned audio folder replaces whatever was loaded (settings are kept)."""
        self._replace_dataset("audio", audio=dataset)

    @property
    def has_dataset(self) -> bool:
        return self.table is not None or self.images is not None or self.audio is not None

    def set_target(
        self,
        target: str,
        task: str,
        preprocess: PreprocessConfig,
        warnings: list[DataWarning],
    ) -> None:
        self.target, self.task = target, task
        self.preprocess = preprocess
        self.warnings = list(warnings)
        self.target_changed.emit()

    def notify_preprocess_changed(self) -> None:
        self.preprocess_changed.emit()

    def notify_model_changed(self) -> None:
        self.model_changed.emit()

    def set_run(self, run: Any) -> None:
        self.run = run
        self.run_finished.emit()

    def set_engine_ready(self, ready: bool, plan: Any = None) -> None:
        self.engine_ready = ready
        self.hardware_plan = plan
        self.engine_ready_changed.emit(ready)

    @property
    def dataset_name(self) -> str:
        from pathlib import Path

        if self.images is not None:
            return Path(self.images.root).name
        if self.audio is not None:
            return Path(self.audio.root).name
        if self.table is None:
            return ""
        return Path(self.table.source.path).name
