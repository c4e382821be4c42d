"""Price sources behind one interface (:class:`~eventstudy.sources.base.PriceSource`)."""

from __future__ import annotations

from ..config import PriceSourceSpec, resolve_price_source
from .base import PRICE_COLUMNS, PriceSource
from .files import FileSource, read_price_file

__all__ = ["PRICE_COLUMNS", "PriceSource", "FileSource", "make_source", "read_price_file"]


def make_source(spec: PriceSourceSpec | str | None = None) -> PriceSource:
    """The source for ``spec`` (``yfinance`` or ``files:DIR[,DIR2...]``; None: ``$EVENTSTUDY_PRICE_SOURCE`` or yfinance)."""
    if not isinstance(spec, PriceSourceSpec):
        spec = resolve_price_source(spec)
    if spec.kind == "files":
        return FileSource(spec.paths)
    from .yahoo import YahooSource  # imported on demand: yfinance is slow to import

    return YahooSource()
