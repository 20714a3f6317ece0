"""Pages of the window for image datasets (kind "images", hosted in the same steps as the
table pages), and what the window says about them: ``WINDOW``."""

from __future__ import annotations

from typing import Any

from automl_gui.gui.pages._kind_window import KindWindow, PredictWords, WaysIn


def _details(meta: dict[str, Any], details: list[str]) -> list[str]:
    size = meta.get("image_size")
    return details + [f"{size}×{size} px"] if isinstance(size, int) and size > 0 else details


def _input_parts(_dataset: Any, preprocess: Any, model: str) -> list[str]:
    size = preprocess.image_size
    return [f"<b>Model</b> {model} at {f'{size}px' if size else 'auto size'}"]


WINDOW = KindWindow(
    pages={
        "data": "automl_gui.gui.pages.images.data:ImageDataPage",
        "preprocess": "automl_gui.gui.pages.images.preprocess:ImagePreprocessPage",
        "model": "automl_gui.gui.pages.images.model:ImageModelPage",
        "evaluate": "automl_gui.gui.pages.images.evaluate:ImageEvaluatePage",
    },
    ways_in=WaysIn(
        "Open &Image Folder…",
        "Open a folder of images: one subfolder per class, or train/ val/ test/ folders",
        "Ctrl+Shift+O",
        "Open Image Sam&ple",
        "Open the bundled demo image folder (circles, squares and triangles)",
        "Open sample images",
        "Load the bundled demo image folder (circles, squares, triangles: 120 images)",
        "image",
    ),
    predict=PredictWords(
        files_title="Images",
        open_text="Open images…",
        open_tip="Choose image files to classify (JPEG, PNG, BMP, GIF, WebP)",
        folder_tip="Predict every image in a folder and its subfolders",
        gallery=True,
        details=_details,
    ),
    input_parts=_input_parts,
)
