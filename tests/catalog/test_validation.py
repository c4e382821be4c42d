"""Every class of catalog error is reported with file, exact line, column, field and what was expected.

Each test writes a small catalog to ``tmp_path``; expected line numbers are found by
searching the written text (not from the YAML parser), so a wrong mark fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.catalog import load_catalog
from eventstudy.exceptions import CatalogError

VALID = """\
id: 2025-10-06-openai-amd
title: OpenAI and AMD sign a GPU supply deal
date: 2025-10-06
timing: pre-open
deal_type: equity-for-orders
parties:
  - name: OpenAI
    listed: false
    role: customer
  - name: Advanced Micro Devices
    ticker: AMD
    exchange: NASDAQ
    role: supplier
sources:
  - source: 000_008fe688c4d1b36f.txt
    quote: AMD +43%
claims:
  - ticker: AMD
    window: [0, 2]
    move_pct: 43
    source: 000_008fe688c4d1b36f.txt
confidence: high
"""

#: The file name VALID must have: the id equals the file name without its suffix.
NAME = "2025-10-06-openai-amd.yaml"

# Allowed values as the issue states them (independent of the schema module).
TIMINGS = ("pre-open", "intraday", "after-close", "unknown")
ROLES = ("announcer", "counterparty", "investor", "investee", "supplier", "customer", "competitor")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the test text")


def column_of(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


def problems_for(folder: Path) -> list:
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    return info.value.problems


def only_problem(folder: Path):
    found = problems_for(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_valid_event_loads(tmp_path):
    write(tmp_path, "2025-10-06-openai-amd.yaml", VALID)
    [entry] = load_catalog(tmp_path)
    assert entry.event.id == "2025-10-06-openai-amd"
    assert entry.event.claims[0].window == (0, 2)
    assert entry.line == 1


def test_bad_yaml_reports_file_and_line(tmp_path):
    text = VALID.replace("    window: [0, 2]", "    window: [0, 2")
    path = write(tmp_path, "broken.yaml", text)
    problem = only_problem(tmp_path)
    assert problem.file == str(path)
    # PyYAML notices the unclosed flow sequence on the next line, where "move_pct:" starts.
    assert problem.line == line_of(text, "move_pct: 43")
    assert problem.message.startswith("bad YAML:")


def test_tab_indentation_is_bad_yaml(tmp_path):
    text = VALID.replace("  - name: OpenAI", "\t- name: OpenAI")
    write(tmp_path, "tabs.yaml", text)
    problem = only_problem(tmp_path)
    assert problem.line == line_of(text, "\t- name: OpenAI")
    assert "bad YAML" in problem.message


@pytest.mark.parametrize("bad", ["2025-13-45", "2025-02-30", "06/10/2025", "20251006"])
def test_bad_date(tmp_path, bad):
    text = VALID.replace("date: 2025-10-06", f"date: {bad}")
    path = write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    line = line_of(text, "date:")
    assert (problem.file, problem.line, problem.column, problem.field) == (str(path), line, column_of(text, line, bad), "date")
    assert bad in problem.message and "YYYY-MM-DD" in problem.message


def test_unknown_timing_lists_allowed_values(tmp_path):
    text = VALID.replace("timing: pre-open", "timing: pre-market")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    line = line_of(text, "timing:")
    assert (problem.line, problem.column, problem.field) == (line, column_of(text, line, "pre-market"), "timing")
    assert "pre-market" in problem.message
    for allowed in TIMINGS:
        assert f"'{allowed}'" in problem.message


def test_unknown_role_lists_allowed_values(tmp_path):
    text = VALID.replace("    role: supplier", "    role: vendor")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    assert problem.line == line_of(text, "role: vendor")
    assert problem.field == "parties.1.role"
    assert "vendor" in problem.message
    for allowed in ROLES:
        assert f"'{allowed}'" in problem.message


def test_duplicate_id_points_at_id_line_of_second_file(tmp_path):
    write(tmp_path, NAME, VALID)
    # Second file (same stem, the other suffix, so its id matches its name too): the id is not on the first line, so a document-start mark would be wrong.
    body = VALID.replace("id: 2025-10-06-openai-amd\n", "")
    second = "# same deal, second copy\n" + body.replace("confidence: high\n", "confidence: high\nid: 2025-10-06-openai-amd\n")
    path = write(tmp_path, "2025-10-06-openai-amd.yml", second)
    problem = only_problem(tmp_path)
    assert (problem.file, problem.field) == (str(path), "id")
    assert problem.line == line_of(second, "id: 2025-10-06-openai-amd") == len(second.splitlines())
    assert "duplicate id '2025-10-06-openai-amd'" in problem.message
    assert f"{tmp_path / NAME}:1" in problem.message


def test_listed_party_without_ticker(tmp_path):
    text = VALID.replace("    ticker: AMD\n", "")
    text = text.replace("claims:\n  - ticker: AMD\n    window: [0, 2]\n    move_pct: 43\n    source: 000_008fe688c4d1b36f.txt\n", "")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    assert problem.field == "parties.1"
    assert problem.line == line_of(text, "- name: Advanced Micro Devices")
    assert "no ticker" in problem.message and "listed: false" in problem.message


def test_claim_on_ticker_that_is_not_a_party(tmp_path):
    text = VALID.replace("  - ticker: AMD\n    window", "  - ticker: NVDA\n    window")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    line = line_of(text, "ticker: NVDA")
    assert (problem.line, problem.column, problem.field) == (line, column_of(text, line, "NVDA"), "claims.0.ticker")
    assert "NVDA is not a party" in problem.message and "AMD" in problem.message


@pytest.mark.parametrize(
    ("insert_after", "key", "field", "allowed"),
    [
        ("title: OpenAI and AMD sign a GPU supply deal\n", "headline: x\n", "headline", "id, title, date"),
        ("    exchange: NASDAQ\n", "    colour: green\n", "parties.1.colour", "name, ticker, exchange, listed, role"),
        ("    move_pct: 43\n", "    horizon: 3\n", "claims.0.horizon", "ticker, window, move_pct"),
    ],
)
def test_unknown_keys_point_at_the_key(tmp_path, insert_after, key, field, allowed):
    text = VALID.replace(insert_after, insert_after + key)
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    name = key.strip().split(":")[0]
    line = line_of(text, key.strip())
    assert (problem.line, problem.column, problem.field) == (line, column_of(text, line, name), field)
    assert f"unknown key '{name}'" in problem.message and allowed in problem.message


@pytest.mark.parametrize(("drop", "field", "at"), [("title: OpenAI and AMD sign a GPU supply deal\n", "title", "id:"),
                                                   ("    role: customer\n", "parties.0.role", "- name: OpenAI")])
def test_missing_required_field(tmp_path, drop, field, at):
    text = VALID.replace(drop, "")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    assert problem.field == field
    assert problem.line == line_of(text, at)
    assert f"missing required key '{field.split('.')[-1]}'" in problem.message


def test_key_written_twice(tmp_path):
    text = VALID.replace("timing: pre-open\n", "timing: pre-open\ntiming: after-close\n")
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    assert problem.line == line_of(text, "timing: after-close")
    assert problem.field == "timing" and "twice" in problem.message


def test_time_must_be_hh_mm(tmp_path):
    write(tmp_path, NAME, VALID.replace("timing: pre-open\n", "timing: pre-open\ntime: 10:30\n"))
    [entry] = load_catalog(tmp_path)
    assert entry.event.time == "10:30"  # not YAML 1.1's sexagesimal 630
    text = VALID.replace("timing: pre-open\n", 'timing: pre-open\ntime: "25:00"\n')
    write(tmp_path, NAME, text)
    problem = only_problem(tmp_path)
    assert (problem.field, problem.line) == ("time", line_of(text, "time:"))


def test_not_a_mapping_and_empty_file(tmp_path):
    write(tmp_path, "list.yaml", "- a\n- b\n")
    write(tmp_path, "empty.yaml", "")
    found = sorted(problems_for(tmp_path), key=lambda p: p.file)
    assert [Path(p.file).name for p in found] == ["empty.yaml", "list.yaml"]
    assert all("mapping" in p.message for p in found)


def test_every_problem_in_every_file_is_reported(tmp_path):
    write(tmp_path, "a.yaml", VALID.replace("timing: pre-open", "timing: soon").replace("role: customer", "role: buyer"))
    write(tmp_path, "b.yaml", VALID.replace("date: 2025-10-06", "date: 2025-10-32"))
    write(tmp_path, "another-event.yaml", VALID.replace("id: 2025-10-06-openai-amd", "id: another-event"))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    found = {(Path(p.file).name, p.field) for p in info.value.problems}
    assert found == {("a.yaml", "timing"), ("a.yaml", "parties.0.role"), ("b.yaml", "date")}
    assert info.value.exit_code == 2
    text = str(info.value)
    assert f"{tmp_path / 'b.yaml'}:{line_of(VALID, 'date:')}:" in text


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(CatalogError, match=r"no \*\.yaml"):
        load_catalog(tmp_path)


def test_confounder_on_a_ticker_that_is_not_a_party(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "events" / "2025-10-06-openai-amd.yaml").read_text()
    text = text.replace("\nconfidence:", "\nconfounders:\n  - description: something else\n    tickers: [ORCL]\nconfidence:", 1)
    (tmp_path / NAME).write_text(text)
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    (problem,) = err.value.problems
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.strip() == "tickers: [ORCL]")
    assert problem.line == line and problem.field == "confounders.0.tickers.0"
    assert "ORCL is not a party" in problem.message and problem.file.endswith(NAME)
