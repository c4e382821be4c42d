"""The deal web: companies as nodes, deals as directed edges of value flow, its cycles, and the parties' reactions.

Edges point the way value moves, derived from the parties' roles in each catalog event:

* investor -> investee (or -> the target of an acquisition, or -> the partner a financing
  funds when the deal names no investee);
* customer -> supplier (the customer pays for chips, systems or compute);
* acquirer -> target;
* plus the event's explicit ``flows`` (:class:`eventstudy.catalog.schema.Flow`) where the
  roles cannot say it: AMD -> OpenAI warrants, OpenAI -> NVIDIA system purchases.

A *cycle* is a chain of such edges that returns to where it started (the "circular
deals": NVIDIA invests in OpenAI, OpenAI buys NVIDIA systems).  Reactions are abnormal
returns in percent on event day 0 and over [0,2] trading days (the ``event_reactions``
view, plus the spill-over firms the job measures); a node's colour is its mean day-0
abnormal return over the deals drawn.  Companies are matched across events by ticker, a
private party by its name up to a parenthesis ("CoreWeave (private until ...)" is CRWV).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ..catalog.schema import SCALE_FACTOR, AmountKind, Event, Role

#: Edge kinds and the colour they are drawn in.
EDGE_COLOURS = {"investment": "#1f77b4", "purchase": "#ff7f0e", "warrants": "#9467bd", "acquisition": "#2ca02c",
                "proceeds": "#8c564b"}
_SCALE_SUFFIX = {"unit": "", "thousand": "K", "million": "M", "billion": "B", "trillion": "T"}


@dataclass(frozen=True)
class DealEdge:
    """One directed flow of one deal; ``label`` is the amount or the flow's own label."""

    source: str
    target: str
    event_id: str
    date: dt.date
    kind: str
    label: str
    origin: str  # "roles" or "flow"


@dataclass
class Node:
    key: str
    name: str
    ticker: str | None
    events: set[str] = field(default_factory=set)


def base_name(name: str) -> str:
    """A company's name without a parenthesised remark: "CoreWeave (private until ...)" -> "CoreWeave"."""
    return name.split(" (", 1)[0].strip()


def amount_label(event: Event) -> str:
    """Short amount text for an edge ("up to $100B", "$300B"); "" without an amount or when it is no money flow."""
    amount = event.amount
    if amount is None or amount.kind == AmountKind.NOTIONAL:  # a notional counts shares or exposure, not money moved
        return ""
    currency = "$" if amount.currency == "USD" else f"{amount.currency} "
    value = f"{amount.value:g}{_SCALE_SUFFIX[amount.scale.value]}"
    prefix = "up to " if amount.kind == AmountKind.UP_TO else ""
    return f"{prefix}{currency}{value}"


def _amount_usd(event: Event) -> float | None:
    a = event.amount
    return None if a is None or a.kind == AmountKind.NOTIONAL else a.value * SCALE_FACTOR[a.scale]


class _Names:
    """Node keys: the ticker for listed firms; for private ones the base name, or the ticker that name has elsewhere."""

    def __init__(self, events: list[Event]) -> None:
        self.ticker_of: dict[str, str] = {}
        self.nodes: dict[str, Node] = {}
        for e in events:
            for p in e.parties:
                if p.ticker:
                    self.ticker_of.setdefault(base_name(p.name), p.ticker)

    def key(self, event: Event, name: str) -> str:
        party = next(p for p in event.parties if p.name == name)
        key = party.ticker or self.ticker_of.get(base_name(name)) or base_name(name)
        node = self.nodes.setdefault(key, Node(key, base_name(name), party.ticker or self.ticker_of.get(base_name(name))))
        node.events.add(event.id)
        return key


