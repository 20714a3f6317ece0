"""The networks of the Model pages of files, in words, and their pretrained weights: where
each backbone's weights are on this computer (looked up in a worker), how that reads, and the
dialogs that choose a file or a folder (tests replace them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from automl_gui.core.models.image_config import BACKBONES
from automl_gui.gui.format import rough_megabytes
from automl_gui.gui.widgets.banner import muted_label

NAMES = {"auto": "Auto", "cnn": "Compact CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}
ARCHITECTURES = [
    ("auto", "Auto"),
    ("cnn", "Compact CNN (from scratch)"),
    ("resnet50", "ResNet50 (pretrained)"),
    ("inceptionv3", "InceptionV3 (pretrained)"),
]
EXPLAIN = {
    "auto": "ResNet50 (or else InceptionV3) when its pretrained weights are on this computer, "
    "otherwise the Compact CNN: no download needed.",
    "cnn": "A small convolutional network trained from scratch, sized to the images and the "
    "dataset: needs no weights, best with many images of simple things.",
    "resnet50": "A 50-layer network pretrained on ImageNet, fine-tuned to your classes: very "
    "accurate even with few images; 224 px inputs.",
    "inceptionv3": "Google's Inception network pretrained on ImageNet: a little slower than "
    "ResNet50, 299 px inputs, good on fine detail.",
}
PHASES = (
    "Pretrained networks train in two phases: (1) a new head for your classes on the frozen "
    "network (the “Head / CNN epochs” on the right), (2) fine-tuning of the top layers at a "
    "lower learning rate. The live plots mark where phase 2 starts."
)


def ask_weights_file(parent: QWidget | None, start: str) -> str:
    """Ask for a weights file (blocking); "" when cancelled. Tests monkeypatch this."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Choose the pretrained weights file", start, "Keras weights (*.h5);;All files (*)"
    )
    return path


def ask_weights_folder(parent: QWidget | None, start: str) -> str:
    """Ask for a folder (blocking); "" when cancelled. Tests monkeypatch this."""
    return QFileDialog.getExistingDirectory(parent, "Folder with pretrained weights", start)


def short_path(path: str | Path) -> str:
    """``path`` with the home folder written as ~ (shorter, and no user name on screen)."""
    p, home = Path(path), Path.home()
    try:
        return str(Path("~") / p.relative_to(home))
    except ValueError:
        return str(p)


def lookup_weights(folder: str) -> dict[str, dict[str, Any]]:
    """For each backbone: ``path`` found (or None), ``size_bytes`` and ``error`` (a message).

    Runs in a worker: :func:`find_weights` verifies checksums of ~100 MB files.
    """
    from automl_gui.core.base.errors import describe
    from automl_gui.core.base.events import Log
    from automl_gui.core.models import weights

    try:
        specs = weights.manifest()
    except Exception:  # noqa: BLE001 - only the download size is missing then
        specs = {}
    out: dict[str, dict[str, Any]] = {}
    for arch in BACKBONES:
        spec = specs.get(arch)
        skipped: list[str] = []  # copies with a wrong checksum or unreadable
        entry: dict[str, Any] = {"path": None, "error": "", "skipped": skipped}
        entry["size_bytes"] = getattr(spec, "size_bytes", None)

        def on_event(event: Any, skipped: list[str] = skipped) -> None:
            if isinstance(event, Log) and event.level == "warning":
                skipped.append(event.message)

        try:
            found = weights.find_weights(arch, folder or None, on_event=on_event)
            entry["path"] = str(found) if found is not None else None
        except Exception as exc:  # noqa: BLE001 - shown beside the backbone
            entry["error"] = describe(exc)[0]
        out[arch] = entry
    return out


def status_text(entry: dict[str, Any] | None, allow_download: bool) -> str:
    """One line for a backbone's weights ("✓ found: …", "not on this computer: …")."""
    if entry is None:
        return "checking…"
    if entry.get("error"):
        return f"could not check: {entry['error']}"
    if entry.get("path"):
        return f"✓ found: {short_path(entry['path'])}"
    size = entry.get("size_bytes")
    size_text = f" ({rough_megabytes(size)})" if size else ""
    skipped = entry.get("skipped") or []
    where = "no good copy here" if skipped else "not on this computer"
    if allow_download:
        text = f"{where}: will be downloaded{size_text} when training starts"
    else:
        text = f"{where}, and downloading is off: choose the file or a folder"
    if skipped:
        text += f" ({len(skipped)} damaged cop{'y' if len(skipped) == 1 else 'ies'} skipped)"
    return text


def build_weights_box(page: Any) -> QGroupBox:
    """The "Pretrained weights" box of a Model page of files: each backbone's status, the
    user's own file and folder, and downloading. Its controls become attributes of ``page``
    (``status_labels``, ``file_label``, ``choose_button``, ...) wired to its methods
    (``choose_file``, ``clear_file``, ``choose_folder``, ``clear_folder``, ``check_weights``)."""
    page.status_labels = {}
    weights_box = QGroupBox("Pretrained weights")
    wform = QFormLayout(weights_box)
    for arch in BACKBONES:
        label = QLabel("checking…")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page.status_labels[arch] = label
        wform.addRow(NAMES[arch], label)
    page.file_label = muted_label()
    page.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    page.choose_button = QPushButton("Choose weights file…")
    page.choose_button.setToolTip(
        "Use a weights file you have (an include_top=False .h5 file for the chosen "
        "network), e.g. one downloaded on another computer."
    )
    page.choose_button.clicked.connect(page.choose_file)
    page.clear_file_button = QPushButton("Clear")
    page.clear_file_button.setToolTip("Stop using the chosen file: look the weights up again.")
    page.clear_file_button.clicked.connect(page.clear_file)
    file_row = QHBoxLayout()
    file_row.addWidget(page.choose_button)
    file_row.addWidget(page.clear_file_button)
    file_row.addStretch(1)
    page.folder_label = muted_label()
    page.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    page.folder_button = QPushButton("Weights folder…")
    page.folder_button.setToolTip(
        "A folder searched first for the weights files (e.g. a shared drive), before "
        "models/pretrained/ and the Keras cache."
    )
    page.folder_button.clicked.connect(page.choose_folder)
    page.clear_folder_button = QPushButton("Clear")
    page.clear_folder_button.setToolTip("Search only models/pretrained/ and the Keras cache.")
    page.clear_folder_button.clicked.connect(page.clear_folder)
    page.recheck_button = QPushButton("Check again")
    page.recheck_button.setToolTip("Look for the weights files again (after copying one).")
    page.recheck_button.clicked.connect(page.check_weights)
    folder_row = QHBoxLayout()
    folder_row.addWidget(page.folder_button)
    folder_row.addWidget(page.clear_folder_button)
    folder_row.addStretch(1)
    folder_row.addWidget(page.recheck_button)
    page.download_check = QCheckBox("Download when missing")
    page.download_check.setToolTip(
        "Download missing weights from the Keras servers when training starts (with a "
        "progress bar; the checksum is verified and the file cached for next time)."
    )
    wform.addRow("Your file", page.file_label)
    wform.addRow("", file_row)
    wform.addRow("Folder", page.folder_label)
    wform.addRow("", folder_row)
    wform.addRow("", page.download_check)
    return weights_box
