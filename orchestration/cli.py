"""The chokepoint command: run the pipeline, open the UI, generate data."""

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

from orchestration.settings import REPO_ROOT, WINDOW_START, Settings, apply_to_environment
from orchestration.usage import HelpFormatter, UsageError, month


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of --data-dir (else the environment), exported for subprocesses."""
    if getattr(args, "data_dir", None):
        os.environ["CHOKEPOINT_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    settings = Settings.from_env()
    if not settings.data_dir.is_dir() and not getattr(args, "init", False):
        given = "--data-dir" if getattr(args, "data_dir", None) else "CHOKEPOINT_DATA_DIR"
        raise UsageError(
            given,
            f"{settings.data_dir} is not a folder; give an existing "
            "data folder, or add --init to create it",
        )
    apply_to_environment(settings)
    # dbt must be on PATH for dagster-dbt (docs/architecture.md (stack notes: dbt on PATH)).
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    """``chokepoint run``: decide, launch, follow, report; 1 when a step or check failed."""
    from orchestration.runner import check_window

    check_window(args.month_from, args.month_to)
    settings = _settings(args)
    from orchestration.runner import run_pipeline

    report = run_pipeline(
        settings,
        month_from=args.month_from,
        month_to=args.month_to,
        synthetic=not args.no_synthetic,
        force=args.force,
    )
    print(report.render())
    return 0 if report.ok else 1


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cmd_ui(args: argparse.Namespace) -> int:
    """``chokepoint ui``: the Dagster UI and the docs server until Ctrl-C."""
    # before anything starts: a busy port would leave a second daemon running
    if not _port_free(args.port):
        raise UsageError(
            "--port",
            f"{args.port} is already in use on 127.0.0.1 (another "
            "chokepoint ui?); stop it or choose another --port",
        )
    settings = _settings(args)
    if not _port_free(settings.docs_port):
        raise UsageError(
            "CHOKEPOINT_DOCS_PORT",
            f"{settings.docs_port} (where the UI's "
            "links to the dbt docs and quality report point) is already in use "
            "on 127.0.0.1 (a chokepoint docs?); stop it or set another port",
        )
    from orchestration import docs_server
    from orchestration.defs.dbt.project import ensure_manifest

    ensure_manifest()  # the code server's definitions read it; importing them never parses
    docs = docs_server.start(settings.reports_dir, settings.docs_port)
    cmd = [
        str(Path(sys.executable).parent / "dagster"),
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(args.port),
    ]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C stops it)")
    print(f"dbt docs and quality report on http://127.0.0.1:{settings.docs_port}/")

    def reset_sigint() -> None:
        # `dagster dev` ignores SIGINT when started from a script (docs/architecture.md (stack
        # notes: stopping dagster dev from a script)).
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    # `dagster dev` names its successor `dg dev` on every start: not the user's business
    quiet = ",".join(
        filter(
            None, [os.environ.get("PYTHONWARNINGS"), "ignore:Function `dev_command` is superseded"]
        )
    )
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, preexec_fn=reset_sigint, env={**os.environ, "PYTHONWARNINGS": quiet}
    )

    def stop(signum, frame):
        raise KeyboardInterrupt  # a SIGTERM stops `dagster dev` too, never orphans it

    signal.signal(signal.SIGTERM, stop)
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
    finally:
        docs.shutdown()


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_docs(args: argparse.Namespace) -> int:
    """``chokepoint docs``: serve the reports folder until Ctrl-C or SIGTERM."""
    if args.port is not None:
        os.environ["CHOKEPOINT_DOCS_PORT"] = str(args.port)
    settings = _settings(args)
    port = settings.docs_port
    if not _port_free(port):
        raise UsageError(
            "--port",
            f"{port} is already in use on 127.0.0.1; stop what holds it or choose another --port",
        )
    from orchestration import docs_server

    server = docs_server.start(settings.reports_dir, port)
    base = f"http://127.0.0.1:{port}"
    if not (settings.reports_dir / "dbt-docs" / "index.html").exists():
        print("the dbt docs are not built yet: run chokepoint run (asset dbt_docs) first")
    print(f"dbt docs:       {base}/dbt-docs/index.html")
    print(f"quality report: {base}/quality/index.html")
    print("Ctrl-C stops the server.")
    # a parent that ignores SIGTERM (nohup, some launchers) passes that on to us: stop on
    # it anyway, as a service manager or a test expects
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """``chokepoint generate``: the synthetic inputs into empty landing folders."""
    settings = _settings(args)
    from orchestration.synthetic import ensure_bundled_inputs

    written = ensure_bundled_inputs(settings)
    for source, paths in written.items():
        print(f"{source}: {len(paths)} files written to {settings.landing(source)}")
    if not written:
        print("landing folders already hold files; nothing generated")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``chokepoint status``: the last run, the tables and the files loaded."""
    settings = _settings(args)
    from orchestration.status import render_status

    print(render_status(settings))
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    """``chokepoint revert``: set later customs files aside, then rebuild their months."""
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
            print(
                f"chokepoint revert: --vintage {args.vintage!r}: expected a time such as "
                "2026-11-20T08:00:00 (UTC)",
                file=sys.stderr,
            )
            return 2
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        done = revert_customs(con, cutoff)
    finally:
        con.close()
    if not done.files:
        print(f"nothing was loaded after {done.cutoff:%Y-%m-%d %H:%M:%S} UTC: nothing to revert")
        return 0
    print(
        f"set aside {len(done.files)} customs files loaded after "
        f"{done.cutoff:%Y-%m-%d %H:%M:%S} UTC: {', '.join(done.files)}"
    )
    print(f"rebuilding from the remaining vintages: {done.months[0]} .. {done.months[-1]}")
    report = run_pipeline(
        settings,
        month_from=done.months[0],
        month_to=done.months[-1],
        synthetic=False,
        include_annual=False,
        force=True,
    )
    print(report.render())
    return 0 if report.ok else 1


