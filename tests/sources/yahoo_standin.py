"""A local stand-in for Yahoo's chart API, plugged into a real ``requests.Session``.

yfinance accepts any ``requests.Session``; this one has a transport adapter that
answers from generated responses instead of the network, so the real yfinance
code (cookie/crumb handshake, chart JSON parsing, tz handling, error paths) runs
end to end, offline.  Behaviour per ticker:

* ``"ok"``: a chart JSON built from the given frame (with dividends and splits),
* ``"empty"``: Yahoo's 404 "No data found, symbol may be delisted",
* ``("ratelimit", n)``: HTTP 429 "Too Many Requests" for the first ``n`` chart
  requests of that ticker, then the chart JSON,
* ``("neterror", n)``: a connection error (as when offline) for the first ``n``
  chart requests, then the chart JSON (``n`` large: offline for good).
* ``("dnserror", n)``: the same, but Yahoo's host name does not resolve (a machine with no network).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

NY_OPEN = pd.Timedelta(hours=9, minutes=30)


def chart_json(ticker: str, frame: pd.DataFrame, tz: str = "America/New_York") -> dict:
    """Yahoo's v8 chart payload for daily bars of ``frame`` (index dates; Open..Volume, Dividends, Stock Splits)."""
    local = pd.DatetimeIndex(frame.index).tz_localize(tz) + NY_OPEN  # Yahoo stamps daily bars at the session open
    stamps = [int(t.timestamp()) for t in local]
    events: dict = {}
    divs = frame.get("Dividends", pd.Series(0.0, index=frame.index))
    splits = frame.get("Stock Splits", pd.Series(0.0, index=frame.index))
    if (divs > 0).any():
        events["dividends"] = {str(s): {"amount": float(a), "date": s} for s, a in zip(stamps, divs) if a > 0}
    if (splits > 0).any():
        events["splits"] = {str(s): {"date": s, "numerator": float(r), "denominator": 1.0, "splitRatio": f"{r:g}:1"}
                            for s, r in zip(stamps, splits) if r > 0}
    gmtoffset = int(local[-1].utcoffset().total_seconds()) if len(local) else -14400
    result = {
        "meta": {
            "currency": "USD", "symbol": ticker, "exchangeName": "NMS", "fullExchangeName": "NasdaqGS",
            "instrumentType": "EQUITY", "firstTradeDate": stamps[0] if stamps else None,
            "regularMarketTime": stamps[-1] if stamps else None, "hasPrePostMarketData": True,
            "gmtoffset": gmtoffset, "timezone": "EDT", "exchangeTimezoneName": tz,
            "regularMarketPrice": float(frame["Close"].iloc[-1]) if len(frame) else None,
            "priceHint": 2, "dataGranularity": "1d", "range": "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        },
        "timestamp": stamps,
        "events": events,
        "indicators": {
            "quote": [{
                "open": frame["Open"].tolist(), "high": frame["High"].tolist(), "low": frame["Low"].tolist(),
                "close": frame["Close"].tolist(), "volume": [int(v) for v in frame["Volume"]],
            }],
            "adjclose": [{"adjclose": frame["Close"].tolist()}],
        },
    }
    return {"chart": {"result": [result], "error": None}}


NOT_FOUND = {"chart": {"result": None, "error": {"code": "Not Found",
                                                 "description": "No data found, symbol may be delisted"}}}


@dataclass
class YahooStandIn(HTTPAdapter):
    """Transport adapter answering Yahoo URLs; ``calls`` records (ticker, status) of chart requests."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    behaviour: dict[str, object] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._limited: dict[str, int] = {}

    def _reply(self, request, status: int, body: str, content_type: str = "application/json") -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        response.headers = CaseInsensitiveDict({"Content-Type": content_type})
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def send(self, request, **kwargs) -> requests.Response:
        url = urlparse(request.url)
        if url.netloc == "fc.yahoo.com":
            return self._reply(request, 404, "", "text/html")
        if url.path.endswith("/v1/test/getcrumb"):
            return self._reply(request, 200, "standin-crumb", "text/plain")
        match = re.search(r"/v8/finance/chart/([^/?]+)", url.path)
        if not match:
            return self._reply(request, 404, "<html>not here</html>", "text/html")
        ticker = match.group(1)
        how = self.behaviour.get(ticker, "ok")
        if isinstance(how, tuple):
            used = self._limited.get(ticker, 0)
            if used < how[1]:
                self._limited[ticker] = used + 1
                if how[0] == "neterror":
                    self.calls.append((ticker, 0))
                    raise requests.exceptions.ConnectionError(f"Failed to connect to {url.netloc}: stand-in offline")
                if how[0] == "dnserror":
                    self.calls.append((ticker, 0))
                    raise requests.exceptions.ConnectionError(f"Could not resolve host: {url.netloc} (stand-in without DNS)")
                self.calls.append((ticker, 429))
                return self._reply(request, 429, "Too Many Requests", "text/plain")
        if how == "empty" or ticker not in self.frames:
            self.calls.append((ticker, 404))
            return self._reply(request, 404, json.dumps(NOT_FOUND))
        self.calls.append((ticker, 200))
        return self._reply(request, 200, json.dumps(chart_json(ticker, self.frames[ticker])))


def standin_session(adapter: YahooStandIn) -> requests.Session:
    """A real ``requests.Session`` whose https traffic goes to ``adapter``."""
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
