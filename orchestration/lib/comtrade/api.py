"""UN Comtrade API v1 connector: availability, split queries, retries, a gzip cache.

Why plain ``requests`` and not ``comtradeapicall`` for the HTTP calls
---------------------------------------------------------------------
``comtradeapicall`` (1.3.2) is UN Comtrade's official Python client and stays the
documented way to make the same calls by hand: :meth:`SubQuery.comtradeapicall_kwargs`
gives the exact arguments of ``comtradeapicall.getFinalData`` for every call this
connector makes, and :func:`call_official_client` runs any client function with its
printed errors turned into exceptions. The connector itself does not call through the
client, after reading its source:

* every URL is a string literal *inside* each function
  (``'https://comtradeapi.un.org/data/v1/get/' + typeCode + ...``); there is no module
  constant or session to point at another base URL, and a fresh ``urllib3.PoolManager``
  is built per call. Its only hook, ``proxy_url``, makes an HTTPS CONNECT tunnel, which a
  local test server cannot answer without TLS;
* it sends the key as the ``subscription-key`` query parameter, so the key is part of
  every URL (and of any URL a debug logger prints);
* it *prints* errors instead of raising: a non-200 answer prints the body and returns
  ``None`` (a 429, a 401 and a 500 look the same to the caller, ``Retry-After`` is lost);
  a request error prints ``Request error: ...`` and returns ``None``; malformed JSON
  raises a bare ``JSONDecodeError``; the ``_getFinalData`` wrappers retry once after a
  fixed 10 s only when an exception escapes (so never on a printed 429);
* it returns ``json_normalize(result['data'])``, not the raw response: there is nothing
  to cache byte for byte and ``count``/``error`` are dropped;
* the bulk functions write downloads straight to their final name (an interrupted
  download leaves a broken ``.gz`` that looks complete), print progress and errors, and
  name files ``COMTRADE-FINAL-CA{reporter}{period}{cl}[{publicationDate}].gz``
  (``files.read_comtrade_file`` reads those files and takes the vintage from the name).

So the connector calls the same endpoints with ``requests`` and the key in the API
Management header ``Ocp-Apim-Subscription-Key`` (accepted by comtradeapi.un.org like
the query parameter), which keeps the key out of every URL, log line and cache file.

Behaviour
---------
* ``available_years`` / availability: ``/data/v1/getDa/C/A/HS`` (``/public/v1/getDa``
  without a key, as the client does); a year is published for a reporter when the
  availability lists a dataset for it; its vintage is the dataset's ``lastReleased``.
* ``fetch``: a year not published for any requested reporter returns
  :class:`NotAvailable`, never zeros or an empty frame. Queries are split to stay under
  the per-call record limit (free key: 100,000 records a call and 500 calls a day;
  premium keys 250,000; set ``max_records``): by reporter groups and by chunks of
  explicit commodity codes (at most ``MAX_CODES_PER_CALL`` per URL), and, when a single
  reporter would still exceed the limit with ``AG6``, by HS chapter lists built from the
  HS reference tables. A response holding ``max_records`` rows is treated as truncated
  and split again (reporters, then flows, then codes).
* retries with exponential backoff (``backoff_s * 2**attempt``, ``Retry-After`` honoured)
  on 429, 5xx, timeouts and connection errors, malformed JSON, truncated gzip and the
  API Management ``{"statusCode": 429}`` body. 401/403 stop at once with a message
  naming ``COMTRADE_API_KEY``; a 403 quota message raises ``ComtradeQuotaExceeded``.
* cache: every successful raw response is stored gzip'd under ``cache_dir``, named by a
  SHA-256 of (endpoint, parameters, vintage of the reporters asked) -- never the key --
  and written atomically (temporary file + ``os.replace``). A rerun reads the cache and
  makes no call; an interrupted pull resumes with the queries not yet cached; a new
  release (a new ``lastReleased``) changes the hash and is fetched. Availability answers
  are reused for ``availability_ttl_s`` (a day by default).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import logging
import os
import re
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import requests

from orchestration.lib.comtrade.bulk_duckdb import normalize_records
from orchestration.lib.comtrade.records import empty_frame, to_frame

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://comtradeapi.un.org"
KEY_ENV = "COMTRADE_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
DATA_PATH = "/data/v1/get/C/A/HS"
AVAILABILITY_PATH = "/data/v1/getDa/C/A/HS"
PUBLIC_AVAILABILITY_PATH = "/public/v1/getDa/C/A/HS"
FREE_MAX_RECORDS = 100_000
PREMIUM_MAX_RECORDS = 250_000
MAX_CODES_PER_CALL = 400  # keeps the URL well under 4 kB
BUDGET_SHARE = 0.8  # plan calls at 80% of the record limit: estimates are rough
CHINA = 156
WORLD = 0
# Reporter codes that are groups of other reporters (EU-27 reports as 97): left out when
# "every reporter" is expanded, otherwise their exports would be counted twice.
AGGREGATE_REPORTERS = frozenset({97})
# Rough number of records per reporter, partner and flow for the wildcard codes.
WILDCARD_SIZE = {"TOTAL": 1, "AG2": 97, "AG4": 1_250, "AG6": 5_400, "ALL": 7_000}
ALL_PARTNERS_SIZE = 240
# HS headings of seed 002 Table 7 (HS4 vulnerability table), as listed for the study.
TABLE7_HS4 = (
    "2801",
    "2810",
    "2840",
    "2836",
    "2802",
    "2901",
    "2902",
    "3002",
    "3004",
    "3501",
    "3502",
    "3821",
    "3822",
    "8486",
    "8478",
    "8444",
    "8411",
    "8805",
    "9012",
)
_RETRY_AFTER_TEXT = re.compile(r"try again in (\d+) second", re.IGNORECASE)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class NotAvailable:
    """A year UN Comtrade has not published (yet) for the reporters asked.

    Returned by :meth:`ComtradeConnector.fetch` instead of data; never stored as zeros.
    """

    year: int
    reporter_codes: tuple[int, ...] | None
    reason: str = "no dataset in the Comtrade data availability"

    def __str__(self) -> str:
        """One line for the run log."""
        who = (
            "every reporter"
            if not self.reporter_codes
            else ("reporter " + ",".join(str(r) for r in self.reporter_codes))
        )
        return f"Comtrade {self.year} not available for {who}: {self.reason}"


class ComtradeError(RuntimeError):
    """A Comtrade call that failed for good (after retries when retrying makes sense)."""


class MissingApiKey(ComtradeError):
    """No API key in the environment: says how to get one, or to use files instead."""

    def __init__(self) -> None:
        """The message names the variable to set."""
        super().__init__(
            f"UN Comtrade API key missing: set the environment variable {KEY_ENV} to your "
            "subscription key (https://comtradedeveloper.un.org, product 'comtrade - v1'), "
            "or drop downloaded files into landing/comtrade instead."
        )


class ComtradeAuthError(ComtradeError):
    """The API refused the key (401/403)."""


class ComtradeQuotaExceeded(ComtradeError):
    """The key's quota is used up (retrying would not help today)."""


