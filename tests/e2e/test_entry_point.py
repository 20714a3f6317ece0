"""`automl-gui DATASET` and `automl-gui PROJECT_FOLDER` open the window with that path, as the
README shows (they used to fail with "invalid choice"); subcommands and unknown words stay the
command line's. The console script is `automl_gui.__main__:main`, called here in-process."""

from __future__ import annotations

import pytest

import automl_gui.__main__ as entry


@pytest.fixture
def opened(monkeypatch):
    """What the window was asked to open (run_app replaced: no window, no event loop)."""
    calls: list[list[str]] = []

    def run_app(argv):
        calls.append(list(argv))
        return 0

    monkeypatch.setattr("automl_gui.gui.app.run_app", run_app)
    return calls


def test_a_dataset_or_a_project_folder_opens_the_window_with_it(opened, tmp_path, monkeypatch):
    table = tmp_path / "data.csv"
    table.write_text("a,b\n1,2\n")
    project = tmp_path / "my project"
    project.mkdir()
    assert entry.main([str(table)]) == 0
    assert entry.main([str(project)]) == 0
    monkeypatch.chdir(tmp_path)
    assert entry.main(["my project"]) == 0  # a folder in the current one, no separator
    assert entry.main(["missing.csv"]) == 0  # reads as a path: the window says it is missing
    assert entry.main(["gui", str(table)]) == 0
    assert entry.main([]) == 0
    assert opened == [
        [str(table)],
        [str(project)],
        ["my project"],
        ["missing.csv"],
        [str(table)],
        [],
    ]


def test_subcommands_and_unknown_words_stay_the_command_lines(
    opened, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train").mkdir()  # a folder named like a subcommand does not hide it
    assert not entry.opens_window(["train", "data.csv"])
    assert not entry.opens_window(["--help"])
    with pytest.raises(SystemExit) as raised:
        entry.main(["trian", "data.csv"])
    assert raised.value.code == 2 and "invalid choice: 'trian'" in capsys.readouterr().err
    assert opened == []


def test_help_shows_how_to_open_the_window_with_a_path():
    """The README's 'automl-gui DATASET' form is in --help too (it only said 'Without a
    command, opens the window')."""
    from automl_gui.cli import build_parser

    text = " ".join(build_parser().format_help().split())
    assert "automl-gui DATASET" in text and "automl-gui PROJECT_FOLDER" in text
