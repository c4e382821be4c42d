from eventstudy.db import current_revision, open_db


def test_migrations_reach_head(db_url):
    engine = open_db(db_url)
    assert current_revision(engine) == "0005_pipeline"
    open_db(db_url)  # idempotent second open
    assert engine.dialect.name in ("sqlite", "postgresql")
