"""Charts as inline SVG, drawn on the server: no script, no CDN, no inline styles (the strict
content security policy allows neither). Colours come from classes in `static/css/reports.css`.
Every chart is an image with a title and a description, and every page shows its numbers in a
table beside it."""

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
HOLDERS_DESCRIPTION = "Case holders by number of open cases; the table beside it gives every count."
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48


def _nice_top(value: float) -> float:
    """The top of the axis: four equal steps of a round size (1, 2, 2.5, 4, 5 or 7.5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    quarter = value / 4
    magnitude = 10 ** math.floor(math.log10(quarter))
    step = next(m * magnitude for m in (1, 2, 2.5, 4, 5, 7.5, 10) if m * magnitude >= quarter)
    return step * 4


def _f(value: float) -> str:
    """A coordinate, to one decimal place."""
    return f"{value:.1f}"


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, description: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=description,
        body=body,
    )


def _axes(top: float, *, percent: bool) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    ticks = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value * 100:.0f}%" if percent else _number(round(value, 2))
        ticks.append((LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, label))
    return format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
        ((_f(a), _f(b), _f(c), _f(d), _f(e), _f(g), label) for a, b, c, d, e, g, label in ticks),
    )


def line_chart(
    chart_id: str,
    points: Sequence[tuple[str, float | Decimal | None]],
    *,
    title: str,
    percent: bool = False,
) -> SafeString:
    """A line over time; gaps (None) break the line. Labels under the first, last and every
    other point."""
    values = [float(v) for _, v in points if v is not None]
    if not values:
        return mark_safe("")  # noqa: S308 - a constant empty string
    top = 1.0 if percent and max(values) <= 1 else _nice_top(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    coords = [
        (LEFT + i * step, TOP + plot_h - plot_h * float(v) / top) if v is not None else None
        for i, (_, v) in enumerate(points)
    ]
    segments, current = [], []
    for coord in coords:
        if coord is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(coord)
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline class="chart-line" points="{}"/>',
        ((" ".join(f"{x:.1f},{y:.1f}" for x, y in seg),) for seg in segments),
    )
    dots = format_html_join(
        "",
        '<circle class="chart-dot" cx="{}" cy="{}" r="3.5"/>',
        ((_f(x), _f(y)) for x, y in (c for c in coords if c is not None)),
    )
    every = max(1, len(points) // 6)
    labels = format_html_join(
        "",
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_f(LEFT + i * step), HEIGHT - BOTTOM + 18, label)
            for i, (label, _) in enumerate(points)
            if i % every == 0 or i == len(points) - 1
        ),
    )
    first, last = points[0][0], points[-1][0]
    description = f"From {first} to {last}; the table beside the chart gives every value."
    body = format_html("{}{}{}{}", _axes(top, percent=percent), lines, dots, labels)
    return _frame(chart_id, title, description, body)


def bar_chart(
    chart_id: str,
    bars: Sequence[tuple[str, int]],
    *,
    title: str,
    marks: Sequence[tuple[int, str]] = (),
    bin_width: int = 5,
    axis_label: str = "Open cases held",
    description: str = HOLDERS_DESCRIPTION,
) -> SafeString:
    """Bars (e.g. case holders by caseload band) with labelled vertical lines at the given
    caseloads (`marks`: (caseload, label)), drawn at the edge of the band that starts there."""
    if not bars:
        return mark_safe("")  # noqa: S308 - a constant empty string
    highest = max(count for _, count in bars) or 1
    top = max(4, -(-highest // 4) * 4)  # whole-number ticks: a multiple of four
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(bars)
    rects = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"/>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (
                _f(LEFT + i * slot + slot * 0.1),
                _f(TOP + plot_h - plot_h * count / top),
                _f(slot * 0.8),
                _f(plot_h * count / top),
                _f(LEFT + i * slot + slot / 2),
                HEIGHT - BOTTOM + 18,
                label,
            )
            for i, (label, count) in enumerate(bars)
        ),
    )
    lines = format_html_join(
        "",
        '<line class="chart-mark" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="chart-mark-label" x="{}" y="{}">{}</text>',
        (
            (
                _f(LEFT + (caseload / bin_width) * slot),
                TOP,
                _f(LEFT + (caseload / bin_width) * slot),
                _f(TOP + plot_h),
                _f(LEFT + (caseload / bin_width) * slot + 4),
                TOP + 12 + 14 * index,
                label,
            )
            for index, (caseload, label) in enumerate(marks)
        ),
    )
    axis = format_html(
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        _f(LEFT + plot_w / 2),
        HEIGHT - 8,
        axis_label,
    )
    body = format_html("{}{}{}{}", _axes(top, percent=False), rects, lines, axis)
    return _frame(chart_id, title, description, body)


def lines_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | Decimal | None]]],
    *,
    title: str,
) -> SafeString:
    """Several lines over the same weeks: `series` is (name, style, values), the style one of
    the `chart-series-*` classes (solid or dashed, so they differ without colour). The names are
    in the description and in a legend under the chart; the table beside it has every value."""
    values = [float(v) for _, _, vs in series for v in vs if v is not None]
    if not values or not labels:
        return mark_safe("")  # noqa: S308 - a constant empty string
    top = _nice_top(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def point(i: int, v) -> str:
        return f"{LEFT + i * step:.1f},{TOP + plot_h - plot_h * float(v) / top:.1f}"

    lines = format_html_join(
        "",
        '<polyline class="chart-series chart-series-{}" points="{}"/>',
        (
            (style, " ".join(point(i, v) for i, v in enumerate(vs) if v is not None))
            for _, style, vs in series
        ),
    )
    every = max(1, len(labels) // 6)
    ticks = format_html_join(
        "",
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_f(LEFT + i * step), TOP + plot_h + 18, label)
            for i, label in enumerate(labels)
            if i % every == 0
        ),
    )
    legend = format_html_join(
        "",
        '<line class="chart-series chart-series-{}" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="chart-tick" x="{}" y="{}">{}</text>',
        (
            (
                style,
                LEFT + i * 140,
                HEIGHT - 10,
                LEFT + i * 140 + 24,
                HEIGHT - 10,
                LEFT + i * 140 + 30,
                HEIGHT - 6,
                name,
            )
            for i, (name, style, _) in enumerate(series)
        ),
    )
    description = (
        f"{', '.join(name for name, _, _ in series)} from {labels[0]} to {labels[-1]}; "
        "the table beside the chart gives every value."
    )
    axes = _axes(top, percent=False)
    return _frame(chart_id, title, description, format_html("{}{}{}{}", axes, lines, ticks, legend))
