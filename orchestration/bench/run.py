"""``chokepoint bench``: full backfill, monthly refresh, fixed cost, baselines.

Prints progress, then, last, one JSON object with the figures (README: Benchmark).
"""

import contextlib
import csv
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psutil

from orchestration.bench.scale_data import (
    ENCODING,
    SCALES,
    Scale,
    customs_name,
    generate_scaled,
    source_dir,
)
from orchestration.lib.months import previous_month
from orchestration.settings import BUNDLED_DATA_DIR, WINDOW_START, Settings

HERE = Path(__file__).resolve().parent


class PeakRss:
    """Samples the resident memory of this process and all its children."""

    def __init__(self, interval: float = 0.2) -> None:
        """Sample every ``interval`` seconds."""
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> "PeakRss":
        """Start sampling."""
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop sampling; ``peak`` holds the highest RSS seen."""
        self._stop.set()
        self._thread.join()


def _link(source: Path, target: Path) -> None:
    """The generated file into the landing folder.

    A hard link where the file system allows (no copy of gigabytes), else a copy.
    """
    target.unlink(missing_ok=True)
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)


def _prepare_landing(settings: Settings, data_dir: Path, held_month: str) -> None:
    """Landing folder of a clean backfill.

    Every generated customs file but those of the held-back month (the refresh releases it),
    nothing left from an earlier bench.
    """
    landing = settings.landing("customs")
    landing.mkdir(parents=True, exist_ok=True)
    for old in landing.glob("bench_synthetic_*"):
        old.unlink()
    for folder in ("_archive", "_refused"):
        shutil.rmtree(landing / folder, ignore_errors=True)
    held = held_month.replace("-", "")
    for path in sorted(source_dir(data_dir).glob("bench_synthetic_*_import_p*.csv")):
        if path.name.split("_")[2] != held:
            _link(path, landing / path.name)


def _revise(source: Path, target: Path, factor_percent: int = 101) -> int:
    """A revised release of one portal file.

    The same rows and layout (GB18030, quoted, trailing comma, thousands separators), each value
    times factor_percent / 100.
    """
    rows = 0
    with (
        source.open(encoding=ENCODING, newline="") as src,
        target.open("w", encoding=ENCODING, newline="") as out,
    ):
        header = next(src)
        out.write(header)
        cells = next(csv.reader([header]))
        value = cells.index("美元")
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=",\n")
        for line in csv.reader(src):
            if not line:
                continue
            line[value] = f"{int(line[value].replace(',', '')) * factor_percent // 100:,}"
            writer.writerow(line[:-1])  # the empty field after the trailing comma
            rows += 1
    return rows


def _month_files(data_dir: Path, month: str) -> list[Path]:
    return sorted(source_dir(data_dir).glob(customs_name(month, 0).replace("p000", "p*")))


def _write_refresh_files(settings: Settings, data_dir: Path, scale: Scale) -> tuple[str, str]:
    """The release of the last month (held back from the backfill).

    Its files, as generated, and revised files of the two months before it, as GACC revises
    them.
    """
    new = scale.last_month
    last = previous_month(new)
    revised = [previous_month(last), last]
    landing = settings.landing("customs")
    for month in revised:
        for path in _month_files(data_dir, month):
            _revise(
                path, landing / path.name.replace("bench_synthetic_", "bench_synthetic_refresh_")
            )
    for path in _month_files(data_dir, new):
        _link(path, landing / path.name)
    return revised[0], new


def _run(settings: Settings, first: str, last: str, annual: bool = True, force: bool = False):
    from orchestration.runner import run_pipeline

    started = time.perf_counter()
    with PeakRss() as rss:
        report = run_pipeline(
            settings,
            month_from=first,
            month_to=last,
            synthetic=False,
            include_annual=annual,
            force=force,
        )
    return report, time.perf_counter() - started, rss.peak / 2**20


def _cli_run(data_dir: Path, first: str, last: str) -> float:
    """Wall seconds of ``chokepoint run`` as a user types it.

    A new process, with the imports, the definitions and the launch that an in-process run does
    not pay.
    """
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--data-dir",
            str(data_dir),
            "--from",
            first,
            "--to",
            last,
            "--no-synthetic",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started


def _decode_customs(data_dir: Path, target: Path) -> int:
    """The portal files as one UTF-8 CSV for DuckDB, which reads no GB18030 without an extension.

    One streaming pass with Python's codec, a file at a time in chunks, the header kept once.
    Part of the baseline's time.
    """
    files = sorted(source_dir(data_dir).glob("bench_synthetic_*_import_p*.csv"))
    with target.open("w", encoding="utf-8", newline="") as out:
        for i, path in enumerate(files):
            with path.open(encoding=ENCODING, newline="") as src:
                header = src.readline()
                if i == 0:
                    out.write(header)
                while chunk := src.read(1 << 22):
                    out.write(chunk)
    return len(files)


def _baseline(settings: Settings) -> float:
    ref = BUNDLED_DATA_DIR / "reference"
    decoded = settings.data_dir / "baseline_customs_utf8.csv"
    sql = (
        (HERE / "baseline.sql")
        .read_text()
        .format(
            customs_file=decoded,
            fx=ref / "fx" / "fred_monthly.csv",
            weo=ref / "gdp" / "weo_2025oct_all_countries_ngdpd_ngdp.csv",
            batches=ref / "batches" / "batch_*.csv",
            bec=ref / "bec" / "unsd_hs2017_to_bec4.csv",
            comtrade_glob=settings.landing("comtrade") / "*.txt.gz",
            window_start=WINDOW_START,
        )
    )
    db = settings.data_dir / "baseline.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    _decode_customs(settings.data_dir, decoded)
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()
    elapsed = time.perf_counter() - started
    decoded.unlink(missing_ok=True)
    return elapsed


def _pandas_baseline(settings: Settings) -> dict:
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "pandas_baseline.py"),
            str(settings.data_dir / "source"),
            str(BUNDLED_DATA_DIR / "reference"),
            WINDOW_START,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["pandas_wall_s"] = round(time.perf_counter() - started, 2)
    figures["pandas_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return figures


def run_bench(scale_name: str, bench_dir: Path) -> dict:
    """Run the backfill, the no-op, the rebuild and the refresh of a scale; the figures."""
    scale = SCALES[scale_name]
    data_dir = bench_dir / scale.name
    settings = Settings(data_dir=data_dir)
    from orchestration.settings import apply_to_environment, write_dagster_yaml

    apply_to_environment(settings)
    print(f"[bench] generating {scale.name} set in {data_dir} (kept between runs)", flush=True)
    sizes = generate_scaled(scale, data_dir, BUNDLED_DATA_DIR / "reference")
    # a clean warehouse and a fresh instance: the backfill loads everything, as a first run
    for folder in ("warehouse", "dagster_home"):
        shutil.rmtree(data_dir / folder, ignore_errors=True)
    write_dagster_yaml(settings.dagster_home)
    _prepare_landing(settings, data_dir, scale.last_month)

    # the last month is held back: the refresh below releases it
    backfill_to = previous_month(scale.last_month)
    print(f"[bench] full backfill {scale.first_month}..{backfill_to}", flush=True)
    backfill, backfill_s, peak_mb = _run(settings, scale.first_month, backfill_to)
    if not backfill.ok:
        print(backfill.render())
    print(f"[bench] backfill {backfill_s:.1f} s, peak {peak_mb:.0f} MB", flush=True)

    print("[bench] run with nothing to do (fixed cost)", flush=True)
    _, fixed_s, _ = _run(settings, backfill_to, backfill_to, annual=False)
    print("[bench] the same from the command line", flush=True)
    fixed_cli_s = _cli_run(data_dir, backfill_to, backfill_to)
    print("[bench] forced rebuild with nothing new (the build's own floor)", flush=True)
    _, build_floor_s, _ = _run(settings, backfill_to, backfill_to, annual=False, force=True)

    print("[bench] monthly refresh: one new month plus revisions of the two before", flush=True)
    first, new = _write_refresh_files(settings, data_dir, scale)
    refresh, refresh_s, refresh_peak = _run(settings, first, new, annual=False)

    print("[bench] plain DuckDB baseline", flush=True)
    baseline_s = _baseline(settings)

    result = {
        "scale": scale.name,
        "backfill_s": round(backfill_s, 2),
        "baseline_s": round(baseline_s, 2),
        "ratio_vs_baseline": round(backfill_s / baseline_s, 2),
        "ratio_vs_baseline_minus_fixed": round(max(backfill_s - fixed_s, 0) / baseline_s, 2),
        "refresh_s": round(refresh_s, 2),
        "refresh_over_backfill": round(refresh_s / backfill_s, 3),
        "fixed_cost_s": round(fixed_s, 2),
        "fixed_cost_cli_s": round(fixed_cli_s, 2),
        "build_floor_s": round(build_floor_s, 2),
        "refresh_over_floor_plus_5pct": round(refresh_s / (build_floor_s + 0.05 * backfill_s), 2),
        "checks_s": round(refresh.stage_seconds.get("checks", 0.0), 2),
        "checks_share_of_refresh": round(refresh.stage_seconds.get("checks", 0.0) / refresh_s, 3),
        "backfill_checks_s": round(backfill.stage_seconds.get("checks", 0.0), 2),
        "peak_rss_mb": round(peak_mb, 1),
        "refresh_peak_rss_mb": round(refresh_peak, 1),
        "rows_customs": sizes["rows_customs"],
        "rows_comtrade": sizes["rows_comtrade"],
        "files_customs": sizes["files_customs"],
        "max_file_rows": scale.max_file_rows,
        "customs_rows_per_s": round(sizes["rows_customs"] / backfill_s, 1),
        "backfill_ok": backfill.ok,
        "refresh_ok": refresh.ok,
        "stages_backfill_s": {k: round(v, 2) for k, v in backfill.stage_seconds.items()},
        "stages_refresh_s": {k: round(v, 2) for k, v in refresh.stage_seconds.items()},
    }
    if scale.name == "small":
        result.update(_pandas_baseline(settings))
    return result