def cmd_bench(args: argparse.Namespace) -> int:
    """``chokepoint bench``: backfill, refresh and fixed cost as JSON."""
    settings = _settings(args)
    from orchestration.bench.run import run_bench

    bench_dir = Path(args.bench_dir) if args.bench_dir else settings.data_dir / "bench"
    result = run_bench(args.scale, bench_dir.resolve())
    print(json.dumps(result))
    return 0 if result["backfill_ok"] and result["refresh_ok"] else 1


EPILOG = """\
examples:
  chokepoint run --data-dir ~/chokepoint-data --init   first run: synthetic inputs, whole window
  chokepoint run --from 2019-01 --to 2019-12          rebuild one year
  chokepoint ui --port 3000                           the Dagster UI on http://127.0.0.1:3000
  chokepoint docs                                     the dbt docs and quality report over http
  chokepoint status                                   what was last materialized

Each command reads its data folder from --data-dir, else CHOKEPOINT_DATA_DIR, else ./data.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="chokepoint", description=__doc__, epilog=EPILOG, formatter_class=HelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, examples: str, description: str | None = None):
        text = description or help[0].upper() + help[1:] + "."
        return sub.add_parser(
            name,
            help=help,
            description=textwrap.fill(text, 88),
            epilog="examples:\n" + examples,
            formatter_class=HelpFormatter,
        )

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data-dir",
            metavar="DIR",
            help="data folder: warehouse, landing folders, reports, Dagster home "
            "(default: CHOKEPOINT_DATA_DIR, else ./data)",
        )
        p.add_argument(
            "--init",
            action="store_true",
            help="create the data folder when it does not exist (without it, a "
            "missing folder is refused)",
        )

    run = command(
        "run",
        "materialize every asset for a window of months",
        "  chokepoint run                                     the whole window\n"
        "  chokepoint run --from 2019-01 --to 2019-12         one year\n"
        "  chokepoint run --data-dir /tmp/cp --init           a new data folder\n"
        "  chokepoint run --no-synthetic --force              own files only, rebuild all\n",
        description="Load the annual sources and the customs months of the window, build "
        "the dbt models, run the checks, then print a report (exit 1 when a step "
        "or a blocking check failed).",
    )
    data_dir(run)
    run.add_argument(
        "--from",
        dest="month_from",
        default=WINDOW_START,
        type=month,
        metavar="YYYY-MM",
        help=f"first month of the window (not before {WINDOW_START})",
    )
    run.add_argument(
        "--to",
        dest="month_to",
        default=None,
        type=month,
        metavar="YYYY-MM",
        help="last month of the window (default: the latest month in the data)",
    )
    run.add_argument(
        "--no-synthetic",
        action="store_true",
        help="do not generate synthetic inputs into empty landing folders",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild the marts and indicators even when no input changed",
    )
    run.set_defaults(func=cmd_run)

    ui = command(
        "ui",
        "start the Dagster UI on 127.0.0.1",
        "  chokepoint ui                                      http://127.0.0.1:3000\n"
        "  chokepoint ui --port 3100 --data-dir /tmp/cp       another port and folder\n",
    )
    data_dir(ui)
    ui.add_argument(
        "--port",
        type=int,
        default=3000,
        help="port of the UI (default: 3000; refused when already in use)",
    )
    ui.set_defaults(func=cmd_ui)

    docs = command(
        "docs",
        "serve the dbt docs and the quality report over http on 127.0.0.1",
        "  chokepoint docs                                    http://127.0.0.1:3080\n"
        "  chokepoint docs --port 8000\n",
        description="Serve <data-dir>/reports (dbt docs under dbt-docs/, the quality "
        "report under quality/, the charts) on 127.0.0.1, the address the "
        "asset metadata in the UI links to. The dbt docs need http: opened "
        "as a file, their page cannot load its manifest.",
    )
    data_dir(docs)
    docs.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default: CHOKEPOINT_DOCS_PORT, else 3080; refused when already in use)",
    )
    docs.set_defaults(func=cmd_docs)

    gen = command(
        "generate",
        "write the synthetic inputs into empty landing folders",
        "  chokepoint generate --data-dir /tmp/cp --init\n",
    )
    data_dir(gen)
    gen.set_defaults(func=cmd_generate)

    bench = command(
        "bench",
        "measure backfill, refresh and fixed cost",
        "  chokepoint bench --scale small                     a minute or two\n"
        "  chokepoint bench --scale full --bench-dir /big/disk\n",
    )
    data_dir(bench)
    bench.add_argument(
        "--scale",
        choices=["small", "full"],
        default="small",
        help="size of the generated benchmark set (default: small)",
    )
    bench.add_argument(
        "--bench-dir",
        metavar="DIR",
        help="where the benchmark set lives (default: <data-dir>/bench)",
    )
    bench.set_defaults(func=cmd_bench)

    revert = command(
        "revert",
        "put the customs tables back as they were after a run or at a time",
        "  chokepoint revert --to 3ab3a351-53e3-4939-a3a4-26fd5e45492d\n"
        "  chokepoint revert --vintage 2026-11-20T08:00:00\n",
        description="Set aside every customs file loaded after a run (or a time), rebuild "
        "their months from the vintages that remain, and rebuild downstream.",
    )
    data_dir(revert)
    target = revert.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--to",
        dest="run_id",
        metavar="RUN_ID",
        help="the last good run (its id in the UI or the run report)",
    )
    target.add_argument(
        "--vintage",
        metavar="TIME",
        help="a UTC time (ISO, e.g. 2026-11-20T08:00:00): loads after it go",
    )
    revert.set_defaults(func=cmd_revert)

    status = command(
        "status",
        "what was last materialized, and which checks failed",
        "  chokepoint status --data-dir /tmp/cp\n",
    )
    data_dir(status)
    status.set_defaults(func=cmd_status)

    from orchestration.lib.customs.commands import add_parser as add_customs_commands

    add_customs_commands(sub, data_dir, _settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; 2 for an argument the pipeline cannot work with."""
    # Library notices (beta parameters, pyspark's pandas note) are not the user's business.
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support.*")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:multiprocessing.resource_tracker")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"chokepoint {args.command}: error: {exc}", file=sys.stderr)
        return 2


def entry() -> None:
    """Console script.

    Console script: exit without interpreter teardown, where DuckDB's bindings print
    reference-leak noise (nanobind) that says nothing about the run.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
