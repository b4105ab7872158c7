"""The report's charts, drawn offline with matplotlib's Agg/SVG canvases (no display, no pyplot state).

Each function takes rows of a report table (assets/reports/logic.py) and returns an SVG document as
text, which the HTML embeds inline (WeasyPrint renders inline SVG in the PDF). Text is kept as text
in a CJK-capable font family so Chinese labels render when fonts-noto-cjk is installed.
"""

from __future__ import annotations

import io

PALETTE = {"s1": "#1f4e79", "s2": "#2e86ab", "s2mb": "#8fc1e3", "s3": "#a3b18a", "target": "#c0392b",
           "net": "#7f8c8d", "grid": "#d9d9d9", "text": "#333333"}
FONT_FAMILY = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans", "sans-serif"]


def _figure(width_in: float = 6.8, height_in: float = 2.8):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100)
    return fig


def _style(ax) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.spines["left"].set_color(PALETTE["grid"])
    ax.spines["bottom"].set_color(PALETTE["grid"])
    ax.tick_params(colors=PALETTE["text"], labelsize=8)
    ax.yaxis.grid(True, color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)


def _svg(fig, name: str) -> str:
    """The figure as inline SVG, the same text for the same figure: no date in its metadata, and element ids
    salted with the chart's name (not at random), so a report's content can be compared between runs
    (assets/reports/outputs.py) and two charts of one page never share an id."""
    import matplotlib

    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": FONT_FAMILY,
                                "svg.hashsalt": f"carbonledger-{name}"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG is inlined in HTML


def _thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def history_chart(history: list[dict]) -> str:
    """Stacked bars per year: Scope 1, Scope 2 (location-based), Scope 3; market-based Scope 2 as a marker."""
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = _figure()
        ax = fig.add_subplot(1, 1, 1)
        years = [str(r["reporting_year"]) + (" (R)" if r.get("is_restated") else "") for r in history]
        s1 = [r["scope1_t_co2e"] or 0 for r in history]
        s2 = [r["scope2_location_based_t_co2e"] or 0 for r in history]
        s3 = [r["scope3_t_co2e"] or 0 for r in history]
        x = range(len(history))
        ax.bar(x, s1, 0.55, label="Scope 1", color=PALETTE["s1"])
        ax.bar(x, s2, 0.55, bottom=s1, label="Scope 2 (location-based)", color=PALETTE["s2"])
        ax.bar(x, s3, 0.55, bottom=[a + b for a, b in zip(s1, s2)], label="Scope 3 (reported)", color=PALETTE["s3"])
        mb = [(r["scope1_t_co2e"] or 0) + (r["scope2_market_based_t_co2e"] or 0) for r in history]
        ax.scatter(list(x), mb, marker="_", s=500, color="#111111", linewidths=2,
                   label="Scope 1 + 2 (market-based)", zorder=3)
        ax.set_xticks(list(x), years)
        ax.set_ylabel("t CO2e", fontsize=8)
        _thousands(ax)
        _style(ax)
        ax.legend(fontsize=7, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
        return _svg(fig, "history")


def scope3_chart(screening: list[dict]) -> str:
    """Horizontal bars of the computed Scope 3 categories (t CO2e)."""
    import matplotlib

    computed = [r for r in screening if r["t_co2e"] is not None]
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = _figure(6.8, 0.45 * max(len(computed), 2) + 0.6)
        ax = fig.add_subplot(1, 1, 1)
        labels = [f"{r['category_number']}. {r['category_name']}" for r in computed][::-1]
        values = [r["t_co2e"] for r in computed][::-1]
        ax.barh(range(len(values)), values, 0.6, color=[PALETTE["s3"] if r["is_reported"] else "#cccccc"
                                                        for r in computed][::-1])
        ax.set_yticks(range(len(values)), labels)
        ax.set_xlabel("t CO2e", fontsize=8)
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        _style(ax)
        ax.yaxis.grid(False)
        ax.xaxis.grid(True, color=PALETTE["grid"], linewidth=0.6)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:,.1f}", va="center", fontsize=7, color=PALETTE["text"])
        return _svg(fig, "scope3")


def neutrality_chart(progress: list[dict], neutrality_year: int | None) -> str:
    """Gross operational emissions against the linear target path to the neutrality year; net of credits dashed."""
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = _figure()
        ax = fig.add_subplot(1, 1, 1)
        years = [r["reporting_year"] for r in progress]
        gross = [r["t_co2e_gross_operational"] for r in progress]
        ax.bar(years, gross, 0.55, color=PALETTE["s2"], label="Gross operational (Scope 1 + 2 + operational Scope 3)")
        path_years = list(years)
        path = [r["target_path_t_co2e"] for r in progress]
        if progress and neutrality_year and neutrality_year > years[-1]:
            first = progress[0]
            base = first["target_path_t_co2e"] if first["target_path_t_co2e"] is not None else None
            # The path is linear; extend it to the neutrality year from the last two reported points.
            if len(progress) >= 2 and path[-1] is not None and path[-2] is not None:
                step = path[-1] - path[-2]
                path_years.append(neutrality_year)
                path.append(path[-1] + step * (neutrality_year - years[-1]))
            elif base is not None:
                path_years.append(neutrality_year)
                path.append(path[-1])
        ax.plot(path_years, path, color=PALETTE["target"], linewidth=1.6, marker="o", markersize=3,
                label="Target path")
        ax.plot(years, [r["t_co2e_net"] for r in progress], color=PALETTE["net"], linestyle="--", linewidth=1.2,
                marker="s", markersize=3, label="Net of retired credits (shown separately)")
        ax.set_ylabel("t CO2e", fontsize=8)
        ax.set_xticks(path_years, [str(y) for y in path_years])
        _thousands(ax)
        _style(ax)
        ax.legend(fontsize=7, frameon=False, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.12))
        return _svg(fig, "neutrality")


def pue_chart(datacenters: list[dict]) -> str:
    """PUE of each data centre for the year against its baseline."""
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = _figure(6.8, 2.4)
        ax = fig.add_subplot(1, 1, 1)
        names = [r["facility_id"] for r in datacenters]
        x = range(len(names))
        ax.bar([i - 0.18 for i in x], [r["baseline_pue"] or 0 for r in datacenters], 0.34, color="#cccccc",
               label="Baseline PUE")
        ax.bar([i + 0.18 for i in x], [r["pue"] or 0 for r in datacenters], 0.34, color=PALETTE["s1"], label="PUE")
        for i, r in enumerate(datacenters):
            if r["pue"]:
                ax.text(i + 0.18, r["pue"], f"{r['pue']:.2f}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(list(x), names)
        ax.set_ylim(1.0, max([(r["baseline_pue"] or 0) for r in datacenters] + [(r["pue"] or 0) for r in datacenters]
                             + [1.5]) * 1.1)
        _style(ax)
        ax.legend(fontsize=7, frameon=False, ncol=2)
        return _svg(fig, "pue")
