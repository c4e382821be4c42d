"""JSON output keeps non-ASCII text as UTF-8 characters (the catalog quotes Chinese sources)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from eventstudy.cli import app


def test_event_json_keeps_chinese_quotes(tmp_path, repo_catalog):
    db = str(tmp_path / "u.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "events", "load", "--catalog", str(repo_catalog)]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "events", "show", "2025-09-22-nvidia-openai-10gw", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "\\u" not in result.stdout and "美" in result.stdout
    assert "美" in json.dumps(json.loads(result.stdout), ensure_ascii=False)