class ComtradeRequestFailed(ComtradeError):
    """A request that still failed after every retry."""


class ComtradeTruncated(ComtradeError):
    """A response at the record limit that cannot be split into smaller calls."""


class _Retryable(Exception):
    def __init__(self, reason: str, wait_s: float | None = None):
        super().__init__(reason)
        self.wait_s = wait_s


# ----------------------------------------------------------------------------- queries
def _retry_after(resp: requests.Response, text: str) -> float | None:
    """Seconds to wait from a Retry-After header or an API Management message."""
    header = resp.headers.get("Retry-After")
    if header:
        with contextlib.suppress(ValueError):
            return max(0.0, float(header))
    found = _RETRY_AFTER_TEXT.search(text)
    return float(found.group(1)) if found else None


def _codes(values: Iterable[Any] | None) -> tuple | None:
    if values is None:
        return None
    if isinstance(values, str | int):
        values = [values]
    out: list = []
    for v in values:
        for part in str(v).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


@dataclass(frozen=True)
class SubQuery:
    """One call of ``/data/v1/get/C/A/HS``. ``partners=None`` means all partners."""

    year: int
    reporters: tuple[int, ...]
    partners: tuple[int, ...] | None
    flows: tuple[str, ...]
    cmds: tuple[str, ...]

    @property
    def wildcards(self) -> tuple[str, ...]:
        """The wildcard codes of the call (TOTAL, AG2, AG4, AG6)."""
        return tuple(c for c in self.cmds if c.upper() in WILDCARD_SIZE)

    @property
    def explicit(self) -> tuple[str, ...]:
        """The explicit HS codes of the call."""
        return tuple(c for c in self.cmds if c.upper() not in WILDCARD_SIZE)

    def per_reporter(self) -> int:
        """The most records the call can return for one reporter."""
        n_cmd = sum(WILDCARD_SIZE[c.upper()] for c in self.wildcards) + len(self.explicit)
        n_partner = ALL_PARTNERS_SIZE if self.partners is None else len(self.partners)
        return max(1, n_cmd * n_partner * len(self.flows))

    def estimate(self) -> int:
        """The most records the call can return."""
        return self.per_reporter() * len(self.reporters)

    def params(self, max_records: int) -> dict[str, str]:
        """The query parameters of the call (without the key)."""
        params = {
            "reporterCode": ",".join(str(r) for r in self.reporters),
            "period": str(self.year),
            "cmdCode": ",".join(self.cmds),
            "flowCode": ",".join(self.flows),
            "partner2Code": "0",
            "customsCode": "C00",
            "motCode": "0",
            "maxRecords": str(max_records),
            "format": "JSON",
            "breakdownMode": "classic",
            "includeDesc": "true",
        }
        if self.partners is not None:
            params["partnerCode"] = ",".join(str(p) for p in self.partners)
        return params

    def comtradeapicall_kwargs(self, max_records: int = FREE_MAX_RECORDS) -> dict[str, Any]:
        """The same call through the official client.

        ``comtradeapicall.getFinalData(subscription_key=..., **kwargs)``.
        """
        return {
            "typeCode": "C",
            "freqCode": "A",
            "clCode": "HS",
            "period": str(self.year),
            "reporterCode": ",".join(str(r) for r in self.reporters),
            "cmdCode": ",".join(self.cmds),
            "flowCode": ",".join(self.flows),
            "partnerCode": None
            if self.partners is None
            else ",".join(str(p) for p in self.partners),
            "partner2Code": "0",
            "customsCode": "C00",
            "motCode": "0",
            "maxRecords": max_records,
            "format_output": "JSON",
            "breakdownMode": "classic",
            "includeDesc": True,
        }


