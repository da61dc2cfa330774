"""Where the network map's names go: each organisation's full name beside its node, wrapped over lines, in the
biggest font at which no name overlaps another or a node and the circle stays big enough (bot.render.network_picture
draws them)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core.user_text import one_line

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels from the circle's centre

MARGIN_PX, GAP_PX = 14, 8  # around the picture; between a node and its label (and between labels)
RADIAL_FROM = 12  # more partners than this: labels along the radius
# label font sizes to try, biggest first, each with lines of so many characters (at most: words are never broken)
HORIZONTAL_FONTS, RADIAL_FONTS, LINE_WIDTHS = (13, 12, 11, 10, 9, 8, 7), (10, 9, 8, 7, 6), (11, 14, 18, 24, 32)
MIN_RADIUS = 0.22  # of the drawing area's side: a smaller circle only where no font fits otherwise


def wrap_label(name: str, width: int) -> str:
    """The whole name in lines of about `width` characters, broken at spaces and hyphens only."""
    return "\n".join(textwrap.wrap(one_line(name), width, break_long_words=False)) or name


@dataclass(frozen=True)
class LabelLayout:
    """Where things go: the circle's radius, the drawing's lowest and highest point (pixels from the circle's centre),
    the labels' font size and their texts, wrapped."""

    radius: float
    low: float
    high: float
    font: float = 0.0
    texts: dict[int, str] = field(default_factory=dict)


def wrapped(label: str, angle: float, width: int, radial: bool) -> str:
    """The label's first line (the name) in lines of about `width` characters (wider above and below the circle,
    where there is room); the short notes below it, such as "(no answer)", each whole in a line."""
    if not radial and abs(math.cos(angle)) <= 0.3:
        width = max(width, 22)
    name, *notes = label.split("\n")
    return "\n".join([wrap_label(name, width), *notes])


def label_layout(figure: Any, renderer: Any, labels: dict[int, str], angles: dict[int, float], node_radius: float,
            area: tuple[float, float]) -> LabelLayout:
    """The circle's size and the labels' font size and line width: the biggest font whose labels fit the drawing area
    without overlapping each other or a node and leave the circle at least MIN_RADIUS of it, in the line width that
    leaves the biggest circle (if none does, the candidate that leaves the biggest circle)."""
    if not angles:
        return LabelLayout(1.0, -0.15 * area[0], 0.15 * area[0])
    if not labels:
        radius = max(min(area) / 2 - node_radius - MARGIN_PX, 1.0)
        return LabelLayout(radius, -radius - node_radius - MARGIN_PX, radius + node_radius + MARGIN_PX)
    radial = len(labels) > RADIAL_FROM
    tried: list[LabelLayout] = []
    clear_ones: list[LabelLayout] = []
    for font in RADIAL_FONTS if radial else HORIZONTAL_FONTS:
        fitting = []
        for width in LINE_WIDTHS:
            layout, clear = _try(figure, renderer, labels, angles, node_radius, area, font, width)
            tried.append(layout)
            if clear:
                clear_ones.append(layout)
                if layout.radius >= MIN_RADIUS * min(area):
                    fitting.append(layout)
        if fitting:
            return max(fitting, key=lambda layout: layout.radius)
    return max(tried, key=lambda layout: (layout in clear_ones, layout.radius))


def _try(figure: Any, renderer: Any, labels: dict[int, str], angles: dict[int, float], node_radius: float,
         area: tuple[float, float], font: float, width: int) -> tuple[LabelLayout, bool]:
    """The biggest circle at which the labels in this font and line width stay inside the area; whether they keep
    clear of each other and of the nodes there."""
    half_w, half_h = area[0] / 2, area[1] / 2
    radial = len(labels) > RADIAL_FROM
    texts = {org: wrapped(label, angles[org], width, radial) for org, label in labels.items()}
    sizes = {org: _size(figure, renderer, text, font) for org, text in texts.items()}

    def boxes(radius: float) -> dict[int, Box]:
        return {org: _box(angles[org], radius + node_radius + GAP_PX, size, radial) for org, size in sizes.items()}

    low, high = 1.0, min(half_w, half_h) - node_radius
    for _step in range(24):  # bisection: staying inside is all or nothing around one radius
        middle = (low + high) / 2
        inside = all(-half_w <= x0 and x1 <= half_w and -half_h <= y0 and y1 <= half_h
                     for x0, y0, x1, y1 in boxes(middle).values())
        low, high = (middle, high) if inside else (low, middle)
    radius, placed = low, boxes(low)
    nodes = {org: (radius * math.cos(a) - node_radius, radius * math.sin(a) - node_radius,
                   radius * math.cos(a) + node_radius, radius * math.sin(a) + node_radius) for org, a in angles.items()}
    drawn = [*placed.values(), *nodes.values()]
    layout = LabelLayout(radius, min(box[1] for box in drawn) - GAP_PX, max(box[3] for box in drawn) + GAP_PX, font,
                     texts)
    labels_apart = not any(_overlap(a, b) for i, a in enumerate(placed.values()) for b in [*placed.values()][i + 1:])
    clear = (_radial_clear(radius + node_radius + GAP_PX, sizes.values(), len(labels)) if radial else labels_apart
             and not any(_overlap(box, nodes[other]) for org, box in placed.items() for other in nodes if other != org))
    return layout, clear


def _size(figure: Any, renderer: Any, text: str, font: float) -> tuple[float, float]:
    """A text's width and height in pixels."""
    drawn = figure.text(0, 0, text, fontsize=font)
    extent = drawn.get_window_extent(renderer)
    drawn.remove()
    return float(extent.width), float(extent.height)


def _box(angle: float, distance: float, size: tuple[float, float], radial: bool) -> Box:
    """Where a label of this size sits beside its node (the node at `distance` - GAP along `angle`)."""
    cos, sin = math.cos(angle), math.sin(angle)
    width, height = size
    if radial:  # along the radius, outward from `distance`
        corners = [((distance + along) * cos - side * sin, (distance + along) * sin + side * cos)
                   for along in (0, width) for side in (-height / 2, height / 2)]
        xs, ys = [x for x, _y in corners], [y for _x, y in corners]
        return min(xs), min(ys), max(xs), max(ys)
    x, y = distance * cos, distance * sin
    x0 = x if cos > 0.3 else x - width if cos < -0.3 else x - width / 2
    y0 = y if sin > 0.3 else y - height if sin < -0.3 else y - height / 2
    return x0, y0, x0 + width, y0 + height


def _overlap(a: Box, b: Box) -> bool:
    """Whether two boxes come closer than GAP_PX (text touching text reads as one)."""
    return a[0] < b[2] + GAP_PX and b[0] < a[2] + GAP_PX and a[1] < b[3] + GAP_PX and b[1] < a[3] + GAP_PX


def _radial_clear(distance: float, sizes: Iterable[tuple[float, float]], count: int) -> bool:
    """Whether neighbouring labels along the radius keep apart where they start (they only part further out)."""
    return 2 * distance * math.sin(math.pi / count) >= max(height for _width, height in sizes) + 2


def draw_label(axes: Any, text: str, angle: float, distance: float, font: float, radial: bool) -> None:
    """One organisation's label beside its node, outside the circle, where no line crosses it."""
    x, y = distance * math.cos(angle), distance * math.sin(angle)
    if radial:
        degrees = math.degrees(angle) % 360
        left = 90 < degrees < 270
        axes.text(x, y, text, fontsize=font, rotation=degrees - 180 if left else degrees, rotation_mode="anchor",
                  ha="right" if left else "left", va="center", multialignment="right" if left else "left")
        return
    ha = "left" if x > 0.3 * distance else "right" if x < -0.3 * distance else "center"
    axes.text(x, y, text, fontsize=font, ha=ha, multialignment=ha,
              va="bottom" if y > 0.3 * distance else "top" if y < -0.3 * distance else "center")