def deal_edges(events: list[Event], *, since: dt.date | None = None) -> tuple[list[DealEdge], dict[str, Node]]:
    """Every value flow of the catalog (events on or after ``since``) and the nodes they join."""
    chosen = [e for e in events if since is None or e.date >= since]
    names = _Names(events)
    edges: list[DealEdge] = []
    for e in chosen:
        by_role: dict[Role, list[str]] = defaultdict(list)
        for p in e.parties:
            by_role[p.role].append(p.name)
        label = amount_label(e)
        pairs: list[tuple[str, str, str]] = []
        receivers = by_role[Role.INVESTEE] or by_role[Role.TARGET] or by_role[Role.PARTNER] + by_role[Role.ANNOUNCER]
        pairs += [(i, r, "investment") for i in by_role[Role.INVESTOR] for r in receivers]
        pairs += [(c, s, "purchase") for c in by_role[Role.CUSTOMER] for s in by_role[Role.SUPPLIER]]
        pairs += [(a, t, "acquisition") for a in by_role[Role.ACQUIRER] for t in by_role[Role.TARGET]]
        for src, dst, kind in pairs:
            edges.append(DealEdge(names.key(e, src), names.key(e, dst), e.id, e.date, kind, label, "roles"))
        for f in e.flows:
            edges.append(DealEdge(names.key(e, f.source), names.key(e, f.target), e.id, e.date, f.kind.value,
                                  f.label or f.kind.value, "flow"))
    used = {k for edge in edges for k in (edge.source, edge.target)}
    return edges, {k: n for k, n in names.nodes.items() if k in used}


def build_web(events: list[Event], reactions: pd.DataFrame | None = None, *, since: dt.date | None = None) -> nx.MultiDiGraph:
    """The deal web as a networkx multigraph.

    Node attributes: ``name``, ``ticker`` (None for private firms), ``listed``, ``reactions``
    ({event_id: day-0 abnormal return in percent} on the deals drawn), ``mean_ar_pct``.
    Edge attributes: ``event_id``, ``date``, ``kind``, ``label``, ``origin``.
    ``reactions``: rows ``event_id, ticker, abnormal_return_day0_pct`` (the ``event_reactions`` view).
    """
    edges, nodes = deal_edges(events, since=since)
    day0 = {}
    if reactions is not None and len(reactions):
        day0 = {(r.event_id, r.ticker): r.abnormal_return_day0_pct for r in reactions.itertuples()}
    graph = nx.MultiDiGraph()
    edge_events = {edge.event_id for edge in edges}
    for key, node in nodes.items():
        own = {ev: float(day0[(ev, node.ticker)]) for ev in sorted(node.events & edge_events)
               if node.ticker and (ev, node.ticker) in day0 and not pd.isna(day0[(ev, node.ticker)])}
        graph.add_node(key, name=node.name, ticker=node.ticker, listed=node.ticker is not None, reactions=own,
                       mean_ar_pct=float(np.mean(list(own.values()))) if own else math.nan)
    for edge in edges:
        graph.add_edge(edge.source, edge.target, event_id=edge.event_id, date=edge.date, kind=edge.kind,
                       label=edge.label, origin=edge.origin)
    return graph


def _reaction_text(graph: nx.MultiDiGraph, node: str, events: list[str]) -> str:
    attrs = graph.nodes[node]
    if not attrs["listed"]:
        return f"{node}: private"
    parts = [f"{attrs['reactions'][ev]:+.2f}% ({ev})" for ev in events if ev in attrs["reactions"]]
    return f"{node}: " + (", ".join(parts) if parts else "no day-0 AR stored")


