"""Local stand-ins for the UN Comtrade and World Bank APIs (127.0.0.1, random port).

``FakeServer`` answers each request from, in order: one-shot scripted responses queued
for the path (optionally only when a predicate on the query holds), then the handler
registered for the path, else 404. Every request is recorded (path, query, headers).
``FakeComtrade`` serves a small made-up Comtrade dataset (our own numbers, in the API v1
record shape) with availability, filtering and maxRecords truncation.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Response:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    gzip_body: bool = False  # send the body gzip'd (Content-Encoding: gzip)
    truncate_to: int | None = None  # cut the (encoded) body to this many bytes
    delay_s: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        body = self.body
        headers = dict(self.headers)
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        if self.gzip_body:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if self.truncate_to is not None:
            body = body[: self.truncate_to]
        return body, headers


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw_url: str


Handler = Callable[[Request], Response]


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.handlers: dict[str, Handler] = {}
        self.scripted: list[tuple[str, Callable[[dict], bool] | None, Response]] = []
        self._lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                req = Request(
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {k: v for k, v in self.headers.items()},
                    self.path,
                )
                resp = outer._answer(req)
                if resp.delay_s:
                    threading.Event().wait(resp.delay_s)
                body, headers = resp.encoded()
                try:
                    self.send_response(resp.status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def script(
        self, path: str, *responses: Response, when: Callable[[dict], bool] | None = None
    ) -> None:
        with self._lock:
            for r in responses:
                self.scripted.append((path, when, r))

    def _answer(self, req: Request) -> Response:
        with self._lock:
            self.requests.append(req)
            for i, (path, when, resp) in enumerate(self.scripted):
                if path == req.path and (when is None or when(req.query)):
                    del self.scripted[i]
                    return resp
        handler = self.handlers.get(req.path)
        return handler(req) if handler else Response(404, {"error": "not found"})

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# ----------------------------------------------------------------------------- Comtrade
DATA = "/data/v1/get/C/A/HS"
AVAIL = "/data/v1/getDa/C/A/HS"
PUBLIC_AVAIL = "/public/v1/getDa/C/A/HS"
ISO = {156: "CHN", 842: "USA", 392: "JPN", 276: "DEU", 410: "KOR", 0: "W00", 97: "EUR"}


def comtrade_record(
    year: int,
    reporter: int,
    flow: str,
    partner: int,
    cmd: str,
    value: float,
    *,
    partner2: int = 0,
    customs: str = "C00",
    mot: int = 0,
    cl: str = "H5",
) -> dict[str, Any]:
    """One API v1 record (the 47 fields) with made-up numbers."""
    level = 0 if cmd == "TOTAL" else len(cmd)
    return {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": int(f"{year}0101"),
        "refYear": year,
        "refMonth": 52,
        "period": str(year),
        "reporterCode": reporter,
        "reporterISO": ISO.get(reporter, "XXX"),
        "reporterDesc": f"Reporter {reporter}",
        "flowCode": flow,
        "flowDesc": {"M": "Import", "X": "Export"}.get(flow, flow),
        "partnerCode": partner,
        "partnerISO": ISO.get(partner, "YYY"),
        "partnerDesc": "World" if partner == 0 else f"Partner {partner}",
        "partner2Code": partner2,
        "partner2ISO": "W00" if partner2 == 0 else "ZZZ",
        "partner2Desc": "World",
        "classificationCode": cl,
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": cmd,
        "cmdDesc": f"Commodity {cmd}",
        "aggrLevel": level,
        "isLeaf": level == 6,
        "customsCode": customs,
        "customsDesc": "TOTAL CPC" if customs == "C00" else "other",
        "mosCode": "0",
        "motCode": mot,
        "motDesc": "TOTAL MOT" if mot == 0 else "other",
        "qtyUnitCode": 8,
        "qtyUnitAbbr": "kg",
        "qty": value / 50,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": None,
        "isAltQtyEstimated": False,
        "netWgt": value / 50,
        "isNetWgtEstimated": False,
        "grossWgt": None,
        "isGrossWgtEstimated": False,
        "cifvalue": value if flow == "M" else None,
        "fobvalue": value if flow == "X" else None,
        "primaryValue": value,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": partner == 0,
    }


class FakeComtrade:
    """A FakeServer serving a made-up Comtrade dataset."""

    def __init__(self, server: FakeServer, key: str | None = "test-key-SECRET-123") -> None:
        self.server = server
        self.key = key
        self.records: list[dict] = []
        self.published: dict[tuple[int, int], str] = {}  # (reporter, year) -> lastReleased
        server.route(DATA, self._data)
        server.route(AVAIL, self._availability)
        server.route(PUBLIC_AVAIL, self._availability)

    def publish(self, reporter: int, year: int, released: str = "2024-07-01") -> None:
        self.published[(reporter, year)] = released

    def add(self, *records: dict) -> None:
        self.records.extend(records)

    def _authorized(self, req: Request) -> bool:
        headers = {k.lower(): v for k, v in req.headers.items()}
        return (
            self.key is None
            or headers.get("ocp-apim-subscription-key") == self.key
            or req.query.get("subscription-key") == self.key
        )

    def _availability(self, req: Request) -> Response:
        if req.path == AVAIL and not self._authorized(req):
            return Response(401, {"statusCode": 401, "message": "Access denied"})
        periods = {int(p) for p in req.query.get("period", "").split(",") if p}
        reporters = {int(r) for r in req.query.get("reporterCode", "").split(",") if r}
        data = [
            {
                "datasetCode": int(f"{r}{y}"),
                "typeCode": "C",
                "freqCode": "A",
                "period": str(y),
                "reporterCode": r,
                "reporterISO": ISO.get(r, "XXX"),
                "classificationCode": "H5",
                "isOriginalClassification": True,
                "totalRecords": 1000,
                "firstReleased": released,
                "lastReleased": released,
            }
            for (r, y), released in sorted(self.published.items())
            if (not periods or y in periods) and (not reporters or r in reporters)
        ]
        return Response(
            200, {"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""}
        )

    def _data(self, req: Request) -> Response:
        if not self._authorized(req):
            return Response(
                401,
                {"statusCode": 401, "message": "Access denied due to missing subscription key."},
            )
        q = req.query

        def split(name: str) -> set[str] | None:
            return set(q[name].split(",")) if q.get(name) else None

        reporters, partners, flows = split("reporterCode"), split("partnerCode"), split("flowCode")
        cmds, period = split("cmdCode") or {"TOTAL"}, q.get("period")
        out = []
        for r in self.records:
            if period and str(r["refYear"]) != period:
                continue
            if reporters and str(r["reporterCode"]) not in reporters:
                continue
            if partners and str(r["partnerCode"]) not in partners:
                continue
            if flows and r["flowCode"] not in flows:
                continue
            if q.get("partner2Code") and str(r["partner2Code"]) != q["partner2Code"]:
                continue
            code = r["cmdCode"]
            if not (
                code in cmds
                or ("AG6" in cmds and r["aggrLevel"] == 6)
                or ("AG4" in cmds and r["aggrLevel"] == 4)
            ):
                continue
            out.append(r)
        limit = int(q.get("maxRecords") or 100_000)
        out = out[:limit]
        return Response(
            200,
            {"elapsedTime": "0.02 secs", "count": len(out), "data": out, "error": ""},
            gzip_body=True,
        )


# ----------------------------------------------------------------------------- World Bank
def worldbank_handler(
    rows: list[dict], lastupdated: str = "2025-07-01", per_page_cap: int = 2
) -> Handler:
    """World Bank API v2 indicator answers, paged ``per_page_cap`` rows a page."""

    def handle(req: Request) -> Response:
        page = int(req.query.get("page", 1))
        per_page = min(int(req.query.get("per_page", 50)), per_page_cap)
        chunk = rows[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(rows) // per_page))
        head = {
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "total": len(rows),
            "sourceid": "2",
            "lastupdated": lastupdated,
        }
        return Response(200, [head, chunk])

    return handle
