from eventstudy.db import current_revision, has_table, head_revision, open_db


def test_migrations_reach_head(db_url):
    engine = open_db(db_url)
    assert current_revision(engine) == head_revision()
    assert has_table(engine, "study_cars") and has_table(engine, "study_exclusions") and has_table(engine, "event_candidates")
    open_db(db_url)  # idempotent second open
    assert engine.dialect.name in ("sqlite", "postgresql")
