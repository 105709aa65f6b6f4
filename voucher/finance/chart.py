"""A bar chart of one figure per day, laid out here and drawn as inline SVG by the template
(templates/finance/chart.html): no script, nothing the strict CSP would block, and the same
numbers as the table next to it.

Every day of the period gets a bar, also a day with nothing (so gaps show as gaps); the value
axis has a few round steps (1, 2 or 5 times a power of ten, of cents for money)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 600, 250
LEFT, RIGHT, TOP, BOTTOM = 78, 10, 14, 34  # room for the value labels (left) and the days (below)
MAX_DAY_LABELS = 6
MAX_STEPS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    value: int
    title: str  # the day and the value in words: the tooltip


@dataclass(frozen=True)
class Tick:
    position: float  # y of a grid line, x of a day label
    label: str


@dataclass(frozen=True)
class Chart:
    key: str  # the figure's column name: redeemed, owed_cents
    bars: list[Bar]
    steps: list[Tick]
    days: list[Tick]
    summary: str  # what the chart shows, in one sentence: its accessible name
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT


def step_size(top: int) -> int:
    """The smallest round step (1, 2, 5 × 10ⁿ) that reaches `top` in at most MAX_STEPS steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * MAX_STEPS >= top:
                return factor * magnitude
        magnitude *= 10


def daily(key: str, days: list[date], values: list[int], value_text: Callable[[int], str],
          step_text: Callable[[int], str], day_text: Callable[[date], str], short_day: Callable[[date], str],
          summary: str) -> Chart:
    """Bars for `values` (one per day of `days`, in order); `value_text` says a bar's value,
    `step_text` a step of the scale, `day_text` and `short_day` a day in a tooltip and below."""
    step = step_size(max([*values, 1]))
    top = step * max(1, -(-max([*values, 0]) // step))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    bar_width = max(1.0, slot * 0.72)
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = plot_height * value / top
        bars.append(Bar(round(LEFT + index * slot + (slot - bar_width) / 2, 2), round(HEIGHT - BOTTOM - height, 2),
                        round(bar_width, 2), round(height, 2), day, value, f"{day_text(day)}: {value_text(value)}"))
    steps = [Tick(round(HEIGHT - BOTTOM - plot_height * n * step / top, 2), step_text(n * step))
             for n in range(top // step + 1)]
    every = max(1, -(-len(days) // MAX_DAY_LABELS))
    labels = [Tick(round(LEFT + (index + 0.5) * slot, 2), short_day(day)) for index, day in enumerate(days)
              if index % every == 0]
    return Chart(key, bars, steps, labels, summary)
