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
         "out_rank": "OOS Rank", "in_sample_rank": "IS Rank", "selected": "Chosen in sample", "sample": "Sample",
         "folds_chosen": "Folds chosen"}


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
        elif col.endswith("rank") or col == "trades":
            out[PLAIN.get(col, col)] = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
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


def variant_stats(result_row: pd.Series, trades: pd.DataFrame) -> pd.DataFrame:
    """One variant's statistics in the spirit of vectorbt's ``Portfolio.stats()``, units in the names.

    ``result_row``: the variant's row of the results table (decimal fractions); ``trades``: its trades
    (``pnl``, ``hedge_pnl`` in currency, ``trade_return`` or ``return`` decimal).  Profit Factor = gross
    profit / gross loss of the trades' P&L (hedge included); Expectancy = mean P&L per trade (currency);
    Best/Worst Trade = highest/lowest trade return.  Trade-based rows are blank when the trades were
    not kept (grids keep those of the best variants only).
    """
    ret_col = "trade_return" if "trade_return" in trades.columns else "return"
    pnl = trades["pnl"].to_numpy(float) + np.nan_to_num(trades["hedge_pnl"].to_numpy(float)) if len(trades) else np.zeros(0)
    rets = trades[ret_col].to_numpy(float) if len(trades) else np.zeros(0)
    gains, losses = pnl[pnl > 0].sum(), -pnl[pnl < 0].sum()
    have = len(pnl) > 0
    get = lambda name: result_row.get(name, np.nan)  # noqa: E731
    rows = [
        ("Variant", f"#{int(get('variant'))} {get('label')}"),
        ("Sample", get("sample")),
        ("Start", str(get("span_start"))[:10]), ("End", str(get("span_end"))[:10]),
        ("Total Return [%]", _pct(get("total_return"))), ("CAGR [%]", _pct(get("cagr"))),
        ("Max Drawdown [%]", _pct(get("max_drawdown"))), ("Sharpe", _num(get("sharpe"))),
        ("Sortino", _num(get("sortino"))), ("Win Rate [%]", _pct(get("win_rate"))),
        ("Profit Factor", (f"{gains / losses:.2f}" if losses > 0 else "inf" if gains > 0 else "") if have else ""),
        ("Expectancy", f"{pnl.mean():.2f}" if have else ""),
        ("Best Trade [%]", _pct(float(np.nanmax(rets))) if have else ""),
        ("Worst Trade [%]", _pct(float(np.nanmin(rets))) if have else ""),
        ("Avg Trade [%]", _pct(get("avg_trade"))), ("Exposure [%]", _pct(get("exposure"))),
        ("Trades", str(int(get("trades"))) if pd.notna(get("trades")) else ""),
        ("Buy-and-Hold Return [%]", _pct(get("bh_total_return"))),
        ("Benchmark Return [%]", _pct(get("spy_total_return"))),
    ]
    if "note" in result_row and result_row["note"]:
        rows.append(("Note", result_row["note"]))
    if not have and pd.notna(get("trades")) and get("trades") > 0:
        rows.append(("Note", "trades of this variant were not stored (only the best of a large grid are)"))
    return pd.DataFrame(rows, columns=["Statistic", "Value"])


def trades_view(trades: pd.DataFrame) -> pd.DataFrame:
    """A trade list for people: event, ticker, side, entry/exit session and price, return [%], exit reason."""
    ret_col = "trade_return" if "trade_return" in trades.columns else "return"
    date = lambda s: pd.to_datetime(s).dt.strftime("%Y-%m-%d")  # noqa: E731
    out = pd.DataFrame({
        "Event": trades["event_id"], "Ticker": trades["ticker"],
        "Side": np.where(trades["side"] > 0, "long", "short"),
        "Entry": date(trades["entry_date"]) + " " + trades["entry_at"].astype(str),
        "Entry Price": trades["entry_price"].map(_num),
        "Exit": date(trades["exit_date"]) + " close",
        "Exit Price": trades["exit_price"].map(_num),
        "Return [%]": trades[ret_col].map(_pct),
        "P&L": (trades["pnl"] + trades["hedge_pnl"].fillna(0.0)).map(_num),
        "Exit Reason": trades["exit_reason"],
    })
    if "hedge_ticker" in trades and trades["hedge_ticker"].notna().any():
        out["Hedge"] = trades["hedge_ticker"].fillna("")
    return out.reset_index(drop=True)


def folds_view(folds: pd.DataFrame, select_by: str) -> pd.DataFrame:
    """Walk-forward folds (:data:`eventstudy.backtest.walkforward.FOLD_COLUMNS`) for people: spans, the
    variant chosen on the train events, its in-sample and out-of-sample ``select_by``."""
    metric = PLAIN.get(select_by) or PERCENT.get(select_by, select_by)
    fmt = _pct if select_by in PERCENT else _num
    span = lambda a, b: f"{a} .. {b}"  # noqa: E731
    return pd.DataFrame({
        "Fold": folds["fold"].astype(int),
        "Train": [span(a, b) for a, b in zip(folds["train_start"], folds["train_end"])],
        "Test": [span(a, b) for a, b in zip(folds["test_start"], folds["test_end"])],
        "Events (train/test)": [f"{a}/{b}" for a, b in zip(folds["train_events"], folds["test_events"])],
        "Chosen": ["" if pd.isna(v) else f"#{int(v)} {lab}" for v, lab in zip(folds["variant"], folds["label"])],
        f"IS {metric}": folds["is_value"].map(fmt),
        f"OOS {metric}": folds["oos_value"].map(fmt),
        "OOS Return [%]": folds["oos_total_return"].map(_pct),
        "OOS Trades": folds["oos_trades"].astype(int),
        "Note": folds["note"],
    })


def stitched_view(stitched: dict) -> pd.DataFrame:
    """The stitched walk-forward record (metric -> value) with readable names and percents."""
    rows = [("Span", f"{str(stitched.get('span_start', ''))[:10]} .. {str(stitched.get('span_end', ''))[:10]}")]
    for name in ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate", "avg_trade", "trades"):
        value = stitched.get(name)
        text = _pct(value) if name in PERCENT else str(int(value)) if name == "trades" else _num(value)
        rows.append((PERCENT.get(name) or PLAIN.get(name, name), text))
    return pd.DataFrame(rows, columns=["Statistic", "Value"])