def find_cycles(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every simple cycle of the web: ``cycle`` (A -> B -> A), ``length``, ``steps`` (each hop's deals and
    amounts), ``events``, ``reactions`` (each listed member's day-0 AR in percent on the cycle's deals)."""
    simple = nx.DiGraph()
    simple.add_edges_from((u, v) for u, v in graph.edges())
    rows = []
    for cycle in nx.simple_cycles(simple):
        start = cycle.index(min(cycle))  # a stable rotation: the same cycle always reads the same way
        cycle = cycle[start:] + cycle[:start]
        hops, events = [], []
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            deals = [d for d in graph.get_edge_data(a, b).values()]
            events += [d["event_id"] for d in deals]
            hops.append(f"{a} -> {b}: " + "; ".join(
                (f"{d['label']} [{d['kind']}]" if d["label"] and d["label"] != d["kind"] else d["kind"]) + f" ({d['event_id']})"
                for d in deals))
        events = list(dict.fromkeys(events))
        rows.append({"cycle": " -> ".join([*cycle, cycle[0]]), "length": len(cycle), "steps": " | ".join(hops),
                     "events": ", ".join(events),
                     "reactions": " | ".join(_reaction_text(graph, n, events) for n in cycle)})
    frame = pd.DataFrame(rows, columns=["cycle", "length", "steps", "events", "reactions"])
    return frame.sort_values(["length", "cycle"], ignore_index=True)


def spillover_candidates(events: list[Event]) -> pd.DataFrame:
    """Per deal, the listed firms whose reaction tells its spill-over.

    Columns ``event_id, ticker, name, relation``: the deal's own listed parties (relation
    ``party: <role>``) and the listed suppliers and competitors the catalog names for the
    deal's parties in other events: suppliers of its customers, competitors of its suppliers
    (relation ``supplier of OpenAI (2025-09-09-...)``).
    """
    names = _Names(events)
    # Who (by node key) is a supplier or competitor of whom, anywhere in the catalog: a supplier of the
    # deal's customers (or announcer), a competitor of its suppliers.
    related: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for e in events:
        keys = {p.name: names.key(e, p.name) for p in e.parties}
        buyers = [keys[p.name] for p in e.parties if p.role in (Role.CUSTOMER, Role.ANNOUNCER)]
        sellers = [keys[p.name] for p in e.parties if p.role == Role.SUPPLIER]
        for p in e.parties:
            if not p.ticker:
                continue
            of = buyers if p.role == Role.SUPPLIER else sellers if p.role == Role.COMPETITOR else []
            for other in of:
                related[other].append((p.ticker, base_name(p.name), f"{p.role.value} of {other}", e.id))
    rows = []
    for e in events:
        own = {p.ticker for p in e.parties if p.ticker}
        for p in e.parties:
            if p.ticker:
                rows.append({"event_id": e.id, "ticker": p.ticker, "name": base_name(p.name), "relation": f"party: {p.role.value}"})
        seen = set(own)
        for p in e.parties:
            for ticker, name, relation, where in related.get(names.key(e, p.name), []):
                if ticker not in seen and where != e.id:
                    seen.add(ticker)
                    rows.append({"event_id": e.id, "ticker": ticker, "name": name, "relation": f"{relation} ({where})"})
    return pd.DataFrame(rows, columns=["event_id", "ticker", "name", "relation"])


def spillover_table(candidates: pd.DataFrame, reactions: pd.DataFrame) -> pd.DataFrame:
    """``candidates`` with their reactions: ``abnormal_return_day0_pct, car_0_2_pct, t_day0, p_day0`` (percent; NaN if not measured)."""
    cols = ["event_id", "ticker", "abnormal_return_day0_pct", "car_0_2_pct", "t_day0", "p_day0"]
    measured = reactions[cols] if len(reactions) else pd.DataFrame(columns=cols)
    return candidates.merge(measured.drop_duplicates(["event_id", "ticker"]), on=["event_id", "ticker"], how="left")


# ---------------------------------------------------------------------------------------------- drawing
def _layout(graph: nx.MultiDiGraph) -> dict[str, np.ndarray]:
    """Positions: the largest component by Kamada-Kawai in a square that grows with its size; the small
    components stacked in columns to its right."""
    comps = sorted(nx.weakly_connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    pos: dict[str, np.ndarray] = {}
    if not comps:
        return pos
    main = comps[0]
    side = 1.7 * math.sqrt(len(main))
    if len(main) > 2:
        for n, xy in nx.kamada_kawai_layout(nx.Graph(graph.subgraph(main)), scale=side / 2).items():
            pos[n] = np.asarray(xy)
    else:
        pos.update({n: np.array([0.0, 0.7 - 1.4 * i]) for i, n in enumerate(sorted(main))})
    # Small components: top to bottom, then a new column.
    right = max(p[0] for p in pos.values())
    tops = max(p[1] for p in pos.values())
    x, y, top = right + 1.2, tops, tops
    for comp in comps[1:]:
        sub = nx.Graph(graph.subgraph(comp))
        height = 1.4 * (len(comp) - 1) if len(comp) <= 2 else 2.0
        if y - height < -tops and y != top:
            x, y = x + 1.3, top
        if len(comp) <= 2:
            order = sorted(comp, key=lambda n: -graph.out_degree(n))  # the payer on top
            for i, n in enumerate(order):
                pos[n] = np.array([x, y - 1.4 * i])
        else:
            for n, xy in nx.kamada_kawai_layout(sub, scale=1.0).items():
                pos[n] = np.array([x + xy[0], y - 1.0 + xy[1]])
        y -= height + 1.0
    return pos


def _edge_rads(graph: nx.MultiDiGraph) -> dict[tuple, float]:
    """Curvature per edge: opposite edges bend apart; parallel ones fan out."""
    rads, count = {}, defaultdict(int)
    for u, v, k in graph.edges(keys=True):
        i = count[(u, v)]
        count[(u, v)] += 1
        rads[(u, v, k)] = 0.2 + 0.25 * i
    return rads


def _bezier_point(p1: np.ndarray, p2: np.ndarray, rad: float, t: float = 0.5) -> np.ndarray:
    """Point ``t`` of matplotlib's arc3 curve from p1 to p2 (control point = mid + rad * (dy, -dx))."""
    d = p2 - p1
    ctrl = (p1 + p2) / 2 + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * p1 + 2 * (1 - t) * t * ctrl + t ** 2 * p2


