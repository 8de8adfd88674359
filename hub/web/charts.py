"""Server-rendered SVG bar charts: geometry computed here, drawn by a template macro."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ROW_HEIGHT = 22
BAR_HEIGHT = 8
LABEL_WIDTH = 190
BAR_AREA = 420
VALUE_WIDTH = 70
TOP = 8


@dataclass(frozen=True)
class Bar:
    """One bar: its series, geometry and the value it stands for."""

    series: str
    x: float
    y: float
    width: float
    height: float
    value: float | None


@dataclass(frozen=True)
class BarRow:
    """One category (e.g. a province): its label, where the label goes, and its bars."""

    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart with one or more series per row."""

    width: int
    height: int
    rows: list[BarRow]
    series: list[tuple[str, str]]


def bar_chart(
    rows: list[dict[str, Any]], label_key: str, series: list[tuple[str, str]]
) -> BarChart:
    """Bars for each row and each (key, label) of ``series``, scaled to the largest value."""
    largest = max(
        (row[key] for row in rows for key, _ in series if row.get(key) is not None), default=0
    )
    scale = BAR_AREA / largest if largest else 0
    chart_rows = []
    for index, row in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        bars = []
        for offset, (key, _label) in enumerate(series):
            value = row.get(key)
            bars.append(
                Bar(
                    series=key,
                    x=LABEL_WIDTH,
                    y=top + offset * (BAR_HEIGHT + 1),
                    width=round((value or 0) * scale, 1),
                    height=BAR_HEIGHT,
                    value=value,
                )
            )
        chart_rows.append(BarRow(str(row[label_key]), top + BAR_HEIGHT + 1, bars))
    return BarChart(
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP * 2 + ROW_HEIGHT * len(rows),
        rows=chart_rows,
        series=[(key, str(label)) for key, label in series],
    )
