"""Image Evaluate page: how the trained image classifier did on the held-out test images.

The shared Evaluate page of file classifiers (``pages/_files_evaluate.py``: metric cards,
per-class table, clickable confusion matrix, most confidently wrong, summary, Save report)
with the test images of a cell and the confident mistakes shown as thumbnail galleries, each
with "Show where the model looked" (Grad-CAM overlays of the run's model, computed in the
background: ``widgets/saliency.py``).

Reads ``state.run`` when it is a ``core.jobs.run.Run`` of the image kind;
any other run clears the page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui.pages._files_evaluate import (
    ARCHITECTURE_NAMES,
    TOP_PROBABILITIES,
    FilesEvaluatePage,
    percent,
)
from automl_gui.gui.pages._files_evaluate import prediction_items as gallery_items
from automl_gui.gui.widgets.image_gallery import ImageGallery

GALLERY_TIP = "Hover an image for its path and probabilities; double-click for a larger view."

__all__ = [
    "ARCHITECTURE_NAMES",
    "GALLERY_TIP",
    "TOP_PROBABILITIES",
    "ImageEvaluatePage",
    "gallery_items",
    "percent",
]


class ImageEvaluatePage(FilesEvaluatePage):
    """Shows how the trained image model did on the held-out test images."""

    kind = IMAGES
    noun = "image"
    items_tab = "Images"
    cell_hint = "captions: prediction and confidence, surest first"
    wrong_hint = "surest first: true → predicted, confidence"

    def _make_view(self, *, wrong: bool) -> QWidget:
        # the mistakes get bigger cells: room for "true → predicted NN%"
        gallery = ImageGallery(thumb_size=128) if wrong else ImageGallery()
        gallery.setToolTip(GALLERY_TIP)
        gallery.enable_saliency(lambda: self.run)
        return gallery

    def _show_rows(self, view: QWidget, rows: Any, *, arrow: bool) -> list[Any]:
        assert isinstance(view, ImageGallery)
        items = gallery_items(rows, self.class_names(), arrow=arrow)
        if items:
            view.set_items(items)
        else:
            view.clear()
        return items

    def _model_details(self, meta: dict[str, Any]) -> str:
        size = meta.get("image_size")
        if isinstance(size, (list, tuple)) and len(size) == 2:
            return f"at {size[0]}×{size[1]} px"
        if isinstance(size, int) and size > 0:
            return f"at {size}×{size} px"
        return ""

    @property
    def cell_gallery(self) -> ImageGallery:
        """The gallery of the selected confusion-matrix cell."""
        return self.cell_view  # type: ignore[return-value]

    @property
    def wrong_gallery(self) -> ImageGallery:
        """The gallery of the most confidently wrong test images."""
        return self.wrong_view  # type: ignore[return-value]
