"""``events import|export|new``: CSV, Excel and EventStudyTools request files -> catalog YAML.

Expected values are the files' own cells, read here independently (plain ``yaml.safe_load``
of what was written, the literal rows of the input).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO
from eventstudy.catalog import load_catalog
from eventstudy.catalog.importers import export_csv, export_est, read_event_files
from eventstudy.catalog.yaml_writer import event_yaml, write_events
from eventstudy.cli import app
from eventstudy.exceptions import CatalogError

runner = CliRunner()

EST = "1;INTC;SPY;18.09.2025;investment;-5;5;-11;120\n2;AMD;QQQ;06.10.2025;supply deal;-10;10;-11;250\n"
CSV = """event_id,date,timing,title,deal_type,ticker,name,role,amount,amount_kind,source
a1,2025-09-18,pre-open,NVIDIA buys $5B of Intel,investment,INTC,Intel,investee,5,commitment,wire
a1,2025-09-18,,,,NVDA,NVIDIA,investor,,,wire
,2025-10-15,,Consortium buys Aligned,acquisition,,Aligned Data Centers,target,,,
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _invoke(*args: str):
    return runner.invoke(app, list(map(str, args)))


def test_est_request_file_becomes_day0_events_that_load(tmp_path):
    req = _write(tmp_path, "01_RequestFile.csv", EST)
    cat = tmp_path / "cat"
    result = _invoke("events", "import", req, "--catalog", cat, "-f", "json")
    assert result.exit_code == 0, result.output
    docs = {d["parties"][0]["ticker"]: d for d in (yaml.safe_load(p.read_text()) for p in cat.glob("*.yaml"))}
    assert set(docs) == {"INTC", "AMD"}
    assert str(docs["INTC"]["date"]) == "2025-09-18" and docs["INTC"]["timing"] == "unknown"  # engine: day 0 = that session
    assert docs["AMD"]["deal_type"] == "supply-deal"  # group "supply deal" names a deal type
    assert "market QQQ; event window [-10, 10]; estimation window ends at -11, 250 days" in docs["AMD"]["notes"]
    assert len(load_catalog(cat)) == 2
    before = {p.name: p.stat().st_mtime_ns for p in cat.glob("*.yaml")}
    again = _invoke("events", "import", req, "--catalog", cat, "-f", "json")
    assert again.exit_code == 0 and '"unchanged"' in again.stdout and '"written"' not in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in cat.glob("*.yaml")} == before


def test_est_export_round_trip_keeps_dates_windows_and_market(tmp_path):
    cat = tmp_path / "cat"
    write_events(cat, read_event_files([_write(tmp_path, "r.csv", EST)]))
    rows = sorted(line.split(";") for line in export_est([e.event for e in load_catalog(cat)]).splitlines())
    assert sorted(r[1:] for r in rows) == sorted([["INTC", "SPY", "18.09.2025", "investment", "-5", "5", "-11", "120"],
                                            ["AMD", "QQQ", "06.10.2025", "supply deal", "-10", "10", "-11", "250"]])


def test_est_export_puts_after_close_news_on_the_next_session(tmp_path):
    # 2025-11-26 (Wednesday) after the close: Thanksgiving 11-27 is closed, so day 0 is Friday 11-28.
    event = read_event_files([_write(tmp_path, "x.csv", "date,timing,title,deal_type,ticker,role\n"
                                                        "2025-11-26,after-close,Late news,investment,NVDA,subject\n")])[0].event
    assert export_est([event]).split(";")[3] == "28.11.2025"


def test_csv_groups_parties_by_event_id_and_round_trips_through_export(tmp_path):
    cat = tmp_path / "cat"
    report = write_events(cat, read_event_files([_write(tmp_path, "deals.csv", CSV)]))
    assert len(report.written) == 2
    events = {e.event.id: e.event for e in load_catalog(cat)}
    a1 = events["a1"]
    assert a1.tickers == ["INTC", "NVDA"] and a1.timing.value == "pre-open" and a1.amount.value == 5
    other = events["2025-10-15-consortium-buys-aligned"]
    assert not other.parties[0].listed and other.timing.value == "unknown"
    back = read_event_files([_write(tmp_path, "export.csv", export_csv(list(events.values())))])
    assert {p.event.id: p.event for p in back} == events