def _chunks(seq: Sequence, size: int) -> list[tuple]:
    size = max(1, size)
    return [tuple(seq[i : i + size]) for i in range(0, len(seq), size)]


def hs6_universe(reference_dir: Path | None = None) -> list[str]:
    """Every six-digit HS code of any revision 1992-2022.

    From the UNSD concordance in ``reference/hs`` (used to split ``AG6`` by chapter and
    to list headings' children).
    """
    reference_dir = reference_dir or _default_reference_dir()
    codes: set[str] = set()
    consolidated = reference_dir / "hs" / "HS_consolidated_comtrade_concordances.csv"
    if consolidated.exists():
        with consolidated.open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for col in ("code.after", "code.before"):
                    code = (row.get(col) or "").strip()
                    if code.isdigit() and len(code) <= 6:
                        codes.add(code.zfill(6))
    for name in ("hs2017_to_hs2012.csv", "hs2022_to_hs2017.csv", "hs2022_to_hs2012.csv"):
        path = reference_dir / "hs" / name
        if path.exists():
            with path.open(encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                next(reader, None)
                for row in reader:
                    for cell in (row[0], row[3]) if len(row) > 3 else ():
                        if cell.isdigit() and len(cell) == 6:
                            codes.add(cell)
    return sorted(codes)


def _default_reference_dir() -> Path:
    from orchestration.settings import Settings

    return Settings.from_env().reference_dir


def _default_sector_hs6() -> list[str]:
    from orchestration.settings import DBT_PROJECT_DIR

    path = DBT_PROJECT_DIR / "seeds" / "reference" / "ref_mic25_sectors.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig") as fh:
        return sorted({(r.get("hs6") or "").strip() for r in csv.DictReader(fh)} - {""})


