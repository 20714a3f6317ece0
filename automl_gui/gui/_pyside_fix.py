"""Guard against PySide6 reference-count bugs that abort the interpreter on Python 3.11.

PySide6 6.12.0 hands back ``None`` from C++ functions that return ``void`` (``setText``,
``setEnabled``, ...) without adding a reference, and drops a reference to ``True``/``False``
when a ``Signal(bool)`` is emitted. Python 3.12+ made these objects immortal, so it does not
matter there; on 3.11 each such call lowers a count by one and, after a few thousand calls,
Python aborts with "none_dealloc"/"bool_dealloc" (a window that updates a label per batch dies
within seconds; test processes die at exit).

:func:`apply` measures whether the bug is present and, only then, gives ``None``, ``True``
and ``False`` counts they cannot exhaust (what 3.12 does). The proper fix is a PySide6
without the bug: 6.11.3 was checked to be fine.
"""

from __future__ import annotations

import sys

_BIG = 1 << 40
_applied = False


def leaks_singletons() -> bool:
    """True when void Qt calls or bool signal emissions lower None's/True's reference count."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        flag = Signal(bool)

    probe = _Probe()
    probe.flag.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(200):
        probe.setObjectName("probe")
        probe.flag.emit(True)
    none_lost = none_before - sys.getrefcount(None)
    true_lost = true_before - sys.getrefcount(True)
    return none_lost > 100 or true_lost > 100


def apply() -> bool:
    """Protect None/True/False when the running PySide6 leaks them; True when applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # these objects are immortal (or not reference counted) here
    if not leaks_singletons():
        return False
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _BIG  # ob_refcnt is the first field
    _applied = True
    return True