def _label_t(graph: nx.MultiDiGraph, u: str, v: str) -> float:
    # Labels slide away from a busy hub towards the quieter end, so the hub's labels do not pile up.
    du, dv = graph.degree(u), graph.degree(v)
    return 0.5 if du == dv else (0.64 if du > dv else 0.36)


def _free_spot(p1: np.ndarray, p2: np.ndarray, rad: float, t0: float, half_w: float, half_h: float,
               placed: list[tuple[float, float, float, float]]) -> np.ndarray:
    """The point along the edge, nearest ``t0`` first, whose label box overlaps the placed boxes least."""
    def overlap(c: np.ndarray) -> float:
        return sum(max(0.0, min(c[0] + half_w, x1) - max(c[0] - half_w, x0)) * max(0.0, min(c[1] + half_h, y1) - max(c[1] - half_h, y0))
                   for x0, y0, x1, y1 in placed)

    best, best_area = _bezier_point(p1, p2, rad, t0), math.inf
    for shift in (0.0, -0.08, 0.08, -0.16, 0.16, -0.24, 0.24, -0.32, 0.32):
        point = _bezier_point(p1, p2, rad, min(max(t0 + shift, 0.12), 0.88))
        area = overlap(point)
        if area == 0.0:
            return point
        if area < best_area:
            best, best_area = point, area
    return best


def _node_label(node: str, attrs: dict) -> str:
    """Ticker for listed firms with a letter ticker, the name otherwise (private firms, 9984.T)."""
    return node if attrs["listed"] and node[0].isalpha() else attrs["name"]


def _norm(graph: nx.MultiDiGraph):
    from matplotlib.colors import TwoSlopeNorm

    values = [abs(a["mean_ar_pct"]) for _, a in graph.nodes(data=True) if not math.isnan(a["mean_ar_pct"])]
    top = max(values + [1.0])
    return TwoSlopeNorm(vmin=-top, vcenter=0.0, vmax=top)


