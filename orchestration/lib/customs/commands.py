"""The `chokepoint customs coverage` and `chokepoint customs plan` subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from orchestration.settings import WINDOW_START, Settings
from orchestration.usage import HelpFormatter
from orchestration.usage import month as _month


def cmd_coverage(args: argparse.Namespace, settings: Settings) -> int:
    """``chokepoint customs coverage``: print what the loaded files cover, and write a CSV."""
    from orchestration.lib.customs import coverage

    try:
        con = coverage.connect(settings.warehouse_path)
        try:
            rows = coverage.coverage_rows(con, args.month_from, args.month_to, args.grain)
            revisions = coverage.revision_count(con)
        finally:
            con.close()
    except coverage.NotBuilt as exc:
        print(exc)
        return 1
    print(coverage.render(rows, show_all=args.all, revisions=revisions))
    out = coverage.write_csv(rows, settings.reports_dir / "customs_coverage.csv")
    print(f"\nwritten: {out}")
    return 0


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    """``chokepoint customs plan``: print the downloads that would fill the window's gaps."""
    from orchestration.lib.customs import coverage, plan

    try:
        con = coverage.connect(settings.warehouse_path)
        try:
            month_to = (
                args.month_to
                or con.execute(
                    "SELECT max(period_month) FROM raw.customs_monthly_trade"
                ).fetchone()[0]
            )
            if month_to is None:
                print("nothing loaded yet: give --to YYYY-MM for the end of the window")
                return 1
            queries = plan.build_plan(con, args.month_from, month_to, args.grain, args.scope)
        finally:
            con.close()
    except coverage.NotBuilt as exc:
        print(exc)
        return 1
    print(plan.render(queries, args.month_from, month_to, args.grain))
    out = plan.write_csv(queries, settings.reports_dir / "customs_plan.csv")
    print(f"\nwritten: {out}")
    if queries:
        manifest = plan.write_manifest(queries, settings.landing("customs"))
        print(f"file names recorded in {manifest} (flow and codes asked for)")
    return 0


def add_parser(sub, data_dir: Callable, settings: Callable) -> None:
    """Register `customs coverage` and `customs plan` on the CLI's subparsers."""
    customs = sub.add_parser(
        "customs",
        help="coverage of the customs files, and the download plan that completes it",
        formatter_class=HelpFormatter,
        epilog="examples:\n  chokepoint customs coverage --from 2019-01\n"
        "  chokepoint customs plan --grain commodity,partner\n",
    )
    inner = customs.add_subparsers(dest="customs_command", required=True)

    cov = inner.add_parser(
        "coverage",
        help="per month, flow and grain: codes loaded, missing, and months that look incomplete",
        formatter_class=HelpFormatter,
        epilog="examples:\n  chokepoint customs coverage\n"
        "  chokepoint customs coverage --from 2019-01 --to 2019-12 --all\n"
        "  chokepoint customs coverage --grain commodity,partner\n",
    )
    data_dir(cov)
    cov.add_argument(
        "--from",
        dest="month_from",
        type=_month,
        metavar="YYYY-MM",
        help="first month shown (default: the first loaded)",
    )
    cov.add_argument(
        "--to",
        dest="month_to",
        type=_month,
        metavar="YYYY-MM",
        help="last month shown (default: the last loaded)",
    )
    cov.add_argument("--grain", help="only this grain, e.g. commodity,partner")
    cov.add_argument("--all", action="store_true", help="list complete months too")
    cov.set_defaults(func=lambda a: cmd_coverage(a, settings(a)))

    pl = inner.add_parser(
        "plan",
        help="the portal queries still needed for the window",
        formatter_class=HelpFormatter,
        epilog="examples:\n  chokepoint customs plan --to 2024-12\n"
        "  chokepoint customs plan --grain commodity,partner --scope list\n",
    )
    data_dir(pl)
    pl.add_argument(
        "--from",
        dest="month_from",
        type=_month,
        default=WINDOW_START,
        metavar="YYYY-MM",
        help=f"first month of the window (default: {WINDOW_START})",
    )
    pl.add_argument(
        "--to",
        dest="month_to",
        type=_month,
        metavar="YYYY-MM",
        help="default: the latest month loaded",
    )
    pl.add_argument(
        "--grain",
        choices=["commodity", "commodity,partner"],
        default="commodity",
        help="the grain the plan completes (default: commodity)",
    )
    pl.add_argument(
        "--scope",
        choices=["analysis", "list"],
        default="analysis",
        help="codes the commodity grain must complete: the batch codes and "
        "the codes already held (analysis), or China Customs' whole HS8 list "
        "of each year too (list)",
    )
    pl.set_defaults(func=lambda a: cmd_plan(a, settings(a)))
