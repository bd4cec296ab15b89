"""The ``chokepoint`` command: run the pipeline, open the UI, generate data."""

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from orchestration.settings import REPO_ROOT, Settings, apply_to_environment


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "data_dir", None):
        os.environ["CHOKEPOINT_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    settings = Settings.from_env()
    apply_to_environment(settings)
    # dbt must be on PATH for dagster-dbt (STACK.md pitfall 5).
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from orchestration.runner import run_pipeline

    report = run_pipeline(
        settings, month_from=args.month_from, month_to=args.month_to,
        synthetic=not args.no_synthetic, force=args.force,
    )
    print(report.render())
    return 0 if report.ok else 1


def cmd_ui(args: argparse.Namespace) -> int:
    _settings(args)
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-w",
           str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C stops it)")

    def reset_sigint() -> None:
        # `dagster dev` ignores SIGINT when started from a script (STACK.md pitfall 10).
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, preexec_fn=reset_sigint)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        print("Dagster UI stopped.")
        return 0


def cmd_generate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from orchestration.synthetic import ensure_bundled_inputs

    written = ensure_bundled_inputs(settings)
    for source, paths in written.items():
        print(f"{source}: {len(paths)} files written to {settings.landing(source)}")
    if not written:
        print("landing folders already hold files; nothing generated")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from orchestration.status import render_status

    print(render_status(settings))
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from datetime import datetime

    import duckdb

    from orchestration.revert import cutoff_of_run, revert_customs
    from orchestration.runner import run_pipeline

    if args.run_id:
        cutoff = cutoff_of_run(args.run_id)
    else:
        try:
            cutoff = datetime.fromisoformat(args.vintage)
        except ValueError:
            print(f"chokepoint revert: --vintage {args.vintage!r}: expected a time such as "
                  "2026-11-20T08:00:00 (UTC)", file=sys.stderr)
            return 2
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        done = revert_customs(con, cutoff)
    finally:
        con.close()
    if not done.files:
        print(f"nothing was loaded after {done.cutoff:%Y-%m-%d %H:%M:%S} UTC: nothing to revert")
        return 0
    print(f"set aside {len(done.files)} customs files loaded after "
          f"{done.cutoff:%Y-%m-%d %H:%M:%S} UTC: {', '.join(done.files)}")
    print(f"rebuilding from the remaining vintages: {done.months[0]} .. {done.months[-1]}")
    report = run_pipeline(settings, month_from=done.months[0], month_to=done.months[-1],
                          synthetic=False, include_annual=False, force=True)
    print(report.render())
    return 0 if report.ok else 1


def cmd_bench(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from orchestration.bench.run import run_bench

    bench_dir = Path(args.bench_dir) if args.bench_dir else settings.data_dir / "bench"
    result = run_bench(args.scale, bench_dir.resolve())
    print(json.dumps(result))
    return 0 if result["backfill_ok"] and result["refresh_ok"] else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chokepoint", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data folder (default ./data or CHOKEPOINT_DATA_DIR)")

    run = sub.add_parser("run", help="materialize every asset for a window of months")
    data_dir(run)
    run.add_argument("--from", dest="month_from", default="2015-01", metavar="YYYY-MM")
    run.add_argument("--to", dest="month_to", default=None, metavar="YYYY-MM",
                     help="default: the latest month in the data")
    run.add_argument("--no-synthetic", action="store_true",
                     help="do not generate synthetic inputs into empty landing folders")
    run.add_argument("--force", action="store_true",
                     help="rebuild the marts and indicators even when no input changed")
    run.set_defaults(func=cmd_run)

    ui = sub.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    data_dir(ui)
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    gen = sub.add_parser("generate", help="write the synthetic inputs into empty landing folders")
    data_dir(gen)
    gen.set_defaults(func=cmd_generate)

    bench = sub.add_parser("bench", help="measure backfill, refresh and fixed cost")
    data_dir(bench)
    bench.add_argument("--scale", choices=["small", "full"], default="small")
    bench.add_argument("--bench-dir", help="where the benchmark set lives (default "
                       "<data-dir>/bench)")
    bench.set_defaults(func=cmd_bench)

    revert = sub.add_parser(
        "revert", help="put the customs tables back as they were after a run or at a time",
        description="Set aside every customs file loaded after a run (or a time), rebuild "
                    "their months from the vintages that remain, and rebuild downstream. "
                    "Example: chokepoint revert --to 3ab3a351-53e3-4939-a3a4-26fd5e45492d")
    data_dir(revert)
    target = revert.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", dest="run_id", metavar="RUN_ID",
                        help="the last good run (its id in the UI or the run report)")
    target.add_argument("--vintage", metavar="TIME",
                        help="a UTC time (ISO, e.g. 2026-11-20T08:00:00): loads after it go")
    revert.set_defaults(func=cmd_revert)

    status = sub.add_parser("status", help="what was last materialized, and which checks failed")
    data_dir(status)
    status.set_defaults(func=cmd_status)

    from orchestration.defs.customs.commands import add_parser as add_customs_commands

    add_customs_commands(sub, data_dir, _settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Library notices (beta parameters, pyspark's pandas note) are not the user's business.
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support.*")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:multiprocessing.resource_tracker")
    args = build_parser().parse_args(argv)
    return args.func(args)


def entry() -> None:
    """Console script: exit without interpreter teardown, where DuckDB's bindings print
    reference-leak noise (nanobind) that says nothing about the run."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