def draw_web(graph: nx.MultiDiGraph, path: Path, *, title: str = "The deal web") -> Path:
    """Draw the web with matplotlib (PNG or SVG by ``path``'s suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pos = _layout(graph)
    norm, cmap = _norm(graph), plt.get_cmap("RdYlGn")
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    pad = 0.6
    inch = 2.3  # inches per layout unit
    fig, ax = plt.subplots(figsize=(inch * (xs.max() - xs.min() + 2 * pad) + 2.5, inch * (ys.max() - ys.min() + 2 * pad)))
    ax.set_aspect("equal")
    node_size = 3600.0
    radius_pt = math.sqrt(node_size) / 2
    cycle_edges = {(a, b) for c in nx.simple_cycles(nx.DiGraph(list(graph.edges()))) for a, b in zip(c, c[1:] + c[:1])}
    pt = 1.0 / (inch * 72.0)  # layout units per typographic point
    placed: list[tuple[float, float, float, float]] = [
        (p[0] - radius_pt * pt, p[1] - radius_pt * pt, p[0] + radius_pt * pt, p[1] + radius_pt * pt) for p in pos.values()]
    for (u, v, k), rad in _edge_rads(graph).items():
        d = graph.edges[u, v, k]
        on_cycle = (u, v) in cycle_edges
        ax.annotate("", xy=pos[v], xytext=pos[u], zorder=1,
                    arrowprops=dict(arrowstyle="-|>,head_length=0.8,head_width=0.4", connectionstyle=f"arc3,rad={rad}",
                                    color=EDGE_COLOURS.get(d["kind"], "grey"), lw=3.2 if on_cycle else 1.6,
                                    shrinkA=radius_pt, shrinkB=radius_pt + 2))
        text = f"{d['label']}\n{d['date']:%b %d}" if d["label"] else f"{d['kind']}\n{d['date']:%b %d}"
        half_w = 0.5 * 0.68 * 10 * max(len(line) for line in text.splitlines()) * pt
        half_h = 0.5 * 2.9 * 10 * pt
        mid = _free_spot(pos[u], pos[v], rad, _label_t(graph, u, v), half_w, half_h, placed)
        placed.append((mid[0] - half_w, mid[1] - half_h, mid[0] + half_w, mid[1] + half_h))
        ax.text(mid[0], mid[1], text, fontsize=10, ha="center", va="center", zorder=3,
                color=EDGE_COLOURS.get(d["kind"], "grey"),
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    for n, a in graph.nodes(data=True):
        value = a["mean_ar_pct"]
        if not a["listed"]:
            face, edge = "white", "#555555"
        elif math.isnan(value):
            face, edge = "#dddddd", "#999999"
        else:
            face, edge = cmap(norm(value)), "#333333"
        ax.scatter(*pos[n], s=node_size, c=[face], edgecolors=edge, linewidths=1.5, zorder=2)
        rgb = matplotlib.colors.to_rgb(face)
        ink = "white" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.5 else "black"  # legible on dark fills
        label = _node_label(n, a)
        sub = "private" if not a["listed"] else ("no AR" if math.isnan(value) else f"{value:+.1f}%")
        ax.text(pos[n][0], pos[n][1] + 0.02, label, fontsize=12.5, fontweight="bold", ha="center", va="bottom", zorder=4,
                color=ink if len(label) <= 6 else "black")
        ax.text(pos[n][0], pos[n][1] - 0.04, sub, fontsize=11, ha="center", va="top", zorder=4, color=ink)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(sm, ax=ax, shrink=0.5, pad=0.01)
    bar.set_label("node colour: mean abnormal return on day 0 of its deals drawn (%)", fontsize=12)
    handles = [Line2D([], [], color=c, lw=2, label=k) for k, c in EDGE_COLOURS.items()]
    handles.append(Line2D([], [], color="grey", lw=3.2, label="thick: on a cycle (circular deal)"))
    handles.append(Line2D([], [], marker="o", ls="", mfc="white", mec="#555555", ms=12, label="private company"))
    ax.legend(handles=handles, loc="lower left", fontsize=12, title="value flows (arrow: from -> to)", framealpha=0.9)
    ax.set_xlim(xs.min() - pad, xs.max() + pad)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_axis_off()
    ax.set_title(title, fontsize=18)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def web_html(graph: nx.MultiDiGraph, path: Path, *, title: str = "The deal web") -> Path:
    """Interactive HTML of the web (plotly, JavaScript inlined: opens offline); hover shows deals and reactions."""
    import plotly.graph_objects as go
    from matplotlib import colormaps

    pos = _layout(graph)
    norm, cmap = _norm(graph), colormaps["RdYlGn"]
    fig = go.Figure()
    mids_x, mids_y, mids_text, mids_label = [], [], [], []
    for (u, v, k), rad in _edge_rads(graph).items():
        d = graph.edges[u, v, k]
        p1, p2 = pos[u], pos[v]
        ctrl = (p1 + p2) / 2 + rad * np.array([(p2 - p1)[1], -(p2 - p1)[0]])
        t = np.linspace(0.08, 0.9, 24)[:, None]
        curve = (1 - t) ** 2 * p1 + 2 * (1 - t) * t * ctrl + t ** 2 * p2
        colour = EDGE_COLOURS.get(d["kind"], "grey")
        fig.add_trace(go.Scatter(x=curve[:, 0], y=curve[:, 1], mode="lines", line=dict(color=colour, width=2),
                                 hoverinfo="skip", showlegend=False))
        fig.add_annotation(x=curve[-1, 0], y=curve[-1, 1], ax=curve[-3, 0], ay=curve[-3, 1], xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.5, arrowcolor=colour, text="")
        mid = _bezier_point(p1, p2, rad, _label_t(graph, u, v))
        mids_x.append(mid[0])
        mids_y.append(mid[1])
        mids_text.append(f"{u} → {v}<br>{d['kind']}: {d['label'] or '—'}<br>{d['event_id']}")
        mids_label.append(d["label"] if d["label"] and len(d["label"]) <= 14 else d["kind"])
    fig.add_trace(go.Scatter(x=mids_x, y=mids_y, mode="markers+text", marker=dict(size=7, color="rgba(0,0,0,0.25)"),
                             text=mids_label, textposition="top center", textfont=dict(size=10, color="#444"),
                             hovertext=mids_text, hoverinfo="text", name="deals"))
    xs, ys, colours, labels, hovers, inks = [], [], [], [], [], []
    for n, a in graph.nodes(data=True):
        xs.append(pos[n][0])
        ys.append(pos[n][1])
        value = a["mean_ar_pct"]
        rgba = (1, 1, 1, 1) if not a["listed"] else ((0.87, 0.87, 0.87, 1) if math.isnan(value) else cmap(norm(value)))
        colours.append(f"rgba({int(rgba[0]*255)},{int(rgba[1]*255)},{int(rgba[2]*255)},1)")
        inks.append("white" if 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.5 else "black")  # legible on dark fills
        labels.append(_node_label(n, a))
        lines = [f"<b>{a['name']}</b> {a['ticker'] or '(private)'}"]
        lines += [f"{ev}: day-0 AR {ar:+.2f}%" for ev, ar in a["reactions"].items()]
        hovers.append("<br>".join(lines))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=labels, textposition="middle center",
                             textfont=dict(color=inks, size=12),
                             marker=dict(size=46, color=colours, line=dict(color="#333", width=1.5)),
                             hovertext=hovers, hoverinfo="text", name="companies"))
    fig.update_layout(title=title, showlegend=False, plot_bgcolor="white", width=1400, height=850,
                      xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path


# ---------------------------------------------------------------------------------------------- the job
@dataclass
class WebReport:
    """What :func:`write_web` produced: files, the cycles and the spill-over table (percent)."""

    files: list[Path]
    cycles: pd.DataFrame
    spillover: pd.DataFrame
    graph: nx.MultiDiGraph


def write_web(events: list[Event], reactions: pd.DataFrame, spill: pd.DataFrame, out: Path,
              *, since: dt.date | None = None) -> WebReport:
    """Build the web and write ``deal_web.png``, ``deal_web.svg``, ``deal_web.html``, ``cycles.csv`` and ``spillover.csv``.

    ``reactions``: the parties' reactions (``event_reactions``); ``spill``: the spill-over
    table (:func:`spillover_table`).
    """
    graph = build_web(events, reactions, since=since)
    title = "The deal web: value flows between companies" + (f" since {since}" if since else "")
    out.mkdir(parents=True, exist_ok=True)
    files = [draw_web(graph, out / "deal_web.png", title=title), draw_web(graph, out / "deal_web.svg", title=title),
             web_html(graph, out / "deal_web.html", title=title)]
    cycles = find_cycles(graph)
    cycles.to_csv(out / "cycles.csv", index=False)
    if since is not None:
        dates = {e.id: e.date for e in events}
        spill = spill[[dates[e] >= since for e in spill["event_id"]]]
    spill.to_csv(out / "spillover.csv", index=False)
    return WebReport(files + [out / "cycles.csv", out / "spillover.csv"], cycles, spill.reset_index(drop=True), graph)
