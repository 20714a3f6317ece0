"""What Auto epochs (``TrainConfig.epochs == 0``) become for the loaded folder, before
training starts: the same split, batch and cap the job uses (``core.jobs.files``:
``media.split()``, ``batch_size_for``, ``kind.epochs_for``), said on a file kind's Model
page ("Auto: at most 200 epochs for 210 training images, batches of 16")."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.errors import AutoMLError


def auto_epochs_text(state: Any, kind: Any, training: Any, architecture: str) -> str:
    """The hint for ``kind``'s Model page, "" when the epochs are not Auto or no folder of
    ``kind`` is loaded (or its split cannot be made yet: the Data page says why)."""
    if training.epochs > 0 or state.kind is not kind or not getattr(state.dataset, "items", None):
        return ""  # set by hand, another kind's data, or no files to split
    from automl_gui.core.jobs._files_steps import batch_size_for  # numpy only, no Keras

    preprocess = state.settings(kind).preprocess
    if preprocess is None:
        return ""
    try:
        media = kind.media(state.dataset, preprocess)
        n_train = len(media.split().train)
    except (AutoMLError, ValueError):
        return ""
    if architecture == "auto":  # the Model page's lookup publishes what Auto resolves to
        architecture = state.auto_architecture or kind.auto_model
    plan = state.hardware_plan
    batch = batch_size_for(training, n_train, media.backbone(architecture), plan)
    epochs = kind.epochs_for(n_train, batch)
    return (
        f"Auto: at most {epochs} epochs for {n_train:,} training {media.noun}, batches of "
        f"{batch} (early stopping usually ends sooner)."
    )
