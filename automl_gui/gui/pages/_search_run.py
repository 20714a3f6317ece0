"""The Train page's AutoML search: the job, the live leaderboard, the budget progress, resume.

:class:`SearchController` belongs to a :class:`~automl_gui.gui.pages.train.TrainPage`. When
``state.search`` is set, Start runs ``core.tune.search.jobs.search`` (every kind of data)
through the page's :class:`JobWorker` (in the engine process when there is one). Trials fill the leaderboard as
they start and end; the running trial's curves are the live plots (reset at each
``TrialStarted``); selecting a row plots that trial's history, selecting the running row goes
back to live. The progress bar shows the time used of the budget (or the trials done).

Each dataset's search lives in ``state.work_folder("search", search_key(state))``: the open
project's ``search/`` folder, else the app's data folder under a hash of the key. A search that
ends normally writes ``finished.json`` there; a folder whose leaderboard holds trials and no
such file (a Stop, a crash, a closed window) is offered back: "Continue the search (N trials
so far)" or "Start afresh".
"""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from automl_gui.core.base.events import BatchEnd, EpochEnd, PhaseChanged, TrialEnded, TrialStarted
from automl_gui.core.base.units import format_duration
from automl_gui.core.tune.search.compare import (  # TensorFlow-free
    baseline_verdict,
    compare_line,
    kept_row,
    kept_words,
)
from automl_gui.core.tune.search.saved import (  # TensorFlow-free
    TRAIN_ON_PHASE,
    finished_records,
    mark_finished,
    read_config,
    saved_best,
    unfinished_trials,
)
from automl_gui.core.tune.search.space import MAXIMIZED, NOT_TRIALS
from automl_gui.gui.dialogs.messages import show_error
from automl_gui.gui.pages._train_view import TrainView
from automl_gui.gui.widgets.banner import ChoiceBanner
from automl_gui.gui.widgets.leaderboard import Leaderboard

TICK_MS = 500


def search_key(state: Any) -> str | None:
    """What identifies a search's folder: the data kind, the dataset and (tables) the target;
    None when nothing searchable is loaded."""
    dataset = state.dataset
    if dataset is None:
        return None
    if state.kind.file_based:
        return f"{state.kind.name}|{Path(dataset.root).resolve()}"
    if not state.target:
        return None
    source = str(Path(dataset.source.path).resolve())
    return f"{state.kind.name}|{source}|{state.target}"


