from eventstudy.db import current_revision, open_db
from eventstudy.db.engine import head_revision


def test_migrations_reach_head(db_url):
    engine = open_db(db_url)
    assert current_revision(engine) == head_revision()
    open_db(db_url)  # idempotent second open
    assert engine.dialect.name in ("sqlite", "postgresql")
