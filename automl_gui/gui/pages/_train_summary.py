"""The Train page's one-paragraph summary of what Start will do (dataset, model, training or
the AutoML search, device), as rich text."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.units import format_duration
from automl_gui.gui.pages.registry import kind_window
from automl_gui.gui.widgets.search_settings import search_summary

STOP_REASONS = {
    "completed": "completed all epochs",
    "early_stopping": "early stopping",
    "cancelled": "stopped by you",
    "time_budget": "time budget reached",
    "nan": "stopped: loss became NaN",
}


def summary_html(st: Any) -> str:
    """The summary for the state ``st``."""
    if st.dataset is None:
        return "<i>No dataset loaded.</i>"
    if st.kind.file_based:
        parts = _files_parts(st, st.dataset, st.settings())
    else:
        df = st.dataset.df
        parts = [f"<b>Dataset</b> {st.dataset_name} ({len(df):,} rows × {df.shape[1]} columns)"]
        preprocess = st.settings().preprocess
        if st.target and preprocess is not None:
            parts.append(f"<b>Target</b> {st.target} ({st.task})")
            parts.append(f"<b>Features</b> {len(preprocess.feature_columns())}")
        mlp = st.settings().model
        model = "MLP, sized automatically" if mlp.auto else f"MLP {mlp.hidden_units}"
        if st.search is None:  # the search chooses the network
            parts.append(f"<b>Model</b> {model}")
    tr = st.training
    if st.search is not None:
        parts.append(f"<b>AutoML search</b> {search_summary(st.search)}")
    else:
        epochs = f"up to {tr.epochs} epochs" if tr.epochs else "epochs from the data's size"
        refit = ", then refit on all data" if tr.refit else ""
        parts.append(f"<b>Training</b> {tr.optimizer}, lr {tr.learning_rate:g}, {epochs}{refit}")
    plan = st.hardware_plan
    device = getattr(plan, "device_label", None) or ("CPU" if plan is not None else "…")
    parts.append(f"<b>Device</b> {device}")
    return " · ".join(parts)


def start_mode(st: Any) -> tuple[str, str]:
    """What Start will do, said beside it (short: the progress bar shares the row):
    ``("AutoML search: 5:00 budget, up to 20 trials", tip)`` in search mode, else "Trains one
    model"; the tip says it in full and where the mode is chosen. The mode is the state's
    (``st.search``), set on the Model page."""
    cfg = st.search
    if cfg is None:
        return (
            "Trains one model",
            "Start trains one model with the Model page's settings. To let the AutoML search "
            "choose the model, pick “Search for the best model” on the Model page.",
        )
    limits = []
    if cfg.time_budget > 0:
        limits.append(f"{format_duration(cfg.time_budget)} budget")
    if cfg.max_trials > 0:
        limits.append(f"up to {cfg.max_trials} trials")
    budget = ", ".join(limits) or "no limit set"
    return (
        f"AutoML search: {budget}",
        "Start runs an AutoML search: search mode is on (Model page → “Search for the best "
        f"model”). It trains {search_summary(cfg)} and keeps the best. To train one model "
        "instead, pick “Train one model” on the Model page.",
    )


def _files_parts(st: Any, ds: Any, kept: Any) -> list[str]:
    from automl_gui.core.models.registry import MODEL_FAMILIES

    parts = [
        f"<b>Dataset</b> {st.dataset_name} "
        f"({len(ds):,} {st.kind.items}, {len(ds.class_names)} classes)"
    ]
    arch = kept.model.architecture
    model = "Auto" if arch == "auto" else MODEL_FAMILIES.get(arch, {}).get("name", arch)
    if st.search is not None:
        model = "chosen by the search"
    input_parts = kind_window(st.kind).input_parts
    auto = st.auto_architecture  # what Auto picks on this computer, once a page has looked
    auto = MODEL_FAMILIES.get(auto, {}).get("name", auto) if auto else None
    parts += (
        input_parts(ds, kept.preprocess, model, auto=auto)
        if input_parts
        else [f"<b>Model</b> {model}"]
    )
    aug = "on" if st.kind.media(ds, kept.preprocess).augment_active else "off"  # the kind's
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
    page.log_view.setPlainText("\n".join(replay_log(record)))


def replay_log(record: Any) -> list[str]:
    """The epoch log of a kept run, rebuilt from its history as training wrote it (without
    the per-epoch seconds, which the history does not keep), its phases and how it ended."""
    from automl_gui.core.train.callbacks import epoch_line  # Keras-free until a fit

    history = record.history or {}
    n = max((len(v) for v in history.values()), default=0)
    summary = dict(record.summary or {})
    phases = {int(p[1]): str(p[0]) for p in record.phases or [] if len(p) == 2 and int(p[1]) > 0}
    lines = [f"{record.name}: the epochs of the kept run, as saved."]
    for epoch in range(n):
        if epoch in phases:
            lines.append(f"— phase: {phases[epoch]} (from epoch {epoch + 1})")
        logs = {k: float(v[epoch]) for k, v in history.items() if epoch < len(v)}
        logs = {k: v for k, v in logs.items() if v == v}  # NaN: not measured that epoch
        lines.append(epoch_line(epoch, n, logs, 0.0).rsplit(" - ", 1)[0])
    best = summary.get("best_epoch")
    if isinstance(best, int) and 0 <= best < n:
        val_loss = history.get("val_loss") or []
        value = f", val_loss {val_loss[best]:.4g}" if best < len(val_loss) else ""
        reason = STOP_REASONS.get(str(summary.get("stopped_reason", "")), "")
        lines.append(
            f"Training finished: best epoch {best + 1}{value}"
            + (f" ({reason})." if reason else ".")
        )
    return lines


def finished_message(run: Any) -> str:
    """ "Training finished: best epoch 3, val_loss 0.55" for the status bar and the log.
    After a kept refit the best epoch and val_loss are the first model's (the refit has no
    validation rows), and the line says so; a refit tried and dropped is said too."""
    result = run.result
    val_loss = run.history.get("val_loss") or []
    best_val = (
        f", val_loss {val_loss[result.best_epoch]:.4g}"
        if 0 <= result.best_epoch < len(val_loss)
        else ""
    )
    refit = (run.metadata or {}).get("refit") or {}
    refit_kept = bool(refit) and refit.get("kept") != "first"
    whose = "first model's best epoch" if refit_kept else "best epoch"
    message = f"Training finished: {whose} {result.best_epoch + 1}{best_val}"
    if refit_kept:
        message += f"; kept its refit on all data ({refit.get('epochs', '?')} epochs)"
    elif refit:
        message += "; the refit on all data was not kept"
    return message
