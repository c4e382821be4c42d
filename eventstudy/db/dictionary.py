"""The data dictionary: every table and view of the project database, its columns, types, units and meaning.

The one place this knowledge lives: ``eventstudy db tables`` / ``eventstudy db describe``,
``eventstudy serve`` (Datasette metadata) and ``docs/data-dictionary.md`` (rendered by
:func:`render_markdown`; ``python -m eventstudy.db.dictionary > docs/data-dictionary.md``)
all read it.  Table column types come from the SQLAlchemy tables; the entries here must name
exactly the tables' columns (checked at import) and the views' columns (checked by the tests
against a migrated database).

Conventions: columns ending ``_pct`` are percent (23.13 = +23.13 %); ``ar``, ``car``,
returns and fractions in the raw tables are decimal (0.2313 = +23.13 %); offsets, windows
and ``*_days`` are trading sessions relative to event day 0, both window ends included;
dates are exchange session dates, timestamps UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import analyst_tables, backtest_tables, catalog_tables, pipeline_tables, price_tables, study_tables  # noqa: F401
from .meta import metadata


@dataclass(frozen=True)
class ColumnDoc:
    """One column: SQL type (as the table declares it, or the view's value type) and meaning with its unit."""

    name: str
    type: str
    meaning: str


@dataclass(frozen=True)
class RelationDoc:
    """A table or view: ``kind`` is ``"table"`` or ``"view"``."""

    name: str
    kind: str
    description: str
    columns: tuple[ColumnDoc, ...]


_RUN = "study run (study_runs.run_id)"
_EVENT = "catalog event id (events.id), `<date>-<slug>`"
_TICKER = "listed party's ticker as in the price table (e.g. AMD, 000660.KS)"


def _table(name: str, description: str, meanings: dict[str, str]) -> RelationDoc:
    table = metadata.tables[name]
    names = [c.name for c in table.columns]
    if set(names) != set(meanings):
        missing, extra = sorted(set(names) - set(meanings)), sorted(set(meanings) - set(names))
        raise RuntimeError(f"data dictionary out of date for table {name}: undocumented {missing}, unknown {extra}")
    return RelationDoc(name, "table", description,
                       tuple(ColumnDoc(c.name, str(c.type), meanings[c.name]) for c in table.columns))


def _view(name: str, description: str, columns: list[tuple[str, str, str]]) -> RelationDoc:
    return RelationDoc(name, "view", description, tuple(ColumnDoc(*c) for c in columns))


_REACTION_COLUMNS = [
    ("study_run_id", "INTEGER", _RUN),
    ("model", "TEXT", "expected-return model of the run (market, ff3, ...)"),
    ("benchmark", "TEXT", "market proxy ticker of the run (e.g. SPY)"),
    ("event_id", "TEXT", _EVENT),
    ("title", "TEXT", "the deal's headline"),
    ("announced", "DATE", "announcement date (New York date)"),
    ("day0", "DATE", "event day 0: first session in which the market could react"),
    ("timing", "TEXT", "pre-open, intraday, after-close or unknown (after-close: day 0 is the next session)"),
    ("deal_type", "TEXT", "kind of deal (investment, compute-supply, ...)"),
    ("ticker", "TEXT", _TICKER),
    ("role", "TEXT", "the party's role in the deal (investor, supplier, customer, competitor, ...)"),
    ("party", "TEXT", "the party's name"),
    ("status", "TEXT", "ok, or why the event-firm was not estimated"),
    ("raw_return_day0_pct", "REAL", "percent: close of day -1 to close of day 0 (price return, no dividends)"),
    ("abnormal_return_day0_pct", "REAL", "percent: abnormal return on day 0 (return minus the model's expected return)"),
    ("t_day0", "REAL", "per-event t of the day-0 AR (forecast-error standard error); NULL if the run had no [0,0] window"),
    ("p_day0", "REAL", "two-sided p-value of t_day0, t(n_est - K)"),
    ("raw_return_0_2_pct", "REAL", "percent: close of day -1 to close of day 2 (price return)"),
    ("car_0_2_pct", "REAL", "percent: cumulative abnormal return over days 0..2 (sum of daily ARs)"),
    ("t_0_2", "REAL", "per-event t of CAR[0,2]; NULL if the run had no [0,2] window"),
    ("p_0_2", "REAL", "two-sided p-value of t_0_2"),
    ("confounded", "BOOLEAN", "another catalog event or a catalog confounder falls in the windows"),
    ("confounded_by", "TEXT", "what confounds it"),
]

RELATIONS: tuple[RelationDoc, ...] = (
    # ------------------------------------------------------------------ views
    _view("event_reactions", "One row per catalog event x listed party from the latest study run containing it: "
          "raw and abnormal returns on day 0 and over [0,2] in percent, per-event t and p, confounded flag. "
          "Parties never studied (no prices) have no row.", _REACTION_COLUMNS),
    _view("event_reactions_all", "As event_reactions, for every stored study run (filter on study_run_id).",
          _REACTION_COLUMNS),
    _view("claim_checks", "The press's claims beside the measured moves and the verdict, from the latest claim check "
          "of each event (stored by `eventstudy run`).", [
              ("event_id", "TEXT", _EVENT),
              ("title", "TEXT", "the deal's headline"),
              ("ticker", "TEXT", "ticker the claim is about"),
              ("window_start", "INTEGER", "trading days from day 0: the move is measured from the close of day window_start - 1"),
              ("window_end", "INTEGER", "trading days from day 0: ... to the close (or high) of day window_end"),
              ("from_date", "DATE", "session of the base close (day window_start - 1)"),
              ("to_date", "DATE", "session of the final close or high (day window_end)"),
              ("claimed_move_pct", "REAL", "percent: the move the source claims"),
              ("qualifier", "TEXT", "about, exact, nearly or over"),
              ("measure", "TEXT", "close-to-close or intraday-high"),
              ("measured_move_pct", "REAL", "percent: the move measured in prices over the window"),
              ("benchmark", "TEXT", "ticker subtracted for the abnormal move"),
              ("benchmark_move_pct", "REAL", "percent: the benchmark's close-to-close move over the window"),
              ("abnormal_move_pct", "REAL", "percentage points: measured minus benchmark move"),
              ("car_pct", "REAL", "percent: market-model CAR over the window from the study run"),
              ("intraday_high_pct", "REAL", "percent: highest high inside the window against the base close"),
              ("tolerance_pp", "REAL", "percentage points: matching band max(1 pp, 5 % of |claimed|)"),
              ("verdict", "TEXT", "matches, overstated, understated or no data"),
              ("note", "TEXT", "why a verdict is not a plain match"),
              ("source", "TEXT", "where the claim comes from"),
              ("quote", "TEXT", "the claim in the source's words"),
              ("check_id", "INTEGER", "claim check (claim_check_runs.check_id)"),
              ("checked_at", "TIMESTAMP", "when the check ran (UTC)"),
              ("study_run_id", "INTEGER", "study run whose CARs fill car_pct"),
          ]),
    _view("study_summary", "Per study run, window and test over all events: CAAR (percent) and the test statistic "
          "with its p-value. Group tests stay in study_tests.", [
              ("study_run_id", "INTEGER", _RUN),
              ("created_at", "TIMESTAMP", "when the run was stored (UTC)"),
              ("model", "TEXT", "expected-return model"),
              ("benchmark", "TEXT", "market proxy ticker"),
              ("measure", "TEXT", "CAR or BHAR"),
              ("window_label", "TEXT", "event window \"[a,b]\", trading days from day 0, both ends included"),
              ("window_start", "INTEGER", "trading days from day 0"),
              ("window_end", "INTEGER", "trading days from day 0"),
              ("caar_pct", "REAL", "percent: mean CAR over the OK event-firms"),
              ("mean_bhar_pct", "REAL", "percent: mean buy-and-hold abnormal return"),
              ("median_car_pct", "REAL", "percent: median CAR"),
              ("n_firms", "INTEGER", "event-firms with a CAR in the window"),
              ("test", "TEXT", "test name (t-cs, bw1980, bw1985, patell, bmp, kp, corrado, gsign, wilcoxon, ...)"),
              ("statistic", "REAL", "test statistic"),
              ("pvalue", "REAL", "two-sided p-value"),
              ("test_n", "INTEGER", "observations the test used"),
              ("reason", "TEXT", "why the test could not be computed"),
          ]),
    _view("backtest_summary", "Per backtest run, sample and variant: the variant's parameters and performance in percent.", [
              ("backtest_run_id", "INTEGER", "backtest run (backtest_runs.run_id)"),
              ("strategy", "TEXT", "strategy name"),
              ("created_at", "TIMESTAMP", "when the run was stored (UTC)"),
              ("sample", "TEXT", "all, or in / out in out-of-sample mode"),
              ("variant", "INTEGER", "variant number within the run"),
              ("label", "TEXT", "the variant's parameters as text"),
              ("rank", "INTEGER", "rank by the run's rank_by metric (1 = best)"),
              ("selected", "BOOLEAN", "the variant picked (best in sample)"),
              ("entry_offset_days", "INTEGER", "trading days after day 0 of the entry"),
              ("hold_days", "INTEGER", "trading days held"),
              ("stop_loss_pct", "REAL", "percent: stop loss"),
              ("take_profit_pct", "REAL", "percent: take profit"),
              ("trailing", "BOOLEAN", "the stop trails the best price"),
              ("role", "TEXT", "roles traded"),
              ("benchmark", "TEXT", "hedge / comparison benchmark"),
              ("hedge", "BOOLEAN", "beta-hedged against the benchmark"),
              ("trades", "INTEGER", "number of trades"),
              ("total_return_pct", "REAL", "percent: total return"),
              ("cagr_pct", "REAL", "percent: compound annual growth rate"),
              ("sharpe", "REAL", "annualised Sharpe ratio"),
              ("sortino", "REAL", "annualised Sortino ratio"),
              ("max_drawdown_pct", "REAL", "percent: maximum drawdown"),
              ("win_rate_pct", "REAL", "percent of trades with a positive P&L"),
              ("avg_trade_pct", "REAL", "percent: average trade return"),
              ("exposure_pct", "REAL", "percent of sessions with a position"),
              ("buy_hold_return_pct", "REAL", "percent: buy-and-hold of the traded names"),
              ("buy_hold_sharpe", "REAL", "Sharpe ratio of buy-and-hold"),
              ("spy_return_pct", "REAL", "percent: SPY total return over the span"),
              ("spy_sharpe", "REAL", "Sharpe ratio of SPY"),
          ]),
    # ------------------------------------------------------------------ catalog
    _table("events", "One row per catalog deal (events/<id>.yaml).", {
        "id": _EVENT, "title": "headline", "announced": "announcement date (New York date)",
        "timing": "pre-open, intraday, after-close or unknown", "announced_time": "HH:MM local time, when known",
        "timezone": "time zone of announced_time", "deal_type": "kind of deal",
        "amount_value": "deal size in whole currency units (100e9, not 100)", "amount_currency": "ISO currency code",
        "amount_kind": "up-to, commitment, notional, ...", "amount_text": "the amount as the source words it",
        "terms": "deal terms in words", "confidence": "high, medium or low: how well date and timing are checked",
        "confidence_note": "how date and timing were checked", "notes": "free notes",
        "catalog_file": "the YAML file it was loaded from", "content_hash": "hash of the file's content",
        "loaded_at": "when it was loaded (UTC)"}),
    _table("event_parties", "Each party of a deal, listed or private.", {
        "event_id": _EVENT, "position": "order in the YAML file", "name": "company name",
        "ticker": "ticker; NULL for private firms (e.g. OpenAI)", "exchange": "listing exchange",
        "role": "announcer, counterparty, investor, investee, supplier, customer, competitor, partner, ..."}),
    _table("event_sources", "Sources of each deal with a short quote.", {
        "event_id": _EVENT, "position": "order in the YAML file", "source": "seed file or publication",
        "url": "link, when public", "quote": "short quote from the source"}),
    _table("claims", "The press's claimed market reactions.", {
        "event_id": _EVENT, "position": "order in the YAML file", "ticker": "ticker the claim is about",
        "window_start": "trading days from day 0 (measured from the close of day window_start - 1)",
        "window_end": "trading days from day 0 (to the close or high of that day)",
        "claimed_move_pct": "percent: the claimed move (43.0 = +43 %)", "qualifier": "about, exact, nearly or over",
        "measure": "close-to-close or intraday-high", "source": "where the claim comes from",
        "quote": "the claim in the source's words"}),
    _table("event_confounders", "Other news inside an event's windows.", {
        "event_id": _EVENT, "position": "order in the YAML file",
        "ticker": "affected ticker; NULL = every listed party", "description": "what happened"}),
    # ------------------------------------------------------------------ prices
    _table("prices", "Daily prices, split-adjusted, not dividend-adjusted, in the listing currency.", {
        "ticker": _TICKER, "date": "session date", "open": "open price", "high": "high price", "low": "low price",
        "close": "close price", "volume": "shares traded", "dividend": "cash dividend per share going ex that day (0 none)",
        "split_factor": "split ratio taking effect that day (10.0 = 10-for-1; 1.0 none)",
        "source": "where the row came from (yfinance, files:...)", "ingested_at": "when it was stored (UTC)"}),
    _table("factors", "Fama-French daily factors, DECIMAL (Ken French's percent / 100).", {
        "date": "session date", "mkt_rf": "market minus risk-free, decimal", "smb": "small minus big, decimal",
        "hml": "high minus low, decimal", "rf": "risk-free rate per day, decimal", "mom": "momentum, decimal",
        "rmw": "robust minus weak, decimal", "cma": "conservative minus aggressive, decimal"}),
    _table("ingest_runs", "Every price ingest.", {
        "id": "ingest run id", "started_at": "start (UTC)", "finished_at": "end (UTC)", "source": "price source",
        "tickers_ok": "tickers ingested", "tickers_failed": "tickers that failed", "rows_inserted": "new rows",
        "rows_updated": "changed rows", "errors": "error messages per ticker",
        "status": "running, ok, partial, failed or interrupted", "pid": "process id", "host": "host name",
        "values_revised": "stored values this run changed (each one in price_revisions)"}),
    _table("price_revisions", "Every stored price value an ingest changed: old and new value, by run.", {
        "id": "revision id", "run_id": "ingest run (ingest_runs.id)", "ticker": _TICKER, "date": "session date",
        "field": "open, high, low, close, volume, dividend or split_factor", "old_value": "value before (price units)",
        "new_value": "value after (price units)", "revised_at": "when (UTC)"}),
    # ------------------------------------------------------------------ studies
    _table("study_runs", "One row per stored event-study run.", {
        "run_id": _RUN, "created_at": "when stored (UTC)", "model": "expected-return model",
        "benchmark": "market proxy ticker", "parameters": "JSON: windows, estimation window, min obs, selection",
        "n_firms": "event-firms attempted", "n_ok": "event-firms estimated"}),
    _table("study_firms", "Per run and event-firm: day 0, status and the fitted model.", {
        "run_id": _RUN, "event_id": _EVENT, "ticker": _TICKER, "day0": "event day 0 session",
        "status": "ok, or why not estimated", "n_est": "estimation returns used (sessions)",
        "alpha": "market-model intercept, decimal per day", "beta": "market-model slope",
        "sigma": "residual standard deviation, decimal per day", "confounded": "another event or confounder in the windows",
        "confounded_by": "what confounds it"}),
    _table("abnormal_returns", "Daily abnormal returns, DECIMAL, per run, event-firm and event day.", {
        "run_id": _RUN, "event_id": _EVENT, "ticker": _TICKER, "event_day": "trading days from day 0",
        "ar": "abnormal return, decimal (0.2313 = +23.13 %)"}),
    _table("study_tests", "Test statistics per run, measure, window and test (overall and by group).", {
        "id": "row id", "run_id": _RUN, "measure": "CAR or BHAR", "window": "\"[a,b]\" trading days from day 0",
        "test": "test name", "statistic": "test statistic", "pvalue": "two-sided p-value", "n": "observations",
        "group_col": "grouping column; NULL = all events", "group": "group value", "reason": "why not computed"}),
    _table("study_cars", "Per run, event-firm and window: CAR with its forecast-error standard error, t, p; BHAR. DECIMAL.", {
        "run_id": _RUN, "event_id": _EVENT, "ticker": _TICKER, "window_start": "trading days from day 0",
        "window_end": "trading days from day 0", "car": "CAR, decimal (sum of daily ARs)",
        "car_se": "forecast-error standard error of the CAR, decimal", "car_t": "per-event t = car / car_se",
        "car_p": "two-sided p-value of car_t, t(n_est - K)", "bhar": "buy-and-hold abnormal return, decimal"}),
    _table("study_caar", "Per run and window: CAAR and companions, DECIMAL.", {
        "run_id": _RUN, "window_start": "trading days from day 0", "window_end": "trading days from day 0",
        "window_label": "\"[a,b]\" as in study_tests.window", "caar": "mean CAR over OK event-firms, decimal",
        "mean_bhar": "mean BHAR, decimal", "median_car": "median CAR, decimal", "n": "event-firms with a CAR"}),
    _table("study_exclusions", "Per study run: event-firms a data screen left out of the tests, and why.", {
        "run_id": _RUN, "event_id": _EVENT, "ticker": _TICKER,
        "screen": "which screen: min_price, min_sigma, max_zero_share, min_obs or data",
        "value": "the event-firm's value (price in its currency; sigma and shares decimal)",
        "threshold": "the screen's threshold, same unit as value", "reason": "one line, for people"}),
    _table("event_candidates", "8-K filings from SEC EDGAR proposed as catalog events (`eventstudy events discover`).", {
        "id": "candidate id (for `events accept` / `events reject`)", "accession": "EDGAR accession number",
        "ticker": _TICKER, "cik": "SEC central index key of the filer", "company": "filer name",
        "form": "8-K or 8-K/A", "items": "8-K items, comma-separated (e.g. 1.01,7.01)",
        "filing_date": "EDGAR filing date", "accepted_at": "acceptance time from the SGML header (US/Eastern), stored UTC",
        "json_acceptance": "acceptanceDateTime as the submissions JSON gives it (not reliably UTC)",
        "event_date": "New York date of the announcement", "timing": "pre-open, intraday or after-close, from accepted_at",
        "event_id": "catalog id the candidate becomes", "url": "the filing's primary document",
        "event_json": "the proposed catalog event (JSON)", "status": "new, accepted or rejected",
        "discovered_at": "when discover first saw it (UTC)", "decided_at": "when it was accepted or rejected (UTC)"}),
    _table("claim_check_runs", "Every stored claim check.", {
        "check_id": "claim check id", "checked_at": "when (UTC)", "benchmark": "ticker subtracted for abnormal moves",
        "study_run_id": "study run whose CARs were used", "tolerance_pp": "absolute band, percentage points",
        "tolerance_rel": "relative band, fraction of the claim"}),
    _table("claim_results", "One row per claim and check: measured moves (percent) and verdict.", {
        "check_id": "claim check id", "row_no": "row within the check", "event_id": _EVENT, "ticker": "ticker claimed",
        "window_start": "trading days from day 0", "window_end": "trading days from day 0", "day0": "event day 0 session",
        "from_date": "base-close session (day window_start - 1)", "to_date": "final session (day window_end)",
        "claimed_move_pct": "percent: claimed move", "qualifier": "about, exact, nearly or over",
        "measure": "close-to-close or intraday-high", "measured_move_pct": "percent: measured move",
        "benchmark_move_pct": "percent: benchmark move", "abnormal_move_pct": "percentage points: measured - benchmark",
        "car_pct": "percent: market-model CAR over the window", "intraday_high_pct": "percent: highest high in the window",
        "tolerance_pp": "percentage points: matching band", "verdict": "matches, overstated, understated or no data",
        "note": "why not a plain match", "source": "where the claim comes from", "quote": "the claim's words"}),
    # ------------------------------------------------------------------ backtests
    _table("backtest_runs", "One row per backtest run with its spec.", {
        "run_id": "backtest run id", "name": "strategy name", "created_at": "when stored (UTC)",
        "spec_json": "the strategy spec as JSON", "spec_hash": "hash of the spec", "rank_by": "metric variants are ranked by",
        "oos_split": "out-of-sample split date", "span_start": "first session traded", "span_end": "last session traded",
        "n_variants": "variants run", "n_events": "events traded", "n_trades": "trades", "best_variant": "best variant number"}),
    _table("backtest_results", "Per run, sample and variant: parameters and performance, DECIMAL fractions.", {
        "run_id": "backtest run id", "sample": "all, in or out (walk-forward: out = the whole test span)", "variant": "variant number", "label": "parameters as text",
        "k": "entry offset, trading days after day 0", "hold": "holding period, trading days",
        "stop_loss": "stop loss, decimal", "take_profit": "take profit, decimal", "trailing": "trailing stop",
        "role": "roles traded", "benchmark": "benchmark ticker", "hedge": "beta-hedged",
        "total_return": "total return, decimal", "cagr": "CAGR, decimal", "sharpe": "annualised Sharpe",
        "sortino": "annualised Sortino", "max_drawdown": "maximum drawdown, decimal", "win_rate": "winning trades, fraction",
        "trades": "number of trades", "avg_trade": "average trade return, decimal", "exposure": "fraction of sessions invested",
        "peak_gross": "peak gross exposure, in the traded currency", "bh_total_return": "buy-and-hold return, decimal",
        "bh_sharpe": "buy-and-hold Sharpe", "spy_total_return": "SPY return, decimal", "spy_sharpe": "SPY Sharpe",
        "rank": "rank (1 = best)", "selected": "the picked variant"}),
    _table("backtest_trades", "Trades of the stored variants.", {
        "run_id": "backtest run id", "sample": "all, in, out or wf (walk-forward: the chosen variants' test trades)", "variant": "variant number", "trade_no": "trade number",
        "event_id": _EVENT, "ticker": _TICKER, "role": "party role", "side": "+1 long, -1 short",
        "day0_date": "event day 0 session", "day0_move": "day-0 return, decimal", "entry_date": "entry session",
        "entry_at": "open or close", "delayed": "moved to the earliest fill allowed (no look-ahead)",
        "entry_price": "entry price", "exit_date": "exit session", "exit_price": "exit price",
        "exit_reason": "hold, stop_loss, take_profit, trailing, end", "shares": "shares traded",
        "notional": "entry notional, traded currency", "pnl": "profit and loss, traded currency",
        "hedge_ticker": "hedge ticker", "hedge_beta": "hedge beta (sessions -250..-11)", "hedge_pnl": "hedge P&L",
        "trade_return": "trade return, decimal"}),
    _table("backtest_walk_forward", "Walk-forward runs: the stitched out-of-sample record of the variants chosen fold by fold, DECIMAL fractions.", {
        "run_id": "backtest run id", "mode": "rolling or expanding train periods",
        "train": "train period: <n>Y/M/W/D calendar years, months, weeks, days", "test": "test period, same units",
        "start": "first train day (null: the spec's start or the first event)", "select_by": "metric the variant is chosen by",
        "n_folds": "number of folds", "span_start": "first session of the stitched record", "span_end": "last session",
        "total_return": "stitched total return, decimal", "cagr": "stitched CAGR, decimal", "sharpe": "stitched annualised Sharpe",
        "sortino": "stitched annualised Sortino", "max_drawdown": "stitched maximum drawdown, decimal",
        "win_rate": "winning trades, fraction", "trades": "number of stitched trades", "avg_trade": "average trade return, decimal"}),
    _table("backtest_folds", "Per walk-forward run and fold: spans, the variant chosen on the train events, its metric in and out of sample.", {
        "run_id": "backtest run id", "fold": "fold number (1 = first)", "train_start": "first announcement day trained on",
        "train_end": "last announcement day of the train period", "test_start": "first announcement day traded",
        "test_end": "last announcement day traded", "train_events": "events trained on (purged of trades open at test start)",
        "test_events": "events in the test period", "variant": "variant chosen (null: none had a value)",
        "label": "its parameters as text", "is_value": "select_by on the train events", "oos_value": "select_by on the test events",
        "oos_total_return": "test-period total return, decimal", "oos_trades": "test-period trades", "note": "why nothing or no trade"}),
    # ------------------------------------------------------------------ pipeline
    _table("pipeline_runs", "Nightly pipeline runs.", {
        "id": "pipeline run id", "started_at": "start (UTC)", "finished_at": "end (UTC)",
        "status": "running, ok, nothing-new, partial, failed or interrupted", "trigger": "manual, scheduled or late",
        "summary": "what changed"}),
    _table("pipeline_steps", "Per pipeline run and step.", {
        "run_id": "pipeline run id", "step": "step name", "started_at": "start (UTC)", "finished_at": "end (UTC)",
        "status": "step status", "rows": "rows or items the step wrote", "error": "error message"}),
    _table("pipeline_lock", "Who holds the single-run lock.", {
        "name": "lock name", "owner": "owner id", "pid": "process id", "host": "host name",
        "acquired_at": "when taken (UTC)", "heartbeat_at": "last heartbeat (UTC)",
        "pid_start": "the holder process's start time (clock ticks since boot, /proc/PID/stat) against pid reuse"}),
    _table("pipeline_fingerprints", "What each derived result was computed from.", {
        "kind": "study, study-all, backtest or report", "key": "event id, strategy file, ...",
        "fingerprint": "hash of the inputs", "last_price_date": "last price date the windows reach",
        "result_id": "stored study or backtest run", "run_id": "pipeline run that wrote it",
        "updated_at": "when (UTC)"}),
)

BY_NAME: dict[str, RelationDoc] = {r.name: r for r in RELATIONS}
#: Tables and views the project defines, in dictionary order; others found in a database are shown as undocumented.
VIEW_NAMES = tuple(r.name for r in RELATIONS if r.kind == "view")


def render_markdown() -> str:
    """The dictionary as Markdown (the content of ``docs/data-dictionary.md``)."""
    lines = ["# Data dictionary", "",
             "Generated from `eventstudy/db/dictionary.py` by `python -m eventstudy.db.dictionary`; "
             "do not edit by hand (a test fails when this file is stale).", "",
             "Units: `*_pct` columns are percent (23.13 = +23.13 %); `ar`, `car` and the returns of the raw tables "
             "are decimal fractions; windows, offsets and `*_days` are trading sessions from event day 0, both "
             "window ends included; timestamps are UTC.", ""]
    for kind, title in (("view", "Views"), ("table", "Tables")):
        lines += [f"## {title}", ""]
        for rel in (r for r in RELATIONS if r.kind == kind):
            lines += [f"### `{rel.name}`", "", rel.description, "", "| column | type | meaning |", "|---|---|---|"]
            lines += [f"| `{c.name}` | {c.type} | {c.meaning.replace('|', '/')} |" for c in rel.columns]
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
