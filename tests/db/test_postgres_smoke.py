from eventstudy.db import current_revision, has_table, head_revision, open_db


def test_migrations_reach_head(db_url):
    engine = open_db(db_url)
    assert current_revision(engine) == head_revision()
    # issue 10: the per-event and exclusions tables of study runs (revision 0009 until the lead rechains)
    assert has_table(engine, "study_event_windows") and has_table(engine, "study_exclusions")
    open_db(db_url)  # idempotent second open
    assert engine.dialect.name in ("sqlite", "postgresql")
