"""Study runs round-trip through the database (SQLite and PostgreSQL), in one transaction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from _synthetic import small_study
from eventstudy.db import open_db
from eventstudy.db.study_tables import abnormal_returns, study_runs, study_tests
from eventstudy.db.studies import latest_abnormal_returns, load_run, save_results


def test_run_round_trips(db_url):
    results = small_study()
    engine = open_db(db_url)
    run_id = save_results(engine, results, selection={"ticker": "T00"}, group_cols=["role"])
    stored = load_run(engine, run_id)

    assert stored.model == "market" and stored.benchmark == "SPY"
    assert stored.parameters["estimation"] == [-250, -11]
    assert stored.parameters["windows"] == [[0, 0], [0, 2], [-1, 1], [-5, 5], [0, 10]]
    assert stored.parameters["selection"] == {"ticker": "T00"}
    # Abnormal returns: same values, same missing day, nothing added.
    expected = results.ar.dropna(how="all")
    got = stored.ar.reindex(index=expected.index, columns=expected.columns)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-15, equal_nan=True)
    # CARs rebuilt from the stored daily rows equal the results' CARs.
    for (a, b) in results.windows:
        car = stored.ar.loc[a:b].sum()
        ref = results.car[f"[{a},{b}]"]
        np.testing.assert_allclose(car.reindex(ref.index).to_numpy(), ref.to_numpy(), atol=1e-14)
    # Tests: overall plus the role groups.
    tests = pd.concat([results.tests, results.by("role")], ignore_index=True)
    assert len(stored.tests) == len(tests)
    keys = ["measure", "window", "test", "group_col", "group"]
    merged = stored.tests.fillna({"group_col": "", "group": ""}).merge(
        tests.fillna({"group_col": "", "group": ""}), on=keys, suffixes=("_db", ""))
    assert len(merged) == len(tests)
    for col in ("statistic", "pvalue"):
        np.testing.assert_allclose(merged[f"{col}_db"], merged[col], rtol=1e-12)
    assert (merged["n_db"] == merged["n"]).all()
    # Firms.
    assert list(stored.firms["status"]) == ["ok"] * len(results.firms)
    assert stored.firms["day0"].astype(str).tolist() == results.firms.sort_values(["event_id", "ticker"])["day0"].dt.strftime("%Y-%m-%d").tolist()


def test_runs_get_new_ids_and_latest_ar_wins(db_url):
    engine = open_db(db_url)
    first = save_results(engine, small_study(seed=1))
    second = save_results(engine, small_study(seed=2))
    assert second > first
    latest = latest_abnormal_returns(engine)
    np.testing.assert_allclose(latest.loc[0, ("ev-01", "T01")], small_study(seed=2).ar.loc[0, ("ev-01", "T01")])


def test_failed_write_leaves_nothing(db_url, monkeypatch):
    """A row the database rejects (NULL test name) after the run and ARs were sent: all rolled back."""
    import eventstudy.db.studies as store

    engine = open_db(db_url)
    real = store._test_rows

    def broken(run_id, tests):
        rows = real(run_id, tests)
        rows[-1]["test"] = None
        return rows

    monkeypatch.setattr(store, "_test_rows", broken)
    with pytest.raises(sa.exc.IntegrityError):
        save_results(engine, small_study())
    with engine.connect() as conn:
        for table in (study_runs, abnormal_returns, study_tests):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
