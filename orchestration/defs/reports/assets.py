"""Charts a reader of the studies expects, as PNG files and in the asset's metadata."""

import base64
import io

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.keys import table_key
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.reference.shared_facts import pattern_labels
from orchestration.settings import Settings

CHART_DEPS = [
    table_key(m)
    for m in (
        "fct_tech_group_monthly",
        "ind_pattern_matrix",
        "ind_gdp_shares",
        "ind_group_patterns",
    )
]


def _origin_label(origins: set[str]) -> str:
    return " (SYNTHETIC data)" if origins & {"synthetic", "mixed"} else " (real data)"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_monthly_imports(con) -> bytes:
    """Monthly imports by output category (billion USD), as PNG bytes."""
    plt = _pyplot()
    panel = con.execute(
        "SELECT month_start, output_category, sum(imports_usd) / 1e9 AS usd_bn, "
        "min(origin) AS origin FROM marts.fct_tech_group_monthly WHERE batch = 1 "
        "GROUP BY ALL ORDER BY month_start"
    ).df()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for category, part in panel.groupby("output_category"):
        ax.plot(part["month_start"], part["usd_bn"], label=category)
    ax.set_ylabel("imports, USD billion per month")
    ax.set_title(
        "Chokepoint technology imports by category (seed 000 Fig. 2)"
        + _origin_label(set(panel["origin"]))
    )
    ax.legend(fontsize=8)
    data = _png(fig)
    plt.close(fig)
    return data


def chart_pattern_matrix(con) -> bytes:
    """The groups' V and G against the pattern thresholds, as PNG bytes."""
    plt = _pyplot()
    patterns = con.execute(
        "SELECT group_name, v, g, pattern, origin FROM indicators.ind_group_patterns "
        "WHERE batch = 1 AND v IS NOT NULL AND g IS NOT NULL"
    ).df()
    fig, ax = plt.subplots(figsize=(9, 6))
    labels = pattern_labels()  # written once, in dbt_project/macros/shared_facts.sql
    colours = {
        labels["stockpiling"]: "tab:red",
        labels["no_effect"]: "tab:grey",
        labels["substitution"]: "tab:green",
    }
    for _, row in patterns.iterrows():
        ax.scatter(row["v"], row["g"], color=colours.get(row["pattern"], "black"))
        ax.annotate(row["group_name"], (row["v"], row["g"]), fontsize=7)
    ax.axhline(0.5, ls="--", color="black", lw=0.8)
    ax.axvline(0.30, ls="--", color="black", lw=0.8)
    ax.axvline(0.235, ls=":", color="black", lw=0.8)
    ax.set_xlabel("volatility index V")
    ax.set_ylabel("growth index G")
    ax.set_title("Pattern matrix, batch 1" + _origin_label(set(patterns["origin"])))
    data = _png(fig)
    plt.close(fig)
    return data


def chart_gdp_shares(con) -> bytes:
    """Capital and intermediate imports as shares of GDP per year, as PNG bytes."""
    plt = _pyplot()
    shares = con.execute(
        "SELECT trade_year, capital_share_of_gdp, intermediate_share_of_gdp, "
        "adj_capital_share_of_gdp, adj_intermediate_share_of_gdp, origin "
        "FROM indicators.ind_gdp_shares WHERE is_full_year ORDER BY trade_year"
    ).df()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for column, label in [
        ("capital_share_of_gdp", "capital"),
        ("intermediate_share_of_gdp", "intermediate"),
        ("adj_capital_share_of_gdp", "capital, excl. semiconductors"),
        ("adj_intermediate_share_of_gdp", "intermediate, excl. semiconductors"),
    ]:
        ax.plot(shares["trade_year"], 100 * shares[column], marker="o", label=label)
    ax.set_ylabel("% of GDP")
    ax.set_title(
        "Capital and intermediate imports over GDP (seed 000 Fig. 8)"
        + _origin_label(set(shares["origin"]))
    )
    ax.legend(fontsize=8)
    data = _png(fig)
    plt.close(fig)
    return data


# each chart, by the warehouse table it shows (the dbt step attaches it to that asset)
CHARTS = {
    "marts.fct_tech_group_monthly": ("monthly_imports_by_category.png", chart_monthly_imports),
    "indicators.ind_group_patterns": ("pattern_matrix.png", chart_pattern_matrix),
    "indicators.ind_gdp_shares": ("gdp_shares.png", chart_gdp_shares),
}


def render_charts(con) -> dict[str, bytes]:
    """Every chart, by file name."""
    return {name: draw(con) for name, draw in CHARTS.values()}


def chart_metadata(con, table: str) -> dict:
    """The chart of a table, as metadata of its asset.

    The chart of ``table`` as metadata of its asset: the image, and its file as served
    by the docs server. Nothing for a table without a chart, or one the chart cannot
    read yet.
    """
    if table not in CHARTS:
        return {}
    name, draw = CHARTS[table]
    try:
        data = draw(con)
    except Exception as exc:  # noqa: BLE001 - a chart never fails the build
        return {"chart": dg.MetadataValue.text(f"chart not drawn: {exc}")}
    settings = Settings.from_env()
    path = settings.reports_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    encoded = base64.b64encode(data).decode()
    return {
        "chart": dg.MetadataValue.md(f"![{name}](data:image/png;base64,{encoded})"),
        "chart_file": dg.MetadataValue.url(settings.docs_url(name)),
    }


@dg.asset(
    key=dg.AssetKey(["reports", "charts"]),
    deps=CHART_DEPS,
    group_name="reports",
    kinds={"python"},
    description="Seed 000 Figure 2, the pattern matrix and Figure 8 as PNG under reports/.",
)
def report_charts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Write the charts under reports/ and link each from the asset's metadata."""
    out = Settings.from_env().reports_dir
    out.mkdir(parents=True, exist_ok=True)
    with warehouse.connect() as con:
        charts = render_charts(con)
    metadata = {}
    for name, data in charts.items():
        (out / name).write_bytes(data)
        encoded = base64.b64encode(data).decode()
        metadata[name] = dg.MetadataValue.md(f"![{name}](data:image/png;base64,{encoded})")
        metadata[f"{name} url"] = dg.MetadataValue.url(Settings.from_env().docs_url(name))
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    # served to readers (chokepoint docs), after the publication it documents
    key=dg.AssetKey(["serving", "dbt_docs"]),
    deps=[dg.AssetKey(["serving", "publication"])],
    group_name="serving",
    kinds={"dbt"},
    description="dbt docs (every model and column described) under reports/dbt-docs/.",
)
def dbt_docs(dbt: DbtCliResource) -> dg.MaterializeResult:
    """Generate the dbt docs under reports/dbt-docs, served by the docs server."""
    target = Settings.from_env().reports_dir / "dbt-docs"
    dbt.cli(["docs", "generate", "--target-path", str(target)], raise_on_error=True).wait()
    # over http (chokepoint docs / ui): opened as a file the page cannot load its manifest
    return dg.MaterializeResult(
        metadata={
            "docs": dg.MetadataValue.url(Settings.from_env().docs_url("dbt-docs/index.html")),
            "index": dg.MetadataValue.path(str(target / "index.html")),
        }
    )


REPORT_ASSETS = [report_charts, dbt_docs]