def test_excel_sheet_reads_like_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Ticker", "Role", "Timing", "Title", "Deal type"])
    sheet.append([dt.datetime(2025, 9, 22), "NVDA", "investor", "intraday", "NVIDIA and OpenAI 10 GW", "investment"])
    sheet.append([dt.datetime(2025, 2, 31 - 3), "AMD", "bogus", "intraday", "Bad role", "investment"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    with pytest.raises(CatalogError) as err:
        read_event_files([path])
    assert [str(p) for p in err.value.problems] == [f"{path}:3: role: Input should be 'announcer', 'counterparty', 'investor', 'investee', "
                                                    "'supplier', 'customer', 'competitor', 'partner', 'acquirer', 'target', 'seller' or 'subject' (got 'bogus')"]
    sheet.delete_rows(3)
    book.save(path)
    (only,) = read_event_files([path])
    assert only.event.date == dt.date(2025, 9, 22) and only.event.tickers == ["NVDA"]


def test_excel_request_file_with_date_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append([7, "NVDA", "SPY", dt.datetime(2025, 9, 22), "investment", -5, 5, -11, 120])
    path = tmp_path / "request.xlsx"
    book.save(path)
    (only,) = read_event_files([path])
    assert (only.event.date, only.event.tickers, only.event.id) == (dt.date(2025, 9, 22), ["NVDA"], "2025-09-22-nvda-est-7")


@pytest.mark.parametrize(("text", "expected"), [
    ("1;INTC;SPY;31.02.2025;investment;-5;5;-11;120\n", "r.csv:1: date: '31.02.2025' is not a valid date in dd.mm.yyyy form"),
    ("1,INTC,SPY,18.09.2025,investment,-5,5,-11,120\n", "r.csv:1: looks like an EventStudyTools request file but is ','-separated"),
    ("1;INTC;SPY;18.09.2025;merger;-5;5;-11;120\n", "r.csv:1: group: group 'merger' is not a deal type"),
    ("1;IN TC;SPY;18.09.2025;investment;-5;5;-11;120\n", "r.csv:1: firm: ticker 'IN TC' is not an upper-case symbol"),
    ("1;INTC;SPY;18.09.2025;investment;5;-5;-11;120\n", "r.csv:1: event_start: event window start 5 is after its end -5"),
    ("date,ticker,role,title,deal_type\n2025-09-18,INTC,boss,X,investment\n", "r.csv:2: role: Input should be"),
    ("date,ticker,role,title,deal_type\n2025-09-18;INTC;investee;X;investment\n", "r.csv:2: expected 5 ','-separated fields as in the header, got 1 (wrong delimiter"),
    ("date,ticker,role,title,deal_type,colour\n", "r.csv:1: colour: unknown column 'colour'"),
])
def test_bad_rows_are_located_and_nothing_is_written(tmp_path, text, expected):
    good = "2;AMD;SPY;06.10.2025;supply-deal;-5;5;-11;120\n" if ";" in text.splitlines()[0] and "date" not in text else ""
    path = _write(tmp_path, "r.csv", good + text if good else text)
    cat = tmp_path / "cat"
    result = _invoke("events", "import", path, "--catalog", cat)
    assert result.exit_code != 0
    message = str(result.exception)
    shown = message.replace(str(tmp_path) + "/", "")
    if good:  # the bad row is the second line
        expected = expected.replace("r.csv:1:", "r.csv:2:")
    assert expected in shown, shown
    assert not cat.exists()


def test_import_refuses_to_overwrite_a_changed_event(tmp_path):
    cat = tmp_path / "cat"
    write_events(cat, read_event_files([_write(tmp_path, "r.csv", EST)]))
    changed = _write(tmp_path, "r2.csv", EST.replace(";investment;", ";financing;"))
    with pytest.raises(CatalogError, match="already in the catalog .* with different content"):
        write_events(cat, read_event_files([changed]))
    assert {e.event.deal_type.value for e in load_catalog(cat)} == {"investment", "supply-deal"}


def test_written_yaml_of_every_hand_written_event_reads_back_equal(tmp_path):
    for entry in load_catalog(REPO / "events"):
        (tmp_path / f"{entry.event.id}.yaml").write_text(event_yaml(entry.event), encoding="utf-8")
    again = {e.event.id: e.event for e in load_catalog(tmp_path)}
    assert again == {e.event.id: e.event for e in load_catalog(REPO / "events")}


def test_new_scaffolds_a_loadable_file_and_names_bad_options(tmp_path):
    cat = tmp_path / "cat"
    ok = _invoke("events", "new", "--date", "2025-10-06", "--title", "OpenAI and AMD 6 GW", "--deal-type", "supply-deal",
                 "--party", "AMD:AMD:supplier", "--party", "OpenAI::customer", "--timing", "pre-open", "--catalog", cat)
    assert ok.exit_code == 0, ok.output
    path = Path(ok.stdout.strip())
    assert path.parent == cat and yaml.safe_load(path.read_text())["parties"][1] == {"name": "OpenAI", "listed": False, "role": "customer"}
    assert load_catalog(cat)[0].event.tickers == ["AMD"]
    bad = _invoke("events", "new", "--date", "2025-10-06", "--title", "X", "--deal-type", "supply-deal", "--party", "AMD-supplier", "--catalog", cat)
    assert bad.exit_code != 0 and "--party" in str(bad.exception) and "NAME:TICKER:ROLE" in str(bad.exception)
