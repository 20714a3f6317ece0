"""Reading the JSON files of a project strictly: the app's one strict reader
(:mod:`core._json_read`), under the names the project modules import."""

from __future__ import annotations

from automl_gui.core.base.json_read import MB, JsonProblem, check_depth, loads, read_json

__all__ = ["MB", "JsonProblem", "check_depth", "loads", "read_json"]
