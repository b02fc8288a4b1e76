"""No import cycles anywhere in the product: kiosk, hub, eforms, sqlschema, provisioning.

Imports made only for type checking count too: a cycle that only the type checker walks still
ties two modules together and is one runtime import away from breaking start-up. The graph is
grimp's (the library under import-linter), which reads the source without importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grimp

PACKAGES = ("kiosk", "hub", "eforms", "sqlschema", "provisioning")


def cycles(modules: Iterable[str], imports: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan's
    strongly connected components of more than one module, or one that imports itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    # Iterative depth-first search: the graph is deep enough to exhaust Python's recursion.
    work: list[tuple[str, list[str]]] = []

    def enter(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        work.append((module, sorted(imports(module))))

    for root in sorted(modules):
        if root in index:
            continue
        enter(root)
        while work:
            module, pending = work[-1]
            if pending:
                target = pending.pop()
                if target not in index:
                    enter(target)
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1 or module in imports(module):
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(cycles(graph, graph.__getitem__)) == [["a", "b", "c"], ["e"]]
    del graph["c"]
    graph["c"] = {"d"}
    assert cycles(graph, graph.__getitem__) == [["e"]]


def test_no_module_of_the_product_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    found = cycles(graph.modules, graph.find_modules_directly_imported_by)
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(group) for group in found)
