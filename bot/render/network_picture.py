"""The quarterly network map as a PNG: organisations as nodes on a circle, who worked with whom as lines, what changed
since the quarter before, the isolated and the silent marked; every name in full, legible at phone width."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any, Literal

from bot.core.disclosure import Shown
from bot.core.network_map import NetworkMap, Pair
from bot.render.network_labels import GAP_PX, MARGIN_PX, RADIAL_FROM, draw_label, label_layout

Gettext = Callable[[str], str]
LegendEntry = Literal["worked", "worked_weighted", "new", "lost", "handover", "isolated", "silent"]

WIDTH_PX, HEIGHT_PX, DPI = 1000, 1000, 150
TITLE_PT, LEGEND_PT, NOTE_PT = 15, 12, 12
# Okabe–Ito colours: nothing is told apart by red against green alone, and every line kind has its own dash pattern
LINKED, ISOLATED, UNKNOWN, SILENT = "#56B4E9", "#E69F00", "#bdbdbd", "#222222"
EDGE, NEW, LOST, HANDOVER = "#4d4d4d", "#0072B2", "#D55E00", "#7B3294"
LOST_STYLE: Any = (0, (1, 1.2))  # dotted
HANDOVER_STYLE: Any = (0, (4, 2))  # dashed
SILENT_STYLE: Any = (0, (2.2, 1.4))  # a node's dashed rim


def render_network_map(network: NetworkMap, title: str, _: Gettext, shown: Shown = "named") -> bytes:
    """PNG bytes of a picture of the map, 1000 px wide and as high as it needs: the organisations on a circle (fixed
    order, so the same map is always drawn alike) with their full names, line width by how often a cooperation was
    named, new cooperations in blue, stopped ones dotted (dashed where a contact person changed), isolated partners in
    orange, partners that did not answer hollow with a dashed rim and "(no answer)" (names, contact changes and
    silence only where the map may show who answered: `shown` "named"; nothing of the answers where it may show
    nothing), a legend of what tells things apart in it (legend_entries). CPU-bound (~0.5 s for 30 organisations):
    call it in a thread."""
    import matplotlib

    matplotlib.use("Agg")
    import networkx as nx  # type: ignore[import-untyped]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas: Any = FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()
    heading = figure.text(0.5, 1, title, ha="center", va="top", fontsize=TITLE_PT)
    top = _height(heading, renderer)
    named = shown == "named"
    nodes = sorted(network.organisations, key=lambda org: (network.organisations[org].casefold(), org)) \
        if shown != "nothing" else []
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((a, b, weight) for (a, b), weight in sorted(network.edges.items()) if nodes)
    order = circle_order(graph, nodes)
    angles = {org: math.pi / 2 - 2 * math.pi * index / len(order) for index, org in enumerate(order)}
    node_size = 900 if len(nodes) <= 8 else 500 if len(nodes) <= 20 else 300
    node_radius = math.sqrt(node_size) / 2 * DPI / 72
    handles = _legend(legend_entries(network, shown), _)
    legend = _place_legend(figure, handles, renderer) if handles else None
    bottom = _height(legend, renderer) if legend is not None else 0.0
    labels = {org: _label(network, org, _) for org in nodes} if named else {}
    width = WIDTH_PX - 2 * MARGIN_PX
    layout = label_layout(figure, renderer, labels, angles, node_radius, (width, width))
    # the picture as high as its drawing needs, title and legend besides: no empty band where the names are short
    height = top + bottom + 4 * MARGIN_PX + layout.high - layout.low
    figure.set_size_inches(WIDTH_PX / DPI, height / DPI)
    heading.set_y(1 - MARGIN_PX / height)
    if legend is not None:
        legend.set_bbox_to_anchor((0.5, MARGIN_PX / height))
    axes = figure.add_axes((MARGIN_PX / WIDTH_PX, (bottom + 2 * MARGIN_PX) / height, width / WIDTH_PX,
                            (layout.high - layout.low) / height))
    axes.set_axis_off()
    axes.set_xlim(-width / 2 / layout.radius, width / 2 / layout.radius)
    axes.set_ylim(layout.low / layout.radius, layout.high / layout.radius)
    positions = {org: (math.cos(angle), math.sin(angle)) for org, angle in angles.items()}
    _draw_lines(axes, network, positions, named)
    for org in nodes:
        silent = named and org not in network.answered
        axes.scatter(*positions[org], s=node_size, zorder=3, c="white" if silent else _colour(network, graph, org),
                     edgecolors=SILENT if silent else "black", linewidths=3 if silent else 1.4,
                     linestyles=SILENT_STYLE if silent else "solid")
    for org, text in layout.texts.items():
        draw_label(axes, text, angles[org], 1 + (node_radius + GAP_PX) / layout.radius, layout.font,
                    len(nodes) > RADIAL_FROM)
    note = (_("The network map is not shown.") if shown == "nothing" else _("The network has no active partners.")
            if not nodes else "" if network.edges else _("No partner answered the question about cooperation.")
            if not network.answered else _("No cooperation was named."))
    if note:
        axes.text(0, 0, note, ha="center", va="center", fontsize=NOTE_PT, wrap=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _height(artist: Any, renderer: Any) -> float:
    """How many pixels a drawn text or legend takes from top to bottom."""
    return float(artist.get_window_extent(renderer).height)


def _place_legend(figure: Any, handles: list[Any], renderer: Any) -> Any:
    """The legend at the bottom, in two columns where they fit side by side, else in one."""
    from matplotlib.legend_handler import HandlerPatch
    from matplotlib.patches import Circle

    for columns in (2, 1):
        legend = figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0), ncol=columns,
                               fontsize=LEGEND_PT, frameon=False, handlelength=2.6, columnspacing=1.2,
                               handler_map={Circle: HandlerPatch(patch_func=_legend_node)})
        if columns == 1 or legend.get_window_extent(renderer).width <= WIDTH_PX - 2 * MARGIN_PX:
            return legend
        legend.remove()
    raise AssertionError("unreachable")


def _legend_node(legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float,
                 fontsize: float) -> Any:
    """A node in the legend: a circle as high as a line of its text, centred where the lines' samples are."""
    from matplotlib.patches import Circle

    return Circle((width / 2 - xdescent, height / 2 - ydescent), 0.55 * fontsize)


