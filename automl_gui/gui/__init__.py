"""The window (PySide6 + pyqtgraph) over the engine in :mod:`automl_gui.core`."""

from automl_gui.gui import _pyside_fix

_pyside_fix.apply()
