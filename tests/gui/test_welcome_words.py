"""The welcome panel's sample buttons say what the File menu says (issue 15 follow-up): the
panel offered "Open sample dataset" where the menu has "Open Table Sample", so a user told
to use one could not find it in the other."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from automl_gui.gui.main_window import MainWindow


def test_welcome_buttons_use_the_file_menus_words(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(window)
    page = window.data_page

    def menu_words(action) -> str:
        return action.text().replace("&", "")

    assert page.sample_button.text() == menu_words(window.action_open_sample)
    assert page.sample_button.text() == "Open Table Sample"
    assert set(page.sample_buttons) == set(window.sample_actions)
    for key, button in page.sample_buttons.items():
        assert button.text() == menu_words(window.sample_actions[key])
