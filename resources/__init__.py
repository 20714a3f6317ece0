"""Icons, the stylesheet and the demo datasets: data, no code.

This top-level folder is installed as the package ``automl_gui.resources`` (``setup.py`` maps
it), so ``importlib.resources.files("automl_gui.resources")`` finds it in an installed wheel.
The app looks files up through ``automl_gui.core.base.resources.resource_path``.
"""
