"""One HTML page over the last run's validation results (a Data Docs equivalent)."""

import html
import json
from pathlib import Path

from orchestration.lib.atomic import write_text


def build_quality_report(quality_dir: Path) -> Path:
    """Write quality/index.html over the newest result of each suite; returns its path."""
    quality_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for path in sorted(quality_dir.glob("*.json")):
        try:
            results.append((path, json.loads(path.read_text())))
        except json.JSONDecodeError:
            continue
    latest: dict[str, tuple[Path, dict]] = {}
    for path, payload in results:
        suite = payload.get("suite", path.stem)
        if suite not in latest or payload["validated_at"] > latest[suite][1]["validated_at"]:
            latest[suite] = (path, payload)
    rows = []
    for suite, (path, payload) in sorted(latest.items()):
        for r in payload["results"]:
            state = "pass" if r["success"] else ("FAIL" if r["severity"] == "error" else "warn")
            rows.append(
                f"<tr class='{state}'><td>{html.escape(suite)}</td>"
                f"<td>{html.escape(r['expectation'])}</td>"
                f"<td>{html.escape(json.dumps(r['kwargs'])[:120])}</td>"
                f"<td>{r['severity']}</td><td>{state}</td>"
                f"<td>{html.escape(str(r['observed_value'])[:80])}</td>"
                f"<td>{html.escape(json.dumps(r['offending_examples'])[:200])}</td>"
                f"<td><a href='{path.name}'>{payload['validated_at'][:19]}</a></td></tr>"
            )
    page = (
        "<!doctype html><meta charset='utf-8'><title>Chokepoint data quality</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:3px}"
        ".FAIL{background:#fdd}.warn{background:#ffd}table{border-collapse:collapse}</style>"
        "<h1>Chokepoint data quality: latest validation per suite</h1>"
        "<table><tr><th>suite</th><th>expectation</th><th>arguments</th><th>severity</th>"
        "<th>result</th><th>observed</th><th>offending examples</th><th>validated</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    target = quality_dir / "index.html"
    write_text(target, page)
    return target
