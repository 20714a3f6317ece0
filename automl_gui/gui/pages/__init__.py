"""One module per step of the window: data, preprocess, model, train, evaluate, predict.

Each page is a ``QWidget`` with class attributes ``name`` and ``title``, built as
``Page(state: AppState, parent=None)``; it may offer ``accept_drop(path) -> bool`` and
``wait_idle(msecs) -> bool``. Pages talk only to :class:`~automl_gui.gui.state.AppState`.
Modules are imported by the main window, not here, to keep ``import`` of one page cheap.
"""
