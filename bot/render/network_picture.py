"""The quarterly network map as a PNG: organisations as nodes, who worked with whom as lines, the isolated marked."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

from bot.core.disclosure import Shown
from bot.core.network_map import NetworkMap

Gettext = Callable[[str], str]

SIZE_PX, DPI = 1000, 150
LABEL_CHARS = 20  # a label in one line (many partners)
WRAPPED_CHARS = 24  # a label in two lines (up to RADIAL_FROM partners)
RADIAL_FROM = 12  # more partners than this: labels along the radius
LINKED, ISOLATED, UNKNOWN, EDGE, STOPPED = "#1f78b4", "#e6550d", "#bdbdbd", "#4d4d4d", "#b2182b"


def short_label(name: str, limit: int = LABEL_CHARS, *, wrap: bool = True) -> str:
    """The name cut to `limit` characters (with "…"), split into two lines at a space near the middle when long
    (unless `wrap` is False)."""
    name = " ".join(name.split())
    if len(name) > limit:
        name = name[:limit - 1].rstrip() + "…"
    if wrap and len(name) > 12 and " " in name:
        middle = len(name) // 2
        cut = min((index for index, char in enumerate(name) if char == " "), key=lambda index: abs(index - middle))
        name = name[:cut] + "\n" + name[cut + 1:]
    return name


def render_network_map(network: NetworkMap, title: str, _: Gettext, shown: Shown = "named") -> bytes:
    """PNG bytes of a 1000×1000 px picture of the map: the organisations on a circle (fixed order, so the same map is
    always drawn alike), line width by how often a cooperation was named, isolated partners in orange, partners that
    did not answer with a dashed rim (only where the map may show who answered: `shown` "named"), stopped pairs
    dotted red, and a legend of what the picture shows. CPU-bound (~0.15 s for 30 organisations): call it in a
    thread."""
    import matplotlib

    matplotlib.use("Agg")
    import networkx as nx  # type: ignore[import-untyped]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(SIZE_PX / DPI, SIZE_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.set_title(title, fontsize=13)
    axes.set_axis_off()
    nodes = sorted(network.organisations, key=lambda org: (network.organisations[org].casefold(), org))
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((a, b, weight) for (a, b), weight in sorted(network.edges.items()))
    order = circle_order(graph, nodes)
    angles = {org: math.pi / 2 - 2 * math.pi * index / len(order) for index, org in enumerate(order)}
    positions = {org: (math.cos(angle), math.sin(angle)) for org, angle in angles.items()}
    count = len(nodes)
    node_size = 900 if count <= 8 else 500 if count <= 20 else 300
    stopped = [pair for pair in network.stopped if pair[0] in positions and pair[1] in positions]
    if stopped:
        nx.draw_networkx_edges(graph, positions, edgelist=stopped, ax=axes, style=":", width=1.5, edge_color=STOPPED,
                               alpha=0.8, node_size=node_size)
    edges = sorted(network.edges)
    if edges:
        heaviest = max(network.edges.values())
        widths = [1.5 + 4.5 * (network.edges[pair] - 1) / max(heaviest - 1, 1) for pair in edges]
        nx.draw_networkx_edges(graph, positions, edgelist=edges, ax=axes, edge_color=EDGE, alpha=0.7, width=widths,
                               node_size=node_size)
    named = shown == "named"
    for answered, style in ((True, "solid"), (False, "dashed")):
        group = [org for org in nodes if (org in network.answered or not named) == answered]
        if group:
            drawn = nx.draw_networkx_nodes(graph, positions, nodelist=group, ax=axes, node_size=node_size,
                                           node_color=[_colour(network, graph, org) for org in group],
                                           edgecolors="black", linewidths=1.4)
            drawn.set_linestyle(style)
    if named:  # in an anonymous network the nodes stay unnamed: which node is whom would tell what each answered
        _labels(axes, network, angles)
    if not nodes or not edges:
        axes.text(0, 0, _("The network has no active partners.") if not nodes
                  else _("No cooperation was named in this quarter."), ha="center", va="center", fontsize=11)
    reach = 1.6 if count <= RADIAL_FROM else 1.75
    axes.set_xlim(-reach, reach)
    axes.set_ylim(-reach if count > RADIAL_FROM else -1.35, reach if count > RADIAL_FROM else 1.35)
    axes.set_aspect("equal")
    handles = _legend(network, graph, stopped, _, named)
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _colour(network: NetworkMap, graph: Any, org: int) -> str:
    """Orange for the isolated, blue for the linked, grey when nobody answered (no data)."""
    return ISOLATED if org in network.isolated else LINKED if graph.degree(org) else UNKNOWN


def _labels(axes: Any, network: NetworkMap, angles: dict[int, float]) -> None:
    """Each organisation's name outside the circle beside its node, where no line crosses it."""
    count = len(angles)
    font_size = 9 if count <= RADIAL_FROM else 7 if count <= 24 else 6
    for org, angle in angles.items():
        x, y = math.cos(angle), math.sin(angle)
        name = network.organisations[org]
        if count <= RADIAL_FROM:
            axes.text(1.13 * x, 1.13 * y, short_label(name, WRAPPED_CHARS), fontsize=font_size,
                      ha="left" if x > 0.3 else "right" if x < -0.3 else "center",
                      va="bottom" if y > 0.3 else "top" if y < -0.3 else "center")
        else:  # many partners: labels along the radius in one line, so neighbours' labels never overlap
            degrees = math.degrees(angle) % 360
            left = 90 < degrees < 270
            axes.text(1.08 * x, 1.08 * y, short_label(name, wrap=False), fontsize=font_size,
                      rotation=degrees - 180 if left else degrees, rotation_mode="anchor",
                      ha="right" if left else "left", va="center")


def _legend(network: NetworkMap, graph: Any, stopped: list[tuple[int, int]], _: Gettext, named: bool) -> list[Any]:
    """Legend entries for what the picture shows, no more."""
    from matplotlib.lines import Line2D

    def dot(colour: str, label: str) -> Any:
        return Line2D([], [], marker="o", color="none", markerfacecolor=colour, markeredgecolor="black",
                      markersize=9, label=label)

    handles: list[Any] = []
    if network.edges:
        handles.append(Line2D([], [], color=EDGE, linewidth=3, label=_("Worked together (thicker: named more often)")))
    if stopped:
        handles.append(Line2D([], [], color=STOPPED, linewidth=1.5, linestyle=":",
                              label=_("No longer working together")))
    if network.edges:
        handles.append(dot(LINKED, _("Worked with others")))
    if network.isolated:
        handles.append(dot(ISOLATED, _("Isolated: no cooperation named")))
    if named and any(org not in network.answered for org in network.organisations):
        handles.append(dot("white", _("Dashed rim: did not answer")))
    return handles


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
