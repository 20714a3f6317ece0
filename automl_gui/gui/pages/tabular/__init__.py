"""Pages of the window for tables (kind "tabular", the home kind): Data, Preprocess, Model,
Evaluate. Train and Predict are the shared pages; the Data page has its own Open Dataset….
"""

from automl_gui.gui.pages._kind_window import KindWindow

WINDOW = KindWindow(
    pages={
        "data": "automl_gui.gui.pages.tabular.data:DataPage",
        "preprocess": "automl_gui.gui.pages.tabular.preprocess:PreprocessPage",
        "model": "automl_gui.gui.pages.tabular.model:ModelPage",
        "evaluate": "automl_gui.gui.pages.tabular.evaluate:EvaluatePage",
    },
)
