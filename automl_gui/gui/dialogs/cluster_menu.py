"""The File menu's way to a cluster and back: Export Training Job… (:mod:`.training_job`)
writes the project's training as a job folder; Open Run Folder… (:mod:`.open_run`) brings
the run it wrote into the project's run history."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu


def add_cluster_actions(window: Any, menu: QMenu) -> None:
    """Add both actions to ``menu`` (as ``window.action_export_job`` and
    ``window.action_open_run``); each is enabled, or says why not, when the menu shows."""
    from automl_gui.gui.dialogs.open_run import open_run_action
    from automl_gui.gui.dialogs.training_job import job_action

    window.action_export_job = job_action(window)
    window.action_open_run = open_run_action(window)
    for action in (window.action_export_job, window.action_open_run):
        menu.addAction(action)
        menu.aboutToShow.connect(action.refresh)