def indicator_queries(
    year: int,
    *,
    sector_hs6: Iterable[str] | None = None,
    hs4_headings: Iterable[str] | None = None,
    reference_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """The Comtrade queries the indicators need (docs/method.md sections 1.2 and 3).

    Keyword arguments of :meth:`ComtradeConnector.fetch` (``fetch(year, **query)``):

    1. China (156) imports and exports, partner World, every HS6 code and TOTAL
       (import dependence, import/export ratios, all-goods comparisons);
    2. China's imports from every partner for the sector HS6 codes and the HS6 codes
       under the Table 7 headings (OECD share of imports by HS4);
    3. every reporter's exports, partner World, every HS6 code and TOTAL (China's share
       of world exports; the EU aggregate reporter is left out);
    4. every reporter's exports to China (partner 156), every HS6 code and TOTAL (the
       reconciliation of China's imports with its partners' exports, ind_china_mirror_gap);
    5. every reporter's imports from every partner for the codes of query 2 (the mirror
       fill of reporters missing from a year: their exports are estimated from these).

    The queries are the same every year (``year`` is accepted for symmetry with fetch);
    ``sector_hs6`` defaults to the dbt seed ``ref_mic25_sectors.csv`` and
    ``hs4_headings`` to :data:`TABLE7_HS4`.
    """
    del year
    sector = sorted(set(sector_hs6) if sector_hs6 is not None else set(_default_sector_hs6()))
    headings = tuple(hs4_headings) if hs4_headings is not None else TABLE7_HS4
    children = [c for c in hs6_universe(reference_dir) if c[:4] in set(headings)]
    by_partner = sorted(set(sector) | set(children))
    queries = [
        {
            "purpose": "china_hs6_world",
            "reporter_codes": [CHINA],
            "partner_codes": [WORLD],
            "flow_codes": ["M", "X"],
            "cmd_codes": ["TOTAL", "AG6"],
        },
        {
            "purpose": "china_imports_by_partner",
            "reporter_codes": [CHINA],
            "partner_codes": None,
            "flow_codes": ["M"],
            "cmd_codes": by_partner,
        },
        {
            "purpose": "world_exports_hs6",
            "reporter_codes": None,
            "partner_codes": [WORLD],
            "flow_codes": ["X"],
            "cmd_codes": ["TOTAL", "AG6"],
        },
        {
            "purpose": "exports_to_china",
            "reporter_codes": None,
            "partner_codes": [CHINA],
            "flow_codes": ["X"],
            "cmd_codes": ["TOTAL", "AG6"],
        },
        {
            "purpose": "imports_by_partner_for_mirror",
            "reporter_codes": None,
            "partner_codes": None,
            "flow_codes": ["M"],
            "cmd_codes": by_partner,
        },
    ]
    return [q for q in queries if q["cmd_codes"]]


# ----------------------------------------------------------------------------- client
def call_official_client(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a ``comtradeapicall`` function and raise what it only prints.

    The client prints the response body on any non-200 answer and ``Request error: ...``
    on connection problems, then returns ``None``. This runs it with stdout captured;
    a ``None`` result with printed text becomes :class:`ComtradeError` (the key masked).
    """
    key = kwargs.get("subscription_key") or (args[0] if args and isinstance(args[0], str) else None)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = func(*args, **kwargs)
    printed = buf.getvalue().strip()
    if key:
        printed = printed.replace(key, "***")
    if result is None and printed:
        raise ComtradeError(f"comtradeapicall.{getattr(func, '__name__', func)}: {printed}")
    if printed:
        log.info("comtradeapicall printed: %s", printed)
    return result


@dataclass
class ComtradeConnector:
    """UN Comtrade API v1 client with a resumable gzip cache (see the module docstring).

    ``api_key=None`` reads ``COMTRADE_API_KEY``; the key is needed only for data calls
    that are not cached yet. ``base_url`` points at another host (tests use a local
    server). ``requests_made`` counts HTTP requests (cache hits cost none).
    """

    cache_dir: Path
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    max_retries: int = 5
    backoff_s: float = 1.0
    timeout_s: float = 60
    max_records: int = FREE_MAX_RECORDS
    availability_ttl_s: float = 86_400
    max_backoff_s: float = 120.0
    reference_dir: Path | None = None
    session: requests.Session | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    requests_made: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        """The key from the environment when none is given; the base URL without '/'."""
        self.cache_dir = Path(self.cache_dir)
        if self.api_key is None:
            self.api_key = os.environ.get(KEY_ENV) or None
        self.base_url = (self.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._session = self.session or requests.Session()
        self._universe: list[str] | None = None

    # ------------------------------------------------------------------ helpers
    def mask(self, text: str) -> str:
        """``text`` with the key replaced by ***."""
        return text.replace(self.api_key, "***") if self.api_key else text

    def _cache_path(self, kind: str, year: int | str, path: str, params: dict, extra: Any) -> Path:
        ident = json.dumps(
            {"path": path, "params": sorted(params.items()), "extra": extra},
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]
        return self.cache_dir / f"{kind}-{year}-{digest}.json.gz"

    @staticmethod
    def _read_cache(path: Path) -> dict | None:
        try:
            doc = json.loads(gzip.decompress(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, EOFError, zlib.error, ValueError):
            log.warning("Comtrade cache file %s is unreadable; fetching again", path.name)
            return None
        return doc if isinstance(doc, dict) and isinstance(doc.get("data"), list) else None

    @staticmethod
    def _write_atomic(path: Path, body: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with tmp.open("wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                    gz.write(body)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()

    def _cached(self, cache: Path, ttl_s: float | None) -> dict | None:
        """The cached response when there and fresh (younger than ``ttl_s``)."""
        fresh = ttl_s is None or (cache.exists() and time.time() - cache.stat().st_mtime < ttl_s)
        if not fresh:
            return None
        doc = self._read_cache(cache)
        if doc is not None:
            log.debug("Comtrade cache hit %s", cache.name)
        return doc

    def _get(
        self,
        path: str,
        params: dict,
        kind: str,
        year: int | str,
        extra: Any = None,
        need_key: bool = True,
        ttl_s: float | None = None,
    ) -> dict:
        """A JSON response: from the cache when there, else from the API, then cached.

        The API is tried again on retryable failures (with backoff).
        """
        cache = self._cache_path(kind, year, path, params, extra)
        doc = self._cached(cache, ttl_s)
        if doc is not None:
            return doc
        if need_key and not self.api_key:
            raise MissingApiKey()
        url = f"{self.base_url}{path}"
        shown = self.mask(f"{url}?{urlencode(params)}")
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        if self.api_key:
            headers[KEY_HEADER] = self.api_key
        last = "no attempt"
        for attempt in range(self.max_retries + 1):
            try:
                body = self._attempt(url, params, headers, shown)
                doc = json.loads(body)
                if not isinstance(doc, dict):
                    raise _Retryable("response is not a JSON object")
                self._check_body(doc, shown)
                self._write_atomic(cache, body)
                return doc
            except _Retryable as err:
                last = self.mask(str(err))
                wait = self.backoff_s * 2**attempt
                if err.wait_s is not None:
                    wait = max(wait, err.wait_s)
                wait = min(wait, self.max_backoff_s)
            except ValueError as err:  # malformed JSON
                last = f"malformed JSON ({err})"
                wait = min(self.backoff_s * 2**attempt, self.max_backoff_s)
            if attempt < self.max_retries:
                log.warning(
                    "Comtrade GET %s: %s; retry %d/%d in %.1fs",
                    shown,
                    last,
                    attempt + 1,
                    self.max_retries,
                    wait,
                )
                self.sleep(wait)
        raise ComtradeRequestFailed(
            f"Comtrade GET {shown} failed after {self.max_retries + 1} attempts: {last}"
        )

    def _attempt(self, url: str, params: dict, headers: dict, shown: str) -> bytes:
        log.info("Comtrade GET %s", shown)
        self.requests_made += 1
        try:
            resp = self._session.get(url, params=params, headers=headers, timeout=self.timeout_s)
            content = resp.content
        except requests.Timeout as err:
            raise _Retryable(f"timeout ({type(err).__name__})") from None
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as err:
            raise _Retryable(f"connection problem ({type(err).__name__})") from None
        status = resp.status_code
        text = self.mask(content[:300].decode("utf-8", "replace"))
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}: {text}", _retry_after(resp, text))
        if status == 401:
            raise ComtradeAuthError(
                f"Comtrade refused the key (HTTP 401) for {shown}: check {KEY_ENV}. {text}"
            )
        if status == 403:
            if "quota" in text.lower():
                raise ComtradeQuotaExceeded(f"Comtrade call quota used up (HTTP 403): {text}")
            raise ComtradeAuthError(
                f"Comtrade refused the call (HTTP 403) for {shown}: check {KEY_ENV}. {text}"
            )
        if status != 200:
            raise ComtradeError(f"Comtrade GET {shown}: HTTP {status}: {text}")
        if content[:2] == b"\x1f\x8b":  # a gzip body not declared as Content-Encoding
            try:
                content = gzip.decompress(content)
            except (EOFError, OSError, zlib.error) as err:
                raise _Retryable(f"truncated or broken gzip ({err})") from None
        return content

    def _check_body(self, doc: dict, shown: str) -> None:
        if "data" not in doc and "statusCode" in doc:  # API Management answer in a 200
            code = int(doc.get("statusCode") or 0)
            message = self.mask(str(doc.get("message", "")))
            if code == 429 or code >= 500:
                found = _RETRY_AFTER_TEXT.search(message)
                raise _Retryable(
                    f"status {code}: {message}", float(found.group(1)) if found else None
                )
            if code in (401, 403):
                raise ComtradeAuthError(f"Comtrade refused the key ({code}): check {KEY_ENV}")
            raise ComtradeError(f"Comtrade GET {shown}: status {code}: {message}")
        if doc.get("error"):
            raise ComtradeError(f"Comtrade GET {shown}: API error: {self.mask(str(doc['error']))}")
        if not isinstance(doc.get("data"), list):
            raise _Retryable("response has no 'data' list")

    # ------------------------------------------------------------------ availability
    def _availability(self, year: int, reporters: Sequence[int] | None) -> dict[int, str]:
        """Reporter code -> vintage (latest lastReleased, YYYY-MM-DD) for one year."""
        path = AVAILABILITY_PATH if self.api_key else PUBLIC_AVAILABILITY_PATH
        params = {"period": str(year)}
        if reporters is not None:
            params["reporterCode"] = ",".join(str(r) for r in sorted(set(reporters)))
        doc = self._get(
            path, params, "availability", year, need_key=False, ttl_s=self.availability_ttl_s
        )
        out: dict[int, str] = {}
        for item in doc["data"]:
            try:
                reporter = int(item.get("reporterCode"))
                period = int(str(item.get("period"))[:4])
            except (TypeError, ValueError):
                continue
            if period != year:
                continue
            released = str(
                item.get("lastReleased")
                or item.get("firstReleased")
                or item.get("publicationDate")
                or "published"
            )[:10]
            out[reporter] = max(out.get(reporter, ""), released)
        return out

    def available_years(self, reporter_code: int, years: Iterable[int]) -> dict[int, str | None]:
        """Year -> vintage (publication date, YYYY-MM-DD) or None when not published."""
        years = sorted({int(y) for y in years})
        path = AVAILABILITY_PATH if self.api_key else PUBLIC_AVAILABILITY_PATH
        params = {"reporterCode": str(reporter_code), "period": ",".join(map(str, years))}
        doc = self._get(
            path,
            params,
            "availability",
            f"{years[0]}-{years[-1]}",
            need_key=False,
            ttl_s=self.availability_ttl_s,
        )
        out: dict[int, str | None] = dict.fromkeys(years)
        for item in doc["data"]:
            try:
                if int(item.get("reporterCode")) != int(reporter_code):
                    continue
                period = int(str(item.get("period"))[:4])
            except (TypeError, ValueError):
                continue
            if period in out:
                released = str(
                    item.get("lastReleased") or item.get("firstReleased") or "published"
                )[:10]
                out[period] = max(out[period] or "", released)
        return out

    # ------------------------------------------------------------------ planning
    def _hs6_universe(self) -> list[str]:
        if self._universe is None:
            self._universe = hs6_universe(self.reference_dir)
        return self._universe

    def _ag6_by_chapter(self, per_code: int) -> list[tuple[str, ...]]:
        """AG6 as lists of explicit codes, whole chapters packed while they fit."""
        budget = max(1, int(self.max_records * BUDGET_SHARE) // max(1, per_code))
        limit = min(budget, MAX_CODES_PER_CALL)
        chapters: dict[str, list[str]] = {}
        for code in self._hs6_universe():
            chapters.setdefault(code[:2], []).append(code)
        out: list[tuple[str, ...]] = []
        current: list[str] = []
        for codes in chapters.values():
            if current and len(current) + len(codes) > limit:
                out.append(tuple(current))
                current = []
            if len(codes) > limit:
                out.extend(_chunks(codes, limit))
            else:
                current.extend(codes)
        if current:
            out.append(tuple(current))
        return out

    def plan(
        self,
        year: int,
        reporters: Sequence[int],
        partners: Sequence[int] | None,
        flows: Sequence[str],
        cmds: Sequence[str],
    ) -> list[SubQuery]:
        """Split one request into calls that each stay under the record limit."""
        budget = int(self.max_records * BUDGET_SHARE)
        reporters = tuple(sorted(set(int(r) for r in reporters)))
        partners_t = None if partners is None else tuple(int(p) for p in partners)
        flows_t = tuple(f.upper() for f in flows)
        wild = tuple(c.upper() for c in cmds if c.upper() in WILDCARD_SIZE)
        explicit = [c for c in cmds if c.upper() not in WILDCARD_SIZE]
        groups: list[tuple[str, ...]] = []
        if wild:
            probe = SubQuery(year, (0,), partners_t, flows_t, wild)
            if probe.per_reporter() > budget and "AG6" in wild and self._hs6_universe():
                per_code = probe.per_reporter() // WILDCARD_SIZE["AG6"] or 1
                rest = tuple(w for w in wild if w != "AG6")
                groups.extend(self._ag6_by_chapter(per_code))
                if rest:
                    groups.append(rest)
            else:
                groups.append(wild)
        if explicit:
            per_code = SubQuery(year, (0,), partners_t, flows_t, ("x",)).per_reporter()
            size = min(MAX_CODES_PER_CALL, max(1, budget // per_code))
            groups.extend(_chunks(explicit, size))
        out: list[SubQuery] = []
        for group in groups:
            per_rep = SubQuery(year, (0,), partners_t, flows_t, group).per_reporter()
            size = max(1, budget // per_rep)
            for chunk in _chunks(reporters, size):
                out.append(SubQuery(year, chunk, partners_t, flows_t, group))
        return out

    def _split(self, q: SubQuery) -> list[SubQuery]:
        """A truncated call split in smaller ones (empty when it cannot be split)."""
        if len(q.reporters) > 1:
            half = len(q.reporters) // 2
            return [
                SubQuery(q.year, q.reporters[:half], q.partners, q.flows, q.cmds),
                SubQuery(q.year, q.reporters[half:], q.partners, q.flows, q.cmds),
            ]
        if len(q.flows) > 1:
            return [SubQuery(q.year, q.reporters, q.partners, (f,), q.cmds) for f in q.flows]
        if q.partners is not None and len(q.partners) > 1:
            half = len(q.partners) // 2
            return [
                SubQuery(q.year, q.reporters, q.partners[:half], q.flows, q.cmds),
                SubQuery(q.year, q.reporters, q.partners[half:], q.flows, q.cmds),
            ]
        if len(q.cmds) > 1:
            half = len(q.cmds) // 2
            return [
                SubQuery(q.year, q.reporters, q.partners, q.flows, q.cmds[:half]),
                SubQuery(q.year, q.reporters, q.partners, q.flows, q.cmds[half:]),
            ]
        if q.cmds and q.cmds[0].upper() == "AG6" and self._hs6_universe():
            return [
                SubQuery(q.year, q.reporters, q.partners, q.flows, g)
                for g in self._ag6_by_chapter(1)
            ]
        return []

    # ------------------------------------------------------------------ data
    def _run(self, q: SubQuery, vintages: dict[int, str]) -> list[pd.DataFrame]:
        extra = {str(r): vintages.get(r) for r in q.reporters}
        doc = self._get(DATA_PATH, q.params(self.max_records), "data", q.year, extra)
        records = doc["data"]
        if len(records) >= self.max_records:
            parts = self._split(q)
            if not parts:
                raise ComtradeTruncated(
                    f"Comtrade returned {len(records)} records (the limit) for a call that "
                    f"cannot be split further: {q}"
                )
            log.info(
                "Comtrade call hit the %d record limit; split in %d", self.max_records, len(parts)
            )
            return [df for part in parts for df in self._run(part, vintages)]
        # Errors name the cache file of the request (the URL would carry the key).
        cache = self._cache_path("data", q.year, DATA_PATH, q.params(self.max_records), extra)
        df = normalize_records(
            records, file=f"Comtrade API response {cache.name}", source="api", origin="real"
        )
        if len(df):
            mapped = (
                df["reporter_code"].astype("Int64").map({int(k): v for k, v in vintages.items()})
            )
            df["vintage"] = mapped.where(mapped.notna(), df["vintage"]).astype("str")
        return [df]

    def fetch(
        self,
        year: int,
        reporter_codes: Iterable[int] | None = (CHINA,),
        partner_codes: Iterable[int] | None = (WORLD,),
        flow_codes: Iterable[str] = ("M", "X"),
        cmd_codes: Iterable[str] = ("AG6",),
        purpose: str | None = None,
    ) -> pd.DataFrame | NotAvailable:
        """Annual HS records of one year in the normalized schema (records.SCHEMA).

        :class:`NotAvailable` when none of the reporters has published the year.

        ``reporter_codes=None``: every reporter in the year's availability except group
        reporters (EU 97). ``partner_codes=None``: every partner (and World).
        ``cmd_codes``: explicit HS codes and/or wildcards TOTAL, AG2, AG4, AG6.
        Reporters of an explicit list that have not published are left out with a
        warning and listed in ``df.attrs['not_available']``.
        """
        year = int(year)
        reporters_in = None if reporter_codes is None else [int(r) for r in _codes(reporter_codes)]
        partners = None if partner_codes is None else [int(p) for p in _codes(partner_codes)]
        flows = [f.upper() for f in _codes(flow_codes)]
        cmds = list(_codes(cmd_codes))
        vintages = self._availability(year, reporters_in)
        if reporters_in is None:
            reporters = sorted(r for r in vintages if r not in AGGREGATE_REPORTERS)
            missing: list[int] = []
        else:
            reporters = [r for r in reporters_in if r in vintages]
            missing = [r for r in reporters_in if r not in vintages]
        if not reporters:
            return NotAvailable(year, None if reporters_in is None else tuple(reporters_in))
        if missing:
            log.warning("Comtrade %d: reporters %s have not published; left out", year, missing)
        calls = self.plan(year, reporters, partners, flows, cmds)
        log.info(
            "Comtrade %d %s: %d call(s) planned for %d reporter(s)",
            year,
            purpose or "",
            len(calls),
            len(reporters),
        )
        frames = [df for q in calls for df in self._run(q, vintages)]
        frames = [f for f in frames if len(f)]
        df = to_frame(pd.concat(frames, ignore_index=True)) if frames else empty_frame()
        df.attrs["not_available"] = missing
        return df