class ResumeBanner(ChoiceBanner):
    """ "An unfinished search …" with Continue and Start afresh buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            (
                "Continue the search",
                "Keep the trials done so far and go on with the same algorithm (Start does "
                "this too); the trial that was interrupted runs again.",
            ),
            ("Start afresh", "Discard the unfinished search and begin a new one."),
            parent,
        )
        self.continue_button, self.afresh_button = self.yes_button, self.no_button
        self.trials = 0

    def offer(self, trials: int) -> None:
        self.trials = trials
        self.continue_button.setText(f"Continue the search ({trials} trials so far)")
        self.show_text(
            f"This dataset has an unfinished AutoML search ({trials} "
            f"trial{'s' if trials != 1 else ''} so far). Continue it, or start afresh?"
        )


class SearchController(QObject):
    """Runs and shows the AutoML search on a Train page."""

    def __init__(self, page: TrainView) -> None:
        super().__init__(page)
        self.page = page
        self.state = page.state
        self.leaderboard = Leaderboard()
        self.leaderboard.trial_selected.connect(self._on_selected)
        self.leaderboard.export_failed.connect(
            lambda title, message, hint: show_error(self.leaderboard, title, message, hint)
        )
        self.resume_banner = ResumeBanner()
        self.resume_banner.continue_button.clicked.connect(lambda: self.start(resume=True))
        self.resume_banner.afresh_button.clicked.connect(lambda: self.start(resume=False))
        self.active = False
        self.config: Any = None
        self.folder: Path | None = None
        self.task = "binary"
        self.stop_requested = False
        self.running_id: str | None = None
        self.live: dict[str, list[float]] = {}
        self.following_live = True
        self.trials_done = 0
        self.started_at = 0.0
        self.phase = ""
        self._epoch_text = ""
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.update_progress)
        self.leaderboard.hide()

    # -- the folder and resume ---------------------------------------------------------------
    def folder_for_state(self) -> Path | None:
        key = search_key(self.state)  # inside the open project, else the app's data folder
        return None if key is None else self.state.work_folder("search", key)

    def check_resume(self) -> None:
        """Offer to continue an unfinished search of this dataset (search on, none running)."""
        folder = None if self.state.search is None else self.folder_for_state()
        trials = 0 if folder is None or self.page.is_training() else unfinished_trials(folder)
        if trials:
            if not self.resume_banner.isVisible() or self.resume_banner.trials != trials:
                self.resume_banner.offer(trials)
        else:
            self.resume_banner.hide()

    # -- start -------------------------------------------------------------------------------
    def start(self, resume: bool | None = None) -> None:
        """Start the search; ``resume`` None: continue when an unfinished one is offered."""
        page, st = self.page, self.state
        reason = page.start_blocker()
        if reason or st.search is None:
            page.error_banner.show_message("Cannot start the search.", reason, "info")
            return
        folder = self.folder_for_state()
        if resume is None:
            resume = self.resume_banner.isVisible() and self.resume_banner.trials > 0
        config = copy.deepcopy(st.search)
        if resume and folder is not None:
            config = self._saved_choice(folder, config)
        self.resume_banner.hide()
        self.config, self.folder = config, folder
        self.stop_requested = False
        self.running_id, self.live, self.following_live = None, {}, True
        self.trials_done, self.phase, self._epoch_text = 0, "trials", ""
        self.leaderboard.clear(maximize=config.direction == "max")
        self._show_board()
        if resume and folder is not None:
            self._show_saved_rows(folder)
        job = self._job(config, folder, resume)
        self.task = st.job_task()
        self.active = True
        page.start_job(job, self.task, config.max_epochs)
        verb = "Continuing" if resume else "Starting"
        page.set_status(f"{verb} the AutoML search…")
        self.started_at = time.monotonic()
        self._timer.start()
        self.update_progress()

    def show_result(self, best: str | None) -> None:
        """The search's result in view: the kept row centred in the board, and the board
        (its header and rows) scrolled into the page when the plots above push it out of a
        short window (the page scrolls; now, and once laid out)."""
        self.leaderboard.scroll_to(best)
        QTimer.singleShot(0, self, self.reveal_board)

    def reveal_board(self) -> None:
        if self.leaderboard.isVisible():
            self.page.scroll.ensureWidgetVisible(self.leaderboard, 0, 0)

    def _show_board(self) -> None:
        """Show the leaderboard (hidden until a search): ~8 rows, half the height stays the
        plots'."""
        if self.leaderboard.isHidden():
            self.leaderboard.show()
            splitter = self.page.splitter
            total = max(sum(splitter.sizes()), 600)
            splitter.setSizes([int(total * 0.47), int(total * 0.41), int(total * 0.12)])

    def show_saved(self, run: Any = None) -> bool:
        """Show the leaderboard of the search saved for this dataset (a reopened project, a
        kept search run made current), the kept trial's row describing the kept model
        (``run``: its project record: history, summary, test metrics; ``kept_row``); False
        when there is none."""
        if self.active:
            return True
        folder = self.folder_for_state()
        if folder is None and self.state.project_path:  # a project opened without its data
            folder = Path(self.state.project_path) / "search"
        try:
            records = [] if folder is None else finished_records(folder)
        except (OSError, ValueError):
            records = []
        if not records:
            return False
        config = read_config_or_none(folder)
        maximize = config is not None and config.get("objective") in MAXIMIZED
        self.leaderboard.clear(maximize=maximize)
        best = saved_best(folder)
        metrics = getattr(run, "metrics", None) or {}
        ours = _kept_test_score(records, {"metrics": metrics})
        records = [
            kept_row(r, run, ours) if r.trial_id == best and run is not None else r for r in records
        ]
        self.leaderboard.model.set_records(records, best)
        self.leaderboard.fit_rows()
        self.trials_done = sum(r.status != "baseline" for r in records)
        self._show_board()
        self.show_result(best)
        return True

    def hide_board(self) -> None:
        """A run that no search chose is shown: its page has no leaderboard."""
        if not self.active:
            self.leaderboard.hide()

    def _saved_choice(self, folder: Path, config: Any) -> Any:
        """A search continues with the algorithm and objective it began with."""
        try:
            saved = read_config(folder)
        except (OSError, ValueError):
            return config
        kept = ("algorithm", "objective", "cross_validation", "folds")
        same = {k: saved[k] for k in kept if k in saved and hasattr(config, k)}
        if any(getattr(config, k) != v for k, v in same.items()):
            self.page.log_view.appendPlainText(
                f"The search continues as it began: {saved.get('algorithm')} on "
                f"{saved.get('objective')}."
            )
        return replace(config, **same)

    def _show_saved_rows(self, folder: Path) -> None:
        try:
            records = finished_records(folder)
        except (OSError, ValueError):
            return
        self.leaderboard.model.set_records(records)
        self.trials_done = len(records)

    def _job(self, config: Any, folder: Path | None, resume: bool) -> Any:
        """The search job (``core.tune.search.jobs.search``) on the state's data and settings,
        copied now; in the engine process when there is one."""
        st = self.state
        kind, kept = st.kind, st.settings()
        dataset = st.job_data()
        settings = (copy.deepcopy(kept.preprocess), copy.deepcopy(kept.model), config)
        training = replace(copy.deepcopy(st.training), epochs=config.max_epochs, time_budget=0.0)
        plan, process = st.hardware_plan, st.engine_process
        where = {"directory": str(folder) if folder else None, "resume": resume}
        where["overwrite"] = not resume

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.jobs.isolated import run_job
            from automl_gui.core.tune.search.jobs import SearchRequest, search

            request = SearchRequest(kind, dataset, *settings, training, plan=plan, **where)
            return run_job(
                search, request, engine_process=process, on_event=on_event, cancel=cancel
            )

        return job

    def stop(self) -> None:
        self.stop_requested = True
        self.page.set_status(
            "Stopping: the running trial ends at its next batch; the best model so far is kept…"
        )

    # -- events (main thread) ----------------------------------------------------------------
    def on_trial(self, event: Any) -> None:
        if not self.active:
            return
        if isinstance(event, TrialStarted):
            self.running_id, self.live, self._epoch_text = event.trial, {}, ""
            self.leaderboard.model.start_trial(event.trial, event.hyperparameters)
            if self.following_live:
                self.page.plots.reset(self.task)
            self.page.set_status(f"Trial {event.trial} is training…")
        elif isinstance(event, TrialEnded):
            record = event.record
            if record.trial_id == self.running_id:
                self.running_id = None
            self.leaderboard.model.upsert(record)
            if record.status not in NOT_TRIALS:  # baselines and the average are not trials
                self.trials_done += 1
        self.update_progress()

    def on_epoch(self, event: EpochEnd) -> None:
        n = len(next(iter(self.live.values()), []))
        for key, value in event.logs.items():
            self.live.setdefault(key, [float("nan")] * n).append(float(value))
        if self.following_live:
            self.page.plots.add_epoch(event)
        self._epoch_text = f"epoch {event.epoch + 1}/{event.epochs}"
        if self.running_id is not None:
            self.leaderboard.model.set_epochs(self.running_id, event.epoch + 1)
        self.update_progress()

    def on_batch(self, event: BatchEnd) -> None:
        if self.following_live:
            self.page.plots.add_batch(event)

    def on_phase(self, event: PhaseChanged) -> None:
        if event.phase != TRAIN_ON_PHASE:
            if self.following_live:
                self.page.plots.mark_phase(event)
            return
        self.phase, self.running_id, self.live = "train on", None, {}
        self.following_live = True
        self.leaderboard.view.selectionModel().clear()
        self.page.plots.reset(self.task)
        self.page.log_view.appendPlainText("— training the kept model on")
        self.page.set_status("Training the best trial's model on…")

    def _on_selected(self, record: Any) -> None:
        plots = self.page.plots
        live = self.active and (record is None or record.trial_id == self.running_id)
        if live:
            self.following_live = True
            plots.load_history(self.live, task=self.task)
            return
        if record is None:
            return
        self.following_live = False
        if record.history:
            plots.load_history(record.history, task=self.task)
            what = f"Showing trial {record.trial_id}'s curves."
        else:
            plots.reset(self.task)
            what = f"{record.trial_id.removeprefix('baseline:')} has no training curves."
        if self.active:
            what += " Click the running trial to follow it live again."
        self.page.set_status(what)

    def update_progress(self) -> None:
        """The bar: time used of the budget (or trials done of the most), ETA, trials done."""
        if not self.active or self.config is None:
            return
        bar, cfg = self.page.progress, self.config
        elapsed = time.monotonic() - self.started_at
        done = f"{self.trials_done} trial{'s' if self.trials_done != 1 else ''} done"
        now = f"trial {self.running_id}" if self.running_id else ""
        if self.phase == "train on":
            now = "training the kept model on"
        if now and self._epoch_text and (self.running_id or self.phase == "train on"):
            now += f" ({self._epoch_text})"
        parts = [p for p in (now, done) if p]
        if cfg.time_budget > 0:
            bar.setRange(0, 1000)
            bar.setValue(round(min(elapsed / cfg.time_budget, 1.0) * 1000))
            left = max(cfg.time_budget - elapsed, 0.0)
            parts.append(
                f"{format_duration(elapsed)} of {format_duration(cfg.time_budget)}"
                f" · ~{format_duration(left)} left"
            )
        elif cfg.max_trials > 0:
            bar.setRange(0, cfg.max_trials)
            bar.setValue(min(self.trials_done, cfg.max_trials))
            eta = ""
            if self.trials_done:
                rest = elapsed / self.trials_done * max(cfg.max_trials - self.trials_done, 0)
                eta = f" · ~{format_duration(rest)} left"
            parts.append(f"{format_duration(elapsed)} elapsed{eta}")
        bar.setFormat(" · ".join(parts))

    # -- the end -----------------------------------------------------------------------------
    def on_finished(self, run: Any) -> None:
        """The search ended with a kept model: leaderboard, curves, log, the state's run."""
        self._end()
        page = self.page
        best = getattr(run, "best_trial", None)
        records = list(getattr(run, "leaderboard", []) or [])
        report = getattr(run, "report", {}) or {}
        kept = short = "no trial"
        if best is not None:  # its row is the kept model (trained on: its epochs, its test)
            row = kept_row(best, run, _kept_test_score(records, report))
            records = [row if r is best else r for r in records]
            kept, short = kept_words(row, best), kept_words(row, best, short=True)
        self.leaderboard.model.set_records(records, best.trial_id if best else None)
        self.leaderboard.fit_rows()  # the baselines the banner names, not below the fold
        self.show_result(best.trial_id if best else None)
        result = run.result
        page.plots.load_history(run.history, task=self.task, best_epoch=result.best_epoch)
        # the core logged "Search done: …"
        comparison = compare_line(records, report).replace(": search ", ": kept model ", 1)
        verdict = baseline_verdict(records, report)
        for line in (comparison, verdict):
            if line:
                page.log_view.appendPlainText(line)
        if self.folder is not None and not self.stop_requested:
            mark_finished(self.folder, best.trial_id if best else None)
        bar = page.progress
        bar.setRange(0, 1)
        bar.setValue(1)
        how = "stopped by you" if self.stop_requested else "done"
        bar.setFormat(f"Search {how}: {self.trials_done} trials, kept {short}")
        message = f"Search {how}: kept {kept}."
        page.set_status(message + " See Evaluate for how it does on the test rows.")
        details = [line for line in (comparison, verdict) if line]
        details.append("Evaluate and Export now use this model; click a row for its curves.")
        page.error_banner.show_message(
            message, "\n".join(details), "warning" if verdict else "success"
        )
        st = self.state
        st.status.emit(message)
        st.training_active = False
        st.set_run(run)
        self.check_resume()

    def on_failed(self) -> None:
        self._end()
        self.page.progress.setFormat("Search failed")

    def on_cancelled(self) -> None:
        """Stopped before any trial finished: there is no model to keep."""
        self._end()
        bar = self.page.progress
        bar.setRange(0, 1)
        bar.setValue(0)
        bar.setFormat("Stopped")
        self.page.set_status("Search stopped before any trial finished: no model was kept.")

    def _end(self) -> None:
        self.active = False
        self.running_id = None
        self.following_live = True
        self._timer.stop()


def read_config_or_none(folder: Path) -> dict[str, Any] | None:
    """The saved search's settings (None when unreadable)."""
    try:
        return read_config(folder)
    except (OSError, ValueError):
        return None


def _kept_test_score(records: list[Any], report: dict[str, Any]) -> float | None:
    """The kept model's test score in the baselines' metric (None without baselines)."""
    metric = next((r.metric_name for r in records if r.status == "baseline"), None)
    value = (report.get("metrics") or {}).get(metric) if metric else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


__all__ = ["SearchController", "mark_finished", "search_key", "unfinished_trials"]
