"""The sentences a media scan tells the user (``MediaDataset.notices``), and the summary of
its bad files ("2 truncated, 1 not an image")."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from automl_gui.core.base.errors import DataError
from automl_gui.core.data._file_guard import shown

_SPLIT_ORDER = ("train", "validation", "test")
_EXAMPLES = 3  # links or paths named in a notice


def article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def summary(bad: Iterable[Any]) -> str:
    """'2 truncated, 1 not an image': counts of the reasons' first words."""
    counts = Counter(b.reason.split(":")[0].split(" (")[0] for b in bad)
    return ", ".join(f"{n:,} {reason}" for reason, n in counts.most_common())


def scan_notices(
    media: Any,
    layout: str,
    found_notices: list[str],
    declared: set[str],
    items: list[Any],
    bad: list[Any],
    ignored: tuple[int, int, int],
) -> list[str]:
    """The scan's notices: the split used, what listing found (``found_notices``), classes
    left without usable files, bad files, ``ignored`` = (hidden, other, renamed) counts."""
    m = media
    hidden, other, renamed = ignored
    notices: list[str] = []
    if layout == "split_folders":
        per_split = Counter(i.split for i in items)
        parts = [f"{per_split[s]:,} {s}" for s in _SPLIT_ORDER if per_split[s]]
        notices.append("Using the folder's own split: " + ", ".join(parts) + ".")
    notices.extend(found_notices)
    dropped = sorted(declared - {i.label for i in items})
    if len(dropped) <= 5:
        notices.extend(f"Class '{c}' has no usable {m.plural} and was left out." for c in dropped)
    else:
        listed = ", ".join(f"'{c}'" for c in dropped[:5])
        notices.append(
            f"{len(dropped):,} classes have no usable {m.plural} and were left out: {listed} …"
        )
    if bad:
        notices.append(
            f"{len(bad):,} file(s) could not be used and were left out ({summary(bad)})."
        )
    if hidden or other:
        parts = []
        if hidden:
            parts.append(f"{hidden:,} hidden file(s)")
        if other:
            parts.append(f"{other:,} file(s) that are {m.not_media}")
        notices.append("Ignored " + " and ".join(parts) + ".")
    if renamed:
        notices.append(
            f"{renamed:,} {m.noun}(s) have an extension that does not match their format "
            f"(e.g. {m.renamed_example}); they are read by their content."
        )
    return notices


def link_notices(walker: Any, plural: str) -> list[str]:
    """What the walk did with links (``Walker.links_inside`` / ``links_outside``)."""
    notices: list[str] = []
    if walker.links_inside:
        n = len(walker.links_inside)
        notices.append(
            f"{n:,} link(s) point to a folder already in the dataset (or to a folder "
            f"holding it) and were not followed, so no {plural.removesuffix('s')} is counted "
            f"twice or under another class: {_pairs(walker.links_inside)}."
        )
    if walker.links_outside:
        n = len(walker.links_outside)
        notices.append(
            f"{n:,} link(s) lead outside the dataset's folder and were followed: "
            f"{_pairs(walker.links_outside)}. The {plural} found through them take their "
            "class from where the link is, and are never stored as samples in a model bundle."
        )
    return notices


def linked_twice_notices(
    conflicts: list[tuple[Any, Any]], repeats: int, walker: Any, noun: str, layout: str
) -> list[str]:
    """What ``_media_files.drop_linked_twice`` left out: links to a file already in the
    dataset under another class (or split), and links repeating one in the same place."""
    notices: list[str] = []
    if conflicts:
        other = "another class or split" if layout == "split_folders" else "another class"
        listed = ", ".join(
            f"'{walker.relative(link[0])}' → '{walker.relative(kept[0])}' (class '{kept[1]}')"
            for link, kept in conflicts[:_EXAMPLES]
        )
        more = " …" if len(conflicts) > _EXAMPLES else ""
        notices.append(
            f"{len(conflicts):,} file link(s) lead to {article(noun)} already in the dataset "
            f"under {other} and were left out, so no {noun} is used twice with different "
            f"roles: {listed}{more}."
        )
    if repeats:
        notices.append(
            f"{repeats:,} file link(s) lead to {article(noun)} already listed in the same "
            f"class; each {noun} was counted once."
        )
    return notices


def csv_outside_notice(paths: list[str], folder: str, plural: str) -> str:
    """The notice for a CSV naming files outside its own folder."""
    shown_paths = ", ".join(f"'{shown(p)}'" for p in paths[:_EXAMPLES])
    more = " …" if len(paths) > _EXAMPLES else ""
    return (
        f"{len(paths):,} {plural} named in the CSV lie outside its folder "
        f"'{shown(os.path.basename(folder) or folder)}' ({shown_paths}{more}). They are used, "
        f"but a model bundle stores sample {plural} only from files inside that folder."
    )


def _pairs(pairs: list[tuple[str, str]]) -> str:
    listed = ", ".join(f"'{link}' → '{target}'" for link, target in pairs[:_EXAMPLES])
    return listed + (" …" if len(pairs) > _EXAMPLES else "")


# -- the scan's errors ------------------------------------------------------------------------
def raise_none_found(media: Any, walker: Any, root: str, found: Any) -> None:
    """DataError for a folder where no file is in a class folder (``found``: what the walk
    found, with ``loose``)."""
    m = media
    name = shown(os.path.basename(root))
    if found.loose:
        raise DataError(
            f"The {found.loose:,} {m.noun}(s) in '{name}' are not sorted into classes "
            f"(no class subfolders hold {m.plural}).",
            f"Put the {m.plural} of each class in its own subfolder ({m.example}), or open "
            f"a CSV file that names each {m.noun} and its class.",
        )
    what = []
    if walker.other:
        what.append(f"{walker.other:,} other file(s)")
    if walker.hidden:
        what.append(f"{walker.hidden:,} hidden file(s)")
    held = f" (only {' and '.join(what)})" if what else ""
    exts = m.shown_extensions
    listed = exts[0] if len(exts) == 1 else ", ".join(exts[:-1]) + " or " + exts[-1]
    raise DataError(
        f"The folder '{name}' holds no {m.plural}{held}.",
        f"Open a folder with one subfolder per class holding {listed} {m.plural} ({m.example}).",
    )


def require_two_classes(
    media: Any,
    classes: set[str],
    found: Any,
    root: str,
    label_column: str | None,
    *,
    usable: bool,
    bad: list[Any] | None = None,
) -> None:
    """DataError unless ``classes`` holds two or more (``found.candidates``: (path, label,
    split) of every file listed; ``usable``: counted after checking)."""
    if len(classes) >= 2:
        return
    m = media
    name = shown(os.path.basename(root))
    if label_column:
        fix = (
            "A classifier needs at least two classes: check that the column "
            f"'{label_column}' holds each {m.noun}'s class."
        )
    else:
        fix = (
            f"A classifier needs at least two classes: put the {m.plural} of each class in "
            f"its own subfolder ({m.example})."
        )
    if not classes:  # only reachable after checking: every file was bad
        raise DataError(
            f"None of the {len(found.candidates):,} {m.plural} in '{name}' can be used "
            f"({summary(bad or [])}).",
            "Replace or remove the broken files (each is listed with its reason), or open "
            "another dataset.",
        )
    (only,) = classes
    n = sum(1 for c in found.candidates if c[1] == only)
    what = f"usable {m.noun}(s)" if usable else f"{m.noun}(s)"
    raise DataError(f"Only one class was found in '{name}': '{only}' ({n:,} {what}).", fix)
