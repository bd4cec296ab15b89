"""GDP in current USD (IMF WEO file, World Bank API) and CNY per USD (FRED files).

No Dagster here: the assets in ``assets.py`` call these functions.

GDP output, one row per economy and year::

    year INT, iso3 VARCHAR, gdp_usd DOUBLE (US dollars, not billions), source VARCHAR,
    vintage VARCHAR, is_estimate BOOLEAN

* IMF WEO (``read_weo_gdp``): concept ``NGDPD``, unit USD, ``scale`` 9 = billions (the
  value is multiplied by 10**scale). ``ref_area`` is an ISO 3166 alpha-3 code for
  countries; the IMF's own codes are mapped to ISO (``KOS`` Kosovo -> ``XKX`` as the
  World Bank writes it, ``WBG`` West Bank and Gaza -> ``PSE``), and group codes
  (``G001``, ``G110``, ``GX123``, ...) are dropped. Years after ``lastactualdate`` are IMF
  projections: kept, with ``is_estimate = True``. A fiscal-year last actual such as
  ``FY2023/24`` counts as actual up to 2023 (the earlier year: the conservative reading).
* World Bank (``fetch_worldbank_gdp``): API v2, indicator ``NY.GDP.MKTP.CD``, plain
  ``requests`` (no wbgapi); vintage = the response's ``lastupdated``; ``is_estimate`` is
  False (the World Bank publishes no projections in this indicator).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import requests

from orchestration.lib.errors import SourceFileError

log = logging.getLogger(__name__)

GDP_COLUMNS = ["year", "iso3", "gdp_usd", "source", "vintage", "is_estimate"]
WEO_CONCEPT = "NGDPD"
WEO_ISO_FIXES = {"KOS": "XKX", "WBG": "PSE"}
WORLDBANK_BASE_URL = "https://api.worldbank.org/v2"
WORLDBANK_INDICATOR = "NY.GDP.MKTP.CD"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _gdp_frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=GDP_COLUMNS) if not isinstance(rows, pd.DataFrame) else rows
    df = df[GDP_COLUMNS].copy()
    df["year"] = df["year"].astype("Int32")
    df["iso3"] = df["iso3"].astype("str")
    df["gdp_usd"] = df["gdp_usd"].astype("float64")
    df["source"] = df["source"].astype("str")
    df["vintage"] = df["vintage"].astype("str")
    df["is_estimate"] = df["is_estimate"].astype("bool")
    return df.sort_values(["iso3", "year"]).reset_index(drop=True)


def _weo_vintage(path: Path) -> str | None:
    """'weo_2025oct_...' -> '2025-10'."""
    found = re.search(r"(\d{4})[_-]?([a-z]{3})", path.name.lower())
    if found and found.group(2) in _MONTHS:
        return f"{found.group(1)}-{_MONTHS[found.group(2)]:02d}"
    return None


def _last_actual_year(text: str) -> int | None:
    found = re.search(r"(\d{4})", text or "")
    return int(found.group(1)) if found else None


def read_weo_gdp(
    path: str | Path, vintage: str | None = None, tally: dict[str, int] | None = None
) -> pd.DataFrame:
    """Read the IMF WEO long CSV into a GDP frame in USD.

    IMF WEO long CSV (unit, base_year, ref_area, freq, lastactualdate, scale, notes,
    concept, year, value) -> GDP frame in USD. ``vintage`` defaults to the release in the
    file name (``weo_2025oct`` -> ``'2025-10'``). Raises SourceFileError on a bad file.
    ``tally`` receives 'read' and the rows set aside: 'other_series' (another concept),
    'other_level' (IMF country groups), 'no_value' (a blank value).
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as err:
        raise SourceFileError(path, None, None, f"cannot read WEO CSV ({err})") from None
    needed = {"ref_area", "concept", "year", "value", "scale", "lastactualdate", "unit"}
    missing = needed - set(raw.columns)
    if missing:
        raise SourceFileError(
            path, 1, "<header>", f"field(s) {sorted(missing)} missing from the header"
        )
    vintage = vintage or _weo_vintage(path) or "unknown"
    counts = tally if tally is not None else {}
    counts["read"] = len(raw)
    df = raw[raw["concept"] == WEO_CONCEPT].copy()
    counts["other_series"] = len(raw) - len(df)
    df["line"] = df.index + 2
    countries = df[df["ref_area"].str.fullmatch(r"[A-Z]{3}")]  # drop IMF group codes (G001)
    counts["other_level"] = len(df) - len(countries)
    df = countries[countries["value"].str.strip() != ""]
    counts["no_value"] = len(countries) - len(df)
    bad_unit = df[df["unit"] != "USD"]
    if len(bad_unit):
        row = bad_unit.iloc[0]
        raise SourceFileError(path, int(row.line), "unit", f"expected USD, got {row.unit!r}")
    value = pd.to_numeric(df["value"], errors="coerce")
    scale = pd.to_numeric(df["scale"], errors="coerce")
    year = pd.to_numeric(df["year"], errors="coerce")
    for name, series in (("value", value), ("scale", scale), ("year", year)):
        if series.isna().any():
            row = df[series.isna()].iloc[0]
            raise SourceFileError(path, int(row.line), name, f"not a number ({row[name]!r})")
    last = df["lastactualdate"].map(_last_actual_year)
    out = pd.DataFrame(
        {
            "year": year.astype(int),
            "iso3": df["ref_area"].replace(WEO_ISO_FIXES),
            "gdp_usd": value * 10.0**scale,
            "source": "imf_weo",
            "vintage": vintage,
            "is_estimate": [
                (la is None) or (y > la) for y, la in zip(year.astype(int), last, strict=True)
            ],
        }
    )
    return _gdp_frame(out)