def _label(network: NetworkMap, org: int, _: Gettext) -> str:
    """The organisation's name, with what sets it apart as its own lines."""
    name = network.organisations[org]
    if org not in network.answered:
        name += "\n" + _("(no answer)")
    if any(org in changed for changed in network.contact_changed.values()):
        name += "\n" + _("(new contact person)")
    return name


def _draw_lines(axes: Any, network: NetworkMap, positions: dict[int, tuple[float, float]], named: bool) -> None:
    """The stopped pairs beneath (dashed where a contact person changed: only where names may be shown), then the
    cooperations, new ones in blue, wider the more often named."""

    def line(pair: Pair, **style: Any) -> None:
        (x0, y0), (x1, y1) = positions[pair[0]], positions[pair[1]]
        axes.plot([x0, x1], [y0, y1], solid_capstyle="butt", zorder=1, **style)

    for pair in network.stopped:
        if pair[0] in positions and pair[1] in positions:
            handover = named and pair in network.contact_changed
            line(pair, color=HANDOVER if handover else LOST, linewidth=2.5,
                 linestyle=HANDOVER_STYLE if handover else LOST_STYLE)
    if not network.edges:
        return
    heaviest = max(network.edges.values())
    for pair in sorted(network.edges):
        if pair[0] in positions and pair[1] in positions:
            width = 2 + 4.5 * (network.edges[pair] - 1) / max(heaviest - 1, 1)
            line(pair, color=NEW if pair in network.new else EDGE, alpha=0.85 if pair in network.new else 0.7,
                 linewidth=width)


def _colour(network: NetworkMap, graph: Any, org: int) -> str:
    """Orange for the isolated, blue for the linked, grey when nobody answered (no data)."""
    return ISOLATED if org in network.isolated else LINKED if graph.degree(org) else UNKNOWN


def legend_entries(network: NetworkMap, shown: Shown) -> list[LegendEntry]:
    """What the picture's legend explains, in its order: each kind of line or node drawn that tells something apart,
    no more (a plain linked node needs none: every node is one unless marked otherwise; "worked_weighted" where the
    lines' widths differ). Contact changes and silence only where names may be shown, as in the picture."""
    if shown == "nothing" or not network.organisations:
        return []
    named = shown == "named"
    entries: list[LegendEntry] = []
    old = [pair for pair in network.edges if pair not in network.new]
    if old:
        entries.append("worked_weighted" if len(set(network.edges.values())) > 1 else "worked")
    if len(old) < len(network.edges):
        entries.append("new")
    if network.lost if named else network.stopped:
        entries.append("lost")
    if named and network.contact_changed:
        entries.append("handover")
    if any(org in network.isolated and (org in network.answered or not named) for org in network.organisations):
        entries.append("isolated")
    if named and any(org not in network.answered for org in network.organisations):
        entries.append("silent")
    return entries


def _legend(entries: list[LegendEntry], _: Gettext) -> list[Any]:
    """The legend's handles, each drawn as in the picture."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    handles: dict[LegendEntry, Callable[[], Any]] = {
        "worked": lambda: Line2D([], [], color=EDGE, linewidth=3, label=_("Worked together")),
        "worked_weighted": lambda: Line2D([], [], color=EDGE, linewidth=3,
                                          label=_("Worked together (thicker: named more often)")),
        "new": lambda: Line2D([], [], color=NEW, linewidth=3, label=_("New cooperation")),
        "lost": lambda: Line2D([], [], color=LOST, linewidth=2.5, linestyle=LOST_STYLE,
                               label=_("No longer working together")),
        "handover": lambda: Line2D([], [], color=HANDOVER, linewidth=2.5, linestyle=HANDOVER_STYLE,
                                   label=_("No longer working together since a contact person changed")),
        "isolated": lambda: Circle((0, 0), facecolor=ISOLATED, edgecolor="black", linewidth=1.4,
                                   label=_("No cooperation named")),
        "silent": lambda: Circle((0, 0), facecolor="white", edgecolor=SILENT, linewidth=2.5, linestyle=SILENT_STYLE,
                                 label=_("Did not answer")),
    }
    return [handles[entry]() for entry in entries]


def circle_order(graph: Any, nodes: list[int]) -> list[int]:
    """The nodes in their order around the circle: the groups of organisations linked with each other together
    (largest group first), each walked breadth-first from its best-linked member so neighbours sit side by side; the
    organisations without a line last. `nodes` are sorted by name, which breaks every tie."""
    rank = {org: index for index, org in enumerate(nodes)}
    seen: set[int] = set()
    groups: list[list[int]] = []
    for start in sorted(nodes, key=lambda org: (-graph.degree(org), rank[org])):
        if start in seen or not graph.degree(start):
            continue
        group, queue = [], [start]
        seen.add(start)
        while queue:
            org = queue.pop(0)
            group.append(org)
            for other in sorted(graph.neighbors(org), key=lambda other: (-graph.degree(other), rank[other])):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        groups.append(group)
    groups.sort(key=lambda group: -len(group))  # stable: equal sizes keep the order of their best-linked members
    return [org for group in groups for org in group] + [org for org in nodes if org not in seen]
