"""Readable views of backtest tables for people: units in the column names, percents formatted.

The stored and CSV/JSON tables keep decimal fractions (0.05 = 5 %); these views are for the
terminal and the reports only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Result columns holding decimal fractions, shown as percent, with their readable names.
PERCENT = {
    "total_return": "Total Return [%]", "cagr": "CAGR [%]", "max_drawdown": "Max Drawdown [%]",
    "win_rate": "Win Rate [%]", "avg_trade": "Avg Trade [%]", "exposure": "Exposure [%]",
    "peak_gross": "Peak Gross [%]", "bh_total_return": "B&H Return [%]", "spy_total_return": "SPY Return [%]",
    "in_sample_total_return": "IS Total Return [%]", "out_total_return": "OOS Total Return [%]",
}
PLAIN = {"sharpe": "Sharpe", "sortino": "Sortino", "trades": "Trades", "rank": "Rank", "variant": "Variant",
         "label": "Variant settings", "note": "Note", "in_sample_sharpe": "IS Sharpe", "out_sharpe": "OOS Sharpe",
         "out_rank": "OOS Rank", "sample": "Sample"}


def _pct(x) -> str:
    return "" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{100 * float(x):.2f}"


def _num(x) -> str:
    return "" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{float(x):.2f}"


def results_view(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (result rows) with percent columns as text ``12.34`` under ``... [%]`` names."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = frame[col]
        if col in PERCENT or col.endswith(("_return", "_drawdown")) and pd.api.types.is_float_dtype(values):
            out[PERCENT.get(col, col + " [%]")] = values.map(_pct)
        elif pd.api.types.is_float_dtype(values):
            out[PLAIN.get(col, col)] = values.map(_num)
        else:
            out[PLAIN.get(col, col)] = values
    return out.reset_index(drop=True)


def selection_view(selection: pd.DataFrame) -> pd.DataFrame:
    """:meth:`~eventstudy.backtest.sweep.BacktestResult.selection` with readable metric names and percents."""
    rows = []
    for _, r in selection.iterrows():
        name = r["metric"]
        fmt = _pct if name in PERCENT else (lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else
                                            f"{v:.2f}" if isinstance(v, float) and name not in ("variant", "trades") else
                                            str(int(v)) if isinstance(v, float) else str(v))
        label = PERCENT.get(name) or PLAIN.get(name) or name.replace("_", " ")
        rows.append({"": label, "In sample": fmt(r["in_sample"]), "Out of sample": fmt(r["out_of_sample"])})
    return pd.DataFrame(rows)


def orders_view(orders: pd.DataFrame) -> pd.DataFrame:
    """Tonight's orders (:data:`eventstudy.backtest.orders.ORDER_COLUMNS`) for the terminal."""
    out = pd.DataFrame({
        "Strategy": orders["strategy"], "Event": orders["event_id"], "Ticker": orders["ticker"],
        "Side": orders["side"], "Session": orders["session"].astype(str) + " " + orders["at"].astype(str),
        "Notional": orders["notional"].map(_num), "Ref Price": orders["ref_price"].map(_num),
        "Stop [%]": orders["stop_loss"].map(_pct), "Stop ~": orders["stop_price_est"].map(_num),
        "Target [%]": orders["take_profit"].map(_pct), "Target ~": orders["target_price_est"].map(_num),
        "Exit": orders["exit_session"].astype(str) + " close",
        "Hedge": [f"{s} {n:.2f} {t} (beta {b:.2f})" if isinstance(t, str) and np.isfinite(n) else (t or "")
                  for s, n, t, b in zip(orders["hedge_side"], orders["hedge_notional"], orders["hedge_ticker"],
                                        orders["hedge_beta"])],
        "Note": orders["note"],
    })
    return out.reset_index(drop=True)