def _get_json(
    session, url: str, params: dict, timeout_s: float, max_retries: int, backoff_s: float
):
    for attempt in range(max_retries + 1):
        try:
            resp = session.get(url, params=params, timeout=timeout_s)
            if resp.status_code == 429 or resp.status_code >= 500:
                raise requests.HTTPError(f"HTTP {resp.status_code}")
            resp.raise_for_status()
            return resp.json()
        except (requests.RequestException, ValueError) as err:
            if attempt == max_retries:
                raise RuntimeError(
                    f"World Bank API: {url} failed after {attempt + 1} attempts: {err}"
                ) from None
            log.warning("World Bank API: %s (attempt %d), retrying", err, attempt + 1)
            time.sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")


def fetch_worldbank_gdp(
    iso3s: Iterable[str] | None,
    years: Iterable[int],
    base_url: str | None = None,
    *,
    timeout_s: float = 60,
    max_retries: int = 4,
    backoff_s: float = 1.0,
    session: requests.Session | None = None,
) -> pd.DataFrame:
    """Fetch GDP (current USD) from the World Bank API v2.

    Every page of
    ``/country/{iso3;iso3|all}/indicator/NY.GDP.MKTP.CD?format=json&date=Y1:Y2``.

    ``iso3s=None`` asks for ``all``, which includes the World Bank's aggregates (WLD,
    EAS, ...). Missing values (null) are left out. vintage = ``lastupdated``.

    """
    years = sorted({int(y) for y in years})
    if not years:
        return _gdp_frame([])
    countries = "all" if iso3s is None else ";".join(sorted({c.upper() for c in iso3s}))
    url = (
        f"{(base_url or WORLDBANK_BASE_URL).rstrip('/')}/country/{countries}/indicator/"
        f"{WORLDBANK_INDICATOR}"
    )
    session = session or requests.Session()
    rows: list[dict] = []
    page, pages = 1, 1
    while page <= pages:
        params = {
            "format": "json",
            "date": f"{years[0]}:{years[-1]}",
            "per_page": 1000,
            "page": page,
        }
        doc = _get_json(session, url, params, timeout_s, max_retries, backoff_s)
        if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
            raise ValueError(f"World Bank API: unexpected response shape from {url}")
        head = doc[0]
        if "message" in head:
            raise ValueError(f"World Bank API error: {head['message']}")
        pages = int(head.get("pages") or 1)
        vintage = head.get("lastupdated") or "unknown"
        for item in doc[1] if len(doc) > 1 and doc[1] else []:
            value = item.get("value")
            iso3 = item.get("countryiso3code") or ""
            if value is None or not iso3:
                continue
            year = int(item["date"])
            if year not in years:
                continue
            rows.append(
                {
                    "year": year,
                    "iso3": iso3,
                    "gdp_usd": float(value),
                    "source": "worldbank",
                    "vintage": vintage,
                    "is_estimate": False,
                }
            )
        page += 1
    return _gdp_frame(rows)


def _read_fred(path: str | Path, country: str) -> pd.DataFrame:
    path = Path(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(raw.columns[:3]) != ["Date", "Country", "Exchange rate"]:
        raise SourceFileError(
            path, 1, "<header>", f"expected Date,Country,Exchange rate, got {list(raw.columns)}"
        )
    raw["line"] = raw.index + 2
    df = raw[raw["Country"] == country]
    if df.empty:
        raise SourceFileError(path, None, "Country", f"no rows for {country!r}")
    df = df[df["Exchange rate"].str.strip() != ""]
    rate = pd.to_numeric(df["Exchange rate"], errors="coerce")
    date = pd.to_datetime(df["Date"], format="%Y-%m-%d", errors="coerce")
    for name, series in (("Exchange rate", rate), ("Date", date)):
        if series.isna().any():
            row = df[series.isna()].iloc[0]
            raise SourceFileError(path, int(row.line), name, f"bad value {row[name]!r}")
    return pd.DataFrame({"date": date, "country": df["Country"], "rate": rate})


def read_fred_fx_monthly(path: str | Path, country: str = "China") -> pd.DataFrame:
    """Read FRED monthly exchange-rate averages.

    FRED monthly averages (Date,Country,Exchange rate) -> (month 'YYYY-MM', country,
    cny_per_usd). For China the FRED series is yuan per US dollar.
    """
    df = _read_fred(path, country)
    out = pd.DataFrame(
        {
            "month": df["date"].dt.strftime("%Y-%m").astype("str"),
            "country": df["country"].astype("str"),
            "cny_per_usd": df["rate"].astype("float64"),
        }
    )
    return out.sort_values("month").drop_duplicates("month", keep="last").reset_index(drop=True)


def read_fred_fx_annual(path: str | Path, country: str = "China") -> pd.DataFrame:
    """FRED annual averages -> (year, country, cny_per_usd)."""
    df = _read_fred(path, country)
    out = pd.DataFrame(
        {
            "year": df["date"].dt.year.astype("Int32"),
            "country": df["country"].astype("str"),
            "cny_per_usd": df["rate"].astype("float64"),
        }
    )
    return out.sort_values("year").drop_duplicates("year", keep="last").reset_index(drop=True)
