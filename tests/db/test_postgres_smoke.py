from eventstudy.db import current_revision, open_db


def test_migrations_reach_head(db_url):
    engine = open_db(db_url)
    assert current_revision(engine) == "0006"
    open_db(db_url)  # idempotent second open
    assert engine.dialect.name in ("sqlite", "postgresql")
