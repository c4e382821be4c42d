"""Fama-French factor files: parsing (percent -> decimal), merging FF3 + momentum + FF5 by date, idempotence."""

from __future__ import annotations

import pytest

from conftest import FACTORS_DIR
from eventstudy.db import open_db
from eventstudy.exceptions import DataError
from eventstudy.db.prices import load_factors
from eventstudy.sources.factors import read_french_file
from eventstudy.prices.ingest import ingest_factors

FF3 = FACTORS_DIR / "tommy66779__Comparaison-IA-DotCom" / "F-F_Research_Data_Factors_daily.csv"
MOM = FACTORS_DIR / "tommy66779__Comparaison-IA-DotCom" / "F-F_Momentum_Factor_daily.csv"
FF5 = FACTORS_DIR / "michaelshpan__autoresearch-portfolio" / "F-F_Research_Data_5_Factors_2x3_daily.csv"


def _raw_line(path, yyyymmdd: str) -> list[float]:
    line = next(l for l in path.read_text().splitlines() if l.startswith(yyyymmdd + ","))
    return [float(v) for v in line.split(",")[1:]]


def test_ff3_in_decimal(shared_data):
    frame = read_french_file(FF3)
    assert list(frame.columns) == ["mkt_rf", "smb", "hml", "rf"]
    assert frame.index[0].strftime("%Y-%m-%d") == "1926-07-01" and frame.index[-1].strftime("%Y-%m-%d") == "2026-04-30"
    assert frame.loc["2025-10-06", "mkt_rf"] == pytest.approx(0.0039)  # +0.39 % in SOURCES.md
    assert frame.loc["2025-10-06"].tolist() == pytest.approx([v / 100 for v in _raw_line(FF3, "20251006")])


@pytest.mark.parametrize("order", [(FF3, MOM, FF5), (FF5, MOM, FF3)], ids=["ff3-first", "ff5-first"])
def test_merge_by_date_is_order_independent(db_url, shared_data, order):
    engine = open_db(db_url)
    for path in order:
        assert ingest_factors(engine, path) > 0
    for path in order:
        assert ingest_factors(engine, path) == 0  # loaded already: nothing changes
    frame = load_factors(engine, "1926-01-01", "2026-12-31")
    assert set(frame.columns) == {"mkt_rf", "smb", "hml", "rf", "mom", "rmw", "cma"}
    day = frame.loc["2025-10-06"]
    ff3, ff5, mom = _raw_line(FF3, "20251006"), _raw_line(FF5, "20251006"), _raw_line(MOM, "20251006")
    assert [day.mkt_rf, day.smb, day.hml, day.rf] == pytest.approx([v / 100 for v in ff3])  # FF3's SMB, HML win
    assert [day.rmw, day.cma] == pytest.approx([ff5[3] / 100, ff5[4] / 100])
    assert day.mom == pytest.approx(mom[0] / 100)
    # FF3 starts in 1926, FF5 in 1963: early dates hold FF3 columns only.
    assert frame.loc["1950-06-01":"1950-06-30", ["rmw", "cma"]].isna().all().all()
    assert len(frame) == len(read_french_file(FF3))


def test_malformed_factor_file(tmp_path):
    path = tmp_path / "ff.csv"
    path.write_text("header text\n\n,Mkt-RF,SMB,HML,RF\n20250102,  0.1, 0.2, 0.3, 0.01\n20250103,  0.1, x, 0.3, 0.01\n")
    with pytest.raises(DataError, match=r"ff\.csv:5: 'x' is not a number"):
        read_french_file(path)
    path.write_text(",Mkt-RF,SMB,HML,RF\n20250103,0.1,0.2,0.3,0.01\n20250102,0.1,0.2,0.3,0.01\n")
    with pytest.raises(DataError, match=r"ff\.csv:3: dates not in ascending order"):
        read_french_file(path)
    path.write_text(",Mkt-RF,Foo\n20250103,0.1,0.2\n")
    with pytest.raises(DataError, match=r"ff\.csv:1: unknown factor column\(s\) Foo"):
        read_french_file(path)
