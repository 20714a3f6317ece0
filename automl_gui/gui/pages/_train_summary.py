"""The Train page's one-paragraph summary of what Start will do (dataset, model, training or
the AutoML search, device), as rich text."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.units import format_duration
from automl_gui.gui.widgets.search_settings import search_summary

STOP_REASONS = {
    "completed": "completed all epochs",
    "early_stopping": "early stopping",
    "cancelled": "stopped by you",
    "time_budget": "time budget reached",
    "nan": "stopped: loss became NaN",
}

# kind → (the pipeline module, its train function, words for the summary and messages)
MEDIA_JOBS = {
    "images": ("automl_gui.core.images_pipeline", "train_images", "image", "images"),
    "audio": ("automl_gui.core.audio_pipeline", "train_audio", "audio", "clips"),
}


def summary_html(st: Any, media: tuple[Any, Any, Any]) -> str:
    """The summary for the state ``st``; ``media`` is the loaded folder's (dataset, preprocess
    config, model config), used for image and audio folders."""
    if st.kind in MEDIA_JOBS and media[0] is not None:
        parts = _media_parts(st, *media)
    elif st.table is None:
        return "<i>No dataset loaded.</i>"
    else:
        df = st.table.df
        parts = [f"<b>Dataset</b> {st.dataset_name} ({len(df):,} rows × {df.shape[1]} columns)"]
        if st.target and st.preprocess is not None:
            feats = st.preprocess.feature_columns()
            parts.append(f"<b>Target</b> {st.target} ({st.task})")
            parts.append(f"<b>Features</b> {len(feats)}")
        mlp = st.mlp
        model = "MLP, sized automatically" if mlp.auto else f"MLP {mlp.hidden_units}"
        if st.search is None:  # the search chooses the network
            parts.append(f"<b>Model</b> {model}")
    tr = st.training
    if st.search is not None:
        parts.append(f"<b>AutoML search</b> {search_summary(st.search)}")
    else:
        parts.append(
            f"<b>Training</b> {tr.optimizer}, lr {tr.learning_rate:g}, up to {tr.epochs} epochs"
        )
    plan = st.hardware_plan
    device = getattr(plan, "device_label", None) or ("CPU" if plan is not None else "…")
    parts.append(f"<b>Device</b> {device}")
    return " · ".join(parts)


def _media_parts(st: Any, ds: Any, preprocess: Any, model_config: Any) -> list[str]:
    from automl_gui.core.models.registry import MODEL_FAMILIES

    items = MEDIA_JOBS[st.kind][3]
    parts = [
        f"<b>Dataset</b> {st.dataset_name} ({len(ds):,} {items}, {len(ds.class_names)} classes)"
    ]
    arch = model_config.architecture
    model = "Auto" if arch == "auto" else MODEL_FAMILIES.get(arch, {}).get("name", arch)
    if st.search is not None:
        model = "chosen by the search"
    if st.kind == "audio":
        from automl_gui.core.preprocess.audio import auto_clip_seconds

        clip = f"{preprocess.clip_seconds:g} s"
        if not preprocess.clip_seconds:
            clip = f"{auto_clip_seconds(ds.durations()):g} s (auto)"
        bands = f"{preprocess.n_mels} bands" if preprocess.features == "log-mel" else ""
        bands = bands or f"{preprocess.n_mfcc} coefficients"
        parts.append(f"<b>Model</b> {model}")
        parts.append(
            f"<b>Clips</b> {preprocess.sample_rate / 1000:g} kHz, {clip}, "
            f"{preprocess.features} ({bands})"
        )
    else:
        size = preprocess.image_size
        parts.append(f"<b>Model</b> {model} at {f'{size}px' if size else 'auto size'}")
    aug = "on" if preprocess.augment.active else "off"
    parts.append(f"<b>Augmentation</b> {aug}")
    return parts


def replay_run(page: Any, record: Any) -> None:
    """Show a kept run (a core.project.RunRecord) on the Train page ``page``: its curves,
    phase lines and best epoch, and "Done: N epochs in …" as when it had just finished."""
    from automl_gui.core.base.events import PhaseChanged

    summary = dict(record.summary or {})
    best = summary.get("best_epoch")
    page.plots.load_history(
        record.history or {}, task=record.task or None, best_epoch=best if best != -1 else None
    )
    for phase in record.phases or []:
        if len(phase) == 2 and int(phase[1]) > 0:  # the first phase starts the plot itself
            page.plots.mark_phase(PhaseChanged(str(phase[0]), int(phase[1])))
    epochs = int(summary.get("epochs_run") or len(next(iter(record.history.values()), [])))
    reason = STOP_REASONS.get(str(summary.get("stopped_reason", "")), summary.get("stopped_reason"))
    page.progress.setRange(0, 1)
    page.progress.setValue(1)
    done = f"Done: {epochs} epochs in {format_duration(summary.get('seconds'), unknown='?')}"
    page.progress.setFormat(f"{done} ({reason})" if reason else done)
    page.status_label.setText(f"Showing {record.name} (kept run).")
