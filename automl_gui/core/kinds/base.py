"""What differs between kinds of data, in one object: :class:`DataKind`.

Tables, image folders, audio folders and texts are four implementations (``tabular``,
``images``, ``audio``, ``text``). The rest of the engine, the command line and the window
ask the kind: its words, whether its datasets are folders of files, how a path is loaded,
what identifies a dataset, its default settings, how it trains and predicts, what its model
card says. A new kind of data is one more module here (plus its page package in the window).

Importing this module is cheap (no pandas, no TensorFlow): every heavy step imports what it
needs inside the method, so the window can import the kinds at start.
"""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from automl_gui.core.base.resources import resource_path

if TYPE_CHECKING:  # (only the layers below: jobs, bundles and runs look kinds up by name)
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.train.config import TrainConfig

#: ``core.jobs.requests.TrainRequest``, ``core.jobs.run.Run`` and
#: ``core.export.bundle.Bundle``: those modules look kinds up, so they are named here only
TrainRequest = Run = Bundle = Any


_INSTANCES: dict[type, DataKind] = {}


class DataKind(ABC):
    """One kind of data (subclass per kind; one instance each, in the registry).

    Attributes:
        name: the string stored in projects, bundle metadata and checkpoints and typed on the
            command line ("tabular", "images", "audio", "text"). Only the registry compares it.
        title: the kind in a heading ("Table", "Images", "Audio").
        item, items: one example and many ("row"/"rows", "image"/"images", "clip"/"clips").
        dataset_noun: what the user opens ("table", "image folder", "audio folder").
        card_input_word: the input in a model card's title ("table (rows and columns)").
        trained_on: a model's training data in a sentence ("a table", "images", "audio clips").
        model_noun: a model of this kind ("a table model", "an image model", ...).
        input_hint: what to give such a model to predict ("Give it a table (CSV, ...)").
        file_based: datasets are folders (or lists) of files, one example per file; the
            model's inputs are decoded files and bundles keep sample inputs (``samples.npy``).
        extensions: file suffixes of one example (file kinds) or of a dataset file (tables).
        pages: the key the window maps to this kind's page package (core holds no Qt).
        sample: the bundled demo dataset under ``resources/samples``.
        one_file, folder_example: words for a single file of a kind of files given where
            its folder was expected ("an image"; "photos/cat/*.jpg and photos/dog/*.jpg").
    """

    name: ClassVar[str]
    title: ClassVar[str]
    item: ClassVar[str]
    items: ClassVar[str]
    dataset_noun: ClassVar[str]
    #: what the app opens of this kind, for "what can be opened" hints ("a table (CSV …)")
    opens: ClassVar[str]
    card_input_word: ClassVar[str]
    trained_on: ClassVar[str]
    model_noun: ClassVar[str]
    input_hint: ClassVar[str]
    file_based: ClassVar[bool]
    extensions: ClassVar[tuple[str, ...]]
    sample: ClassVar[str]
    one_file: ClassVar[str] = ""
    folder_example: ClassVar[str] = ""

    # -- identity of the kind itself ----------------------------------------------------------
    @property
    def pages(self) -> str:
        """The key of this kind's page package in the window's registry."""
        return self.name

    def __repr__(self) -> str:
        return f"<DataKind {self.name}>"

    def __str__(self) -> str:
        return self.name

    def __new__(cls) -> DataKind:
        """One instance per kind: ``kind is IMAGES`` is how a kind is recognised."""
        instance = _INSTANCES.get(cls)
        if instance is None:
            instance = _INSTANCES[cls] = super().__new__(cls)
        return instance

    def __reduce__(self) -> tuple[type[DataKind], tuple[()]]:
        """Unpickled (a run coming back from the engine process) as this process's own
        instance, so identity holds on both sides."""
        return type(self), ()

    # -- datasets ---------------------------------------------------------------------------
    def claims(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` is a dataset of this kind (what opening it would load)."""
        from automl_gui.core.base.errors import DataError

        try:
            return kind_for_path(path) is self
        except DataError:
            return False

    @abstractmethod
    def claims_file(self, path: Path) -> bool:
        """Whether the single file ``path`` is a dataset of this kind (detection asks the
        kinds of files first: a CSV listing images is an image dataset before a table)."""

    @abstractmethod
    def load(
        self,
        path: str | os.PathLike[str],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Any:
        """Read or scan ``path``: a ``LoadedTable`` for tables, a ``MediaDataset`` for files."""

    @abstractmethod
    def identity(self, dataset: Any) -> str:
        """A short hash naming this dataset's contents (resume and projects compare it)."""

    @abstractmethod
    def size(self, dataset: Any) -> int:
        """How many examples (``items``) ``dataset`` holds."""

    def sample_path(self) -> Path | None:
        """The bundled demo dataset of this kind, or None when it is not installed."""
        path = resource_path("samples", self.sample)
        return path if path.exists() else None

    #: ``load``'s keyword choices beyond the path (text: which columns hold the text and the
    #: label); the command line offers them, a kind without them loads its path as it is
    load_options: ClassVar[tuple[str, ...]] = ()

    # -- settings ---------------------------------------------------------------------------
    #: the settings a project keeps for this kind whatever dataset is loaded (its
    #: ``settings[name]`` parts); a table's preprocessing is built for one table and target,
    #: so a project keeps it beside the target instead
    kept_parts: ClassVar[tuple[str, ...]] = ("preprocess", "model")

    @abstractmethod
    def preprocess_from_dict(self, data: dict[str, Any]) -> Any:
        """This kind's preprocessing settings from their JSON form."""

    @abstractmethod
    def model_from_dict(self, data: dict[str, Any]) -> Any:
        """This kind's model settings from their JSON form."""

    @abstractmethod
    def default_preprocess(self, dataset: Any) -> Any:
        """The automatic preprocessing settings for ``dataset`` (as loaded by :meth:`load`)."""

    @abstractmethod
    def default_model(self) -> Any:
        """Model settings a new dataset of this kind starts with."""

    def default_training(self) -> TrainConfig:
        """Training settings a new dataset of this kind starts with."""
        from automl_gui.core.train.config import TrainConfig

        return TrainConfig()

    def epochs_for(self, n_train: int, batch_size: int) -> int:
        """The most epochs of a training whose epochs were left at Auto (``TrainConfig.epochs
        = 0``) on ``n_train`` training examples in batches of ``batch_size``. Early stopping
        usually ends it sooner. Here a fixed 100 (a table's epochs are cheap); the file kinds
        scale it with the data (``kinds.images.FilesKind``)."""
        from automl_gui.core.train.config import TrainConfig

        return TrainConfig().epochs

    #: what "auto" resolves to before training (``models.registry.resolve``): a family, or
    #: "auto" when the job decides (from the weights on this computer and the device)
    auto_model: ClassVar[str] = "auto"
    #: the model families (``models.registry.MODEL_FAMILIES``) this kind can train
    model_families: ClassVar[tuple[str, ...]]

    def search_epochs(self) -> int | None:
        """A search trial's most epochs by default (None: the search's own, ``SearchConfig``)."""
        return None

    def auto_architecture_note(self) -> str:
        """How "Auto" chooses the network, in a sentence (Model pages, ``--help``)."""
        return "Auto chooses the network from the data."

    #: what the AutoML search chooses for this kind and what stays fixed, in a sentence or two
    #: (the search settings' note)
    search_note: ClassVar[str]

    # -- jobs -------------------------------------------------------------------------------
    @abstractmethod
    def train(
        self,
        request: TrainRequest,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Run:
        """Train, evaluate and describe a model (``core.jobs.train`` calls this)."""

    def predict(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Any:
        """A DataFrame of answers for new data (a frame for tables, paths for files).

        Raises:
            DataError: ``bundle`` was trained on another kind (:meth:`check_bundle`).
        """
        self.check_bundle(bundle)
        frame = self._answer(bundle, data, on_event=on_event, cancel=cancel)
        from automl_gui.core.trust.thresholds import apply_threshold

        return apply_threshold(frame, bundle.metadata)  # a binary model's chosen threshold

    # -- trust (issue 18: ``core/trust``) -----------------------------------------------------
    def explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None = None,
        out_dir: str | os.PathLike[str] | None = None,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Any:
        """Why ``bundle`` answers as it does on ``data`` (what :meth:`predict` takes; a
        table with its target column for importance): a ``core.trust.explanation.Explanation``.
        ``rows`` caps the items explained; ``out_dir`` (already checked by the caller) gets the
        kind's files (``importance.csv``, or ``explanations.csv`` and one PNG per file).

        Raises:
            DataError: ``bundle`` was trained on another kind, or ``data`` cannot be explained.
        """
        self.check_bundle(bundle)
        return self._explain(
            bundle, data, rows=rows, out_dir=out_dir, on_event=on_event, cancel=cancel
        )

    @abstractmethod
    def _explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None,
        out_dir: str | os.PathLike[str] | None,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """:meth:`explain` for a bundle already checked to be of this kind."""

    def drift(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Any:
        """How far ``data`` (what :meth:`predict` takes) is from what ``bundle`` trained on: a
        ``core.trust.drift.DriftReport``, or None for a model saved without a reference."""
        self.check_bundle(bundle)
        return self._drift(bundle, data, on_event=on_event, cancel=cancel)

    @abstractmethod
    def _drift(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """:meth:`drift` for a bundle already checked to be of this kind."""

    def typed(self, texts: list[str]) -> Any:
        """What :meth:`predict` takes for texts typed or pasted (a text model's raw strings).

        Raises:
            ConfigError: this kind's models take no typed text.
        """
        from automl_gui.core.base.errors import ConfigError

        raise ConfigError(
            f"Typed text is for text models; this is {self.model_noun}.", f"{self.input_hint}."
        )

    @abstractmethod
    def _answer(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """:meth:`predict` for a bundle already checked to be of this kind."""

    def check_bundle(self, bundle: Bundle) -> None:
        """DataError when ``bundle`` was not trained on this kind (the message says on what)."""
        from automl_gui.core.base.errors import DataError

        trained: DataKind = bundle.kind
        if trained is self:
            return
        raise DataError(
            f"This model was trained on {trained.trained_on}, not on {self.trained_on}.",
            f"{trained.input_hint}, or choose {self.model_noun}.",
        )

    # -- what a bundle holds and says -------------------------------------------------------
    @property
    def required_metadata(self) -> tuple[str, ...]:
        """Metadata keys a bundle of this kind cannot be used without (checked on load)."""
        return ("class_names",)

    @abstractmethod
    def model_card_input(self, metadata: dict[str, Any]) -> str:
        """What the model takes, in a sentence (the model card's "Input" and usage text)."""

    @abstractmethod
    def model_card_serving(self, metadata: dict[str, Any]) -> str:
        """How to call an exported SavedModel's ``serve`` signature."""

    def model_card_architecture(self, metadata: dict[str, Any]) -> list[str]:
        """Model-card lines describing the network beyond its name."""
        return []

    def model_card_data(self, metadata: dict[str, Any]) -> list[str]:
        """Model-card lines of this kind under "Data" (a table's columns and target)."""
        return []

    #: the export check's inputs in a sentence ("sample rows", "sample images", ...)
    sample_words: ClassVar[str]
    #: the whole model's serving input: (shape, name) of one float32 tensor; None for a
    #: table model (one input per column, from its input schema)
    serving_input: ClassVar[tuple[tuple[int | None, ...], str] | None] = None
    #: the SavedModel serves inputs of any length (audio), not the traced model's spec
    serves_any_length: ClassVar[bool] = False

    @abstractmethod
    def export_input(self, metadata: dict[str, Any]) -> tuple[str, str]:
        """(what an exported model takes, in a phrase; what the reload check compares it on,
        one plural word) for a model with bundle ``metadata`` (the Export dialog's intro)."""

    def empty_samples(self, metadata: dict[str, Any]) -> Any:
        """No sample inputs, in the shape the model takes (file kinds)."""
        raise NotImplementedError(f"{self.name} models check their exports on sample rows")

    @property
    def exports_whole(self) -> bool:
        """TFLite and ONNX take the whole model (False: tables convert from encoded inputs
        on, because their string lookups fit neither runtime)."""
        return self.file_based


# -- the registry -------------------------------------------------------------------------------
#: name → "module:instance" of every kind, in the order the app offers them. The kinds'
#: modules are imported on the first lookup (as a plugin registry does): their methods use
#: the whole engine, whose bundles, runs and projects look kinds up by name.
_REGISTRY: dict[str, str] = {
    "tabular": "automl_gui.core.kinds.tabular:TABULAR",
    "images": "automl_gui.core.kinds.images:IMAGES",
    "audio": "automl_gui.core.kinds.audio:AUDIO",
    "text": "automl_gui.core.kinds.text:TEXT",
}
_loaded: dict[str, DataKind] = {}


def kind_names() -> tuple[str, ...]:
    """Every kind's name (the strings stored in projects, bundles and on the command line)."""
    return tuple(_REGISTRY)


def all_kinds() -> tuple[DataKind, ...]:
    """Every kind, in the order the app offers them."""
    return tuple(kind_named(name) for name in _REGISTRY)


def kind_named(name: str) -> DataKind:
    """The kind stored or typed as ``name``.

    Raises:
        ConfigError: no kind has that name (the message lists those that do).
    """
    kind = _loaded.get(name)
    if kind is not None:
        return kind
    target = _REGISTRY.get(name) if isinstance(name, str) else None
    if target is None:
        from automl_gui.core.base.errors import ConfigError

        raise ConfigError(
            f"Unknown kind of data '{name}'.",
            f"Use one of: {', '.join(_REGISTRY)} (it may come from a newer version of the app).",
        )
    module, attribute = target.split(":")
    kind = getattr(importlib.import_module(module), attribute)
    _loaded[name] = kind
    return kind


def kind_for_path(path: str | os.PathLike[str]) -> DataKind:
    """The kind of dataset ``path`` holds (a table file, a folder of images or of clips):
    each kind is asked what it claims (``core.data.detect``).

    Raises:
        DataError: the path does not exist or holds nothing the app can train on (the
            message says what it is, the hint what would work).
    """
    from automl_gui.core.data.detect import detect

    return detect(path, all_kinds())
