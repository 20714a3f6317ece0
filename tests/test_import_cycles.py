"""No two modules of the package import each other, however indirectly.

A cycle means neither module can be understood, tested or moved without the other, and
imports inside functions only hide it until someone calls them in the other order: they count
here too. Imports under ``if TYPE_CHECKING:`` do not run, so they do not count. The graph is
grimp's, the library behind the import contracts that ``lint-imports`` checks.
"""

from __future__ import annotations

import grimp
import pytest


def _import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("automl_gui", exclude_type_checking_imports=True, cache_dir=None)
    return {
        module: graph.find_modules_directly_imported_by(module) - {module}
        for module in graph.modules
    }


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of more than one module that all reach each other (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    edges = [
        f"    {source} -> {target}"
        for source in component
        for target in sorted(graph[source] & members)
    ]
    return f"  {len(component)} modules: {', '.join(component)}\n" + "\n".join(edges)


def test_the_finder_reports_cycles_and_only_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert strongly_connected_components(graph) == [["a", "b", "c"]]
    assert strongly_connected_components({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycles():
    graph = _import_graph()
    cycles = strongly_connected_components(graph)
    report = "\n".join(_describe(component, graph) for component in cycles)
    if cycles:
        pytest.fail(
            f"{len(cycles)} import cycle(s), each a group of modules that reach each other:\n"
            f"{report}",
            pytrace=False,
        )
