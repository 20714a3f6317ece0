"""Pages of the window for image datasets (kind "images", hosted in the same steps as the
table pages), and what the window says about them: ``WINDOW``."""

from __future__ import annotations

from typing import Any

from automl_gui.gui.pages._kind_window import KindWindow, PredictWords, WaysIn


def _details(meta: dict[str, Any], details: list[str]) -> list[str]:
    size = meta.get("image_size")
    return details + [f"{size}×{size} px"] if isinstance(size, int) and size > 0 else details


# what the Train page's header says a network gets when the image size is Auto
AUTO_SIZES = {
    "Auto": "a pretrained network if its weights are on this computer, else the Compact CNN;"
    " size to suit it",
    "Compact CNN": "size chosen from the images",
    "ResNet50": "224×224 px",
    "InceptionV3": "299×299 px",
}


def _input_parts(_dataset: Any, preprocess: Any, model: str, auto: str | None = None) -> list[str]:
    """The Train page's line on what will be trained: "Compact CNN, 80×80 px", "Auto →
    ResNet50, 224×224 px" once the Model page has found what Auto picks on this computer
    (``auto``), else "Auto: a pretrained network if …" (it said "Model Auto at auto size",
    which told nothing)."""
    size = preprocess.image_size
    network = auto if model == "Auto" and auto else model  # what the size follows
    what = f"{size}×{size} px" if size else AUTO_SIZES.get(network, "size to suit the network")
    sep = ": " if network == "Auto" and not size else ", "
    shown = f"Auto → {auto}" if network != model else model
    return [f"<b>Model</b> {shown}{sep}{what}"]


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
