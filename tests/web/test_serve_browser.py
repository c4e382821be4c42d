"""``eventstudy serve`` in a real headless browser (Debian's chromium driven by selenium).

The server runs as a subprocess on a database filled by the main job.  Screenshots are
kept as test artefacts in ``$EVENTSTUDY_ARTEFACTS/screenshots`` (default: pytest's tmp
directory); CI should upload that folder.  Needs the apt packages ``chromium`` and
``chromium-driver`` (skipped, saying so, where they are absent; CI installs them).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EVENTSTUDY, run_cli
from eventstudy.cli import app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AMD_EVENT = "2025-10-06-openai-amd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


@pytest.fixture(scope="module")
def served_db(tmp_path_factory, prices_dir):
    root = tmp_path_factory.mktemp("serve")
    db = root / "web.db"
    catalog = Path(__file__).resolve().parents[2] / "events"
    result = CliRunner().invoke(app, ["--db", str(db), "run", "--prices", f"files:{prices_dir}", "--catalog", str(catalog),
                                      "--out", str(root / "out"), "--window", "0,0", "--window", "0,2"])
    assert result.exit_code == 0, result.output
    # Fold the write-ahead log into the file, as closing the writer does, so serve opens it immutable.
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture(scope="module")
def server(served_db):
    port = _free_port()
    # The server log goes to a file: a pipe nobody reads would fill up and block the server.
    log = open(served_db.with_name("serve.log"), "w")
    proc = subprocess.Popen([EVENTSTUDY, "--db", str(served_db), "serve", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(base + "/")[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"eventstudy serve did not come up: {served_db.with_name('serve.log').read_text()}")
        time.sleep(0.3)
    yield base, port
    assert "serving it read-only instead of immutable" not in served_db.with_name("serve.log").read_text()
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    root = Path(os.environ.get("EVENTSTUDY_ARTEFACTS") or tmp_path_factory.mktemp("artefacts")) / "screenshots"
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} and chromedriver missing: .ci/run must apt-get install chromium chromium-driver")
        pytest.skip(f"needs {CHROMIUM} and chromedriver (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_home_page_lists_and_filters_the_events(server, browser, artefacts):
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(base + "/")
    rows = browser.find_elements(By.CSS_SELECTOR, "table#events tbody tr")
    assert len(rows) == 18 and "Deal events" in browser.page_source
    browser.save_screenshot(str(artefacts / "home.png"))
    box = browser.find_element(By.NAME, "ticker")
    box.send_keys("AMD")
    browser.find_element(By.CSS_SELECTOR, "#filters input[type=submit]").click()
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table#events tbody a")]
    assert len(links) == 2 and any(link.endswith(f"/event/{AMD_EVENT}") for link in links)
    browser.save_screenshot(str(artefacts / "home_ticker_amd.png"))


def test_event_page_shows_reactions_claims_and_the_car_plot(server, browser, artefacts):
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(f"{base}/event/{AMD_EVENT}")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "+23.13" in text            # AMD's day-0 abnormal return, percent
    assert "AMD股价连续三个交易日累计上涨达43%" in text  # a source quote, UTF-8
    assert "matches" in text and "overstated" in text   # its two claims: 43 % over [0,2], "over 40 %" in [0,1]
    browser.save_screenshot(str(artefacts / "event_amd_top.png"))
    plot = browser.find_element(By.ID, "car-plot")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", plot) > 100
    browser.execute_script("arguments[0].scrollIntoView()", plot)
    browser.save_screenshot(str(artefacts / "event_amd.png"))


def test_the_sql_page_refuses_writes(server, browser, artefacts, served_db):
    from selenium.webdriver.common.by import By

    base, _ = server
    before = _digest(served_db)
    statements = {"delete": "delete from events", "cte_delete": "with x as (select 1) delete from events",
                  "insert": "insert into events (id) values ('x')", "attach": "attach database 'copy.db' as c"}
    for name, sql in statements.items():
        browser.get(f"{base}/eventstudy?" + urllib.parse.urlencode({"sql": sql}))
        body = browser.find_element(By.TAG_NAME, "body").text.lower()
        assert any(m in body for m in ("statement must be a select", "readonly", "read-only", "not authorized")), (sql, body[:300])
        browser.save_screenshot(str(artefacts / f"sql_refused_{name}.png"))
    browser.get(f"{base}/eventstudy?" + urllib.parse.urlencode({"sql": "select count(*) as n from events"}))
    assert "18" in browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
    assert _digest(served_db) == before


def test_views_export_csv_and_json(server):
    base, _ = server
    status, csv = _get(f"{base}/eventstudy/event_reactions.csv?ticker=AMD&_size=max")
    assert status == 200 and AMD_EVENT in csv and "abnormal_return_day0_pct" in csv.splitlines()[0]
    status, js = _get(f"{base}/eventstudy/claim_checks.json?_shape=array&ticker=ORCL")
    assert status == 200 and '"overstated"' in js and '"claimed_move_pct": 39.0' in js
    status, page = _get(f"{base}/eventstudy/study_tables")
    assert status == 200 and "caar_pct" in page


def test_busy_port_and_postgres_are_one_line_errors(server, served_db):
    _, port = server
    busy = run_cli("--db", str(served_db), "serve", "--port", str(port), timeout=60)
    assert busy.returncode == 2 and f"port {port}" in busy.stderr and "Traceback" not in busy.stderr
    pg = run_cli("--db", "postgresql://nobody@localhost/none", "serve", timeout=60)
    assert pg.returncode == 2 and "psql, Metabase or Superset" in pg.stderr and "Traceback" not in pg.stderr
