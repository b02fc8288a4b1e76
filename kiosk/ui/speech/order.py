"""The order the keypad takes the focus through: the reading order of what is on screen.

Qt's own focus chain follows the order widgets were made in, which is not always the order they
are read in. The reading order is the layouts' own: a column top to bottom, a row left to right,
a grid row by row, a stack only its current page, a scrolled page its contents, each container's
controls before the next's. Widgets outside any layout (an overlay, a popup inside the screen)
come after, in their place on screen. Only what a citizen can use counts: visible, enabled, able
to take the focus.

`what_is_shown(window)` is the top layer (an overlay such as the idle warning hides the screen
under it, and keys must not reach past it); `reading_order(root)` the controls in it, in order;
`next_in_line` and `next_below` the moves of the keypad's arrows. The list wraps round at both
ends, so the focus is never trapped.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QGridLayout,
    QLayout,
    QScrollArea,
    QStackedLayout,
    QStackedWidget,
    QWidget,
)


def what_is_shown(window: QWidget) -> QWidget:
    """The last shown child covering the whole window (an overlay), else the window."""
    top = window
    for child in window.children():
        if (
            isinstance(child, QWidget)
            and not child.isWindow()
            and child.isVisible()
            and child.geometry().contains(window.rect())
        ):
            top = child
    return top


def takes_keys(widget: QWidget) -> bool:
    """A control the keypad can put the focus on."""
    return (
        widget.isVisible()
        and widget.isEnabled()
        and (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or _grouped_option(widget))
        and widget.focusProxy() is None
        and not widget.isWindow()
        # A scroll area is a place, not a control: its contents are reached, it says nothing.
        and not isinstance(widget, QScrollArea)
    )


def _grouped_option(widget: QWidget) -> bool:
    """One of a group of options: Qt takes Tab off all but the focused one (Tab enters a group
    once, its own arrows move in it), but the keypad's arrows go through every option."""
    return (
        isinstance(widget, QAbstractButton)
        and widget.isCheckable()
        and (widget.group() is not None or widget.autoExclusive())
        and bool(widget.focusPolicy() & Qt.FocusPolicy.ClickFocus)
    )


def reading_order(root: QWidget) -> list[QWidget]:
    """Every control under `root` a citizen can reach by keys, in reading order."""
    seen: set[int] = set()
    found: list[QWidget] = []
    for widget in walk(root, seen):
        if takes_keys(widget):
            found.append(widget)
    return found


def walk(widget: QWidget, seen: set[int]) -> Iterator[QWidget]:
    """`widget` and every visible widget in it, in reading order (each once)."""
    if id(widget) in seen or not widget.isVisible():
        return
    seen.add(id(widget))
    yield widget
    if isinstance(widget, QStackedWidget):
        current = widget.currentWidget()
        if current is not None:
            yield from walk(current, seen)
        return
    if isinstance(widget, QScrollArea) and widget.widget() is not None:
        inner = widget.widget()
        assert inner is not None
        yield from walk(inner, seen)
    elif isinstance(widget, QAbstractScrollArea):
        yield from walk(widget.viewport(), seen)
    layout = widget.layout()
    if layout is not None:
        yield from _walk_layout(layout, seen)
    # What no layout holds (an overlay, a popup inside the screen): in its place on screen.
    rest = [
        child
        for child in widget.children()
        if isinstance(child, QWidget) and id(child) not in seen and not child.isWindow()
    ]
    rest.sort(key=lambda w: (w.y(), w.x()))
    for child in rest:
        yield from walk(child, seen)


def _walk_layout(layout: QLayout, seen: set[int]) -> Iterator[QWidget]:
    if isinstance(layout, QStackedLayout):
        current = layout.currentWidget()
        if current is not None:
            yield from walk(current, seen)
        return
    # The layout's widgets and inner layouts by their index in it. Not by `itemAt`: PySide keeps
    # every item it hands out alive with the layout, and an item Qt later deletes with its
    # widget stays in PySide's table under an address a new widget may take, so that widget
    # would come back as that stale item.
    owner = layout.parentWidget()
    candidates: list[QWidget | QLayout] = [
        child for child in layout.children() if isinstance(child, QLayout)
    ]
    if owner is not None:
        candidates += [child for child in owner.children() if isinstance(child, QWidget)]
    placed = [(index, child) for child in candidates if (index := layout.indexOf(child)) >= 0]
    if isinstance(layout, QGridLayout):
        grid = layout

        def cell(entry: tuple[int, QWidget | QLayout]) -> tuple[int, int]:
            position: tuple[int, int, int, int] = grid.getItemPosition(entry[0])  # type: ignore[assignment]
            return position[0], position[1]

        placed.sort(key=cell)
    else:
        placed.sort(key=lambda entry: entry[0])
    for _index, child in placed:
        if isinstance(child, QWidget):
            yield from walk(child, seen)
        else:
            yield from _walk_layout(child, seen)


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def next_in_line(order: list[QWidget], current: QWidget | None, step: int) -> QWidget | None:
    """The next (+1) or previous (-1) control in reading order, round at the ends."""
    if not order:
        return None
    if current not in order:
        return order[0] if step > 0 else order[-1]
    assert current is not None
    return order[(order.index(current) + step) % len(order)]


def next_below(
    order: list[QWidget], current: QWidget | None, step: int, window: QWidget
) -> QWidget | None:
    """Down (+1) or up (-1): the nearest control across in the next row of the reading order
    (a key of the on-screen keyboard, a button of the row below), or the next in line when the
    next control is not on another row. Round at the ends."""
    if current not in order:
        return next_in_line(order, current, step)
    assert current is not None
    here = _rect(current, window)
    count = len(order)
    start = order.index(current)
    row: list[QWidget] = []
    row_rect: QRect | None = None
    for offset in range(1, count):
        candidate = order[(start + step * offset) % count]
        rect = _rect(candidate, window)
        beyond = rect.top() >= here.bottom() if step > 0 else rect.bottom() <= here.top()
        if row_rect is None:
            if not beyond:
                continue
            row_rect = rect
            row.append(candidate)
            continue
        same_row = rect.top() < row_rect.bottom() and rect.bottom() > row_rect.top()
        if not same_row:
            break
        row.append(candidate)
    if not row:
        return next_in_line(order, current, step)
    centre = here.center().x()
    return min(row, key=lambda w: abs(_rect(w, window).center().x() - centre))
