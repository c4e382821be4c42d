"""SQL of the web face (``eventstudy serve``), run by Datasette on the read-only SQLite file.

Plain SQLite text with named parameters; the pages and canned queries of
:mod:`eventstudy.web.app` use these and nothing else.  Units follow the views
(``*_pct`` percent, windows in trading days from day 0).
"""

#: The catalog's events, filtered; an empty parameter means "any".
EVENTS = """
select e.id as event_id, e.announced, e.title, e.deal_type, e.timing,
       (select group_concat(p.name || coalesce(' (' || p.ticker || ')', '') || ': ' || p.role, '; ')
          from event_parties p where p.event_id = e.id) as parties,
       e.amount_text
from events e
where (:ticker = '' or e.id in (select event_id from event_parties where ticker = upper(:ticker)))
  and (:role = '' or e.id in (select event_id from event_parties where role = :role))
  and (:deal_type = '' or e.deal_type = :deal_type)
  and (:date_from = '' or e.announced >= :date_from)
  and (:date_to = '' or e.announced <= :date_to)
order by e.announced, e.id
"""

ROLES = "select distinct role from event_parties order by role"
DEAL_TYPES = "select distinct deal_type from events order by deal_type"

EVENT = "select * from events where id = :event_id"

EVENT_PARTIES = """
select p.name, p.ticker, p.exchange, p.role,
       r.abnormal_return_day0_pct, r.t_day0, r.p_day0, r.raw_return_day0_pct, r.car_0_2_pct, r.t_0_2,
       r.confounded, r.confounded_by, r.study_run_id
from event_parties p
left join event_reactions r on r.event_id = p.event_id and r.ticker = p.ticker
where p.event_id = :event_id
order by p.position
"""

EVENT_SOURCES = "select source, url, quote from event_sources where event_id = :event_id order by position"

EVENT_CLAIMS = """
select ticker, window_start, window_end, claimed_move_pct, qualifier, measure, measured_move_pct,
       abnormal_move_pct, car_pct, intraday_high_pct, verdict, note, quote
from claim_checks where event_id = :event_id
order by ticker, window_start, window_end
"""

#: Per-event CAR table of the latest run holding each party (percent).
EVENT_CARS = """
select c.ticker, c.window_start, c.window_end, 100.0 * c.car as car_pct, c.car_t as t, c.car_p as p,
       100.0 * c.bhar as bhar_pct, c.run_id as study_run_id
from study_cars c
where c.event_id = :event_id
  and c.run_id = (select max(f.run_id) from study_firms f where f.event_id = c.event_id and f.ticker = c.ticker)
order by c.ticker, c.window_start, c.window_end
"""

#: Daily abnormal returns (decimal) of the latest run holding each party, for the CAR path plot.
EVENT_AR_PATHS = """
select a.ticker, a.event_day, a.ar
from abnormal_returns a
where a.event_id = :event_id
  and a.run_id = (select max(f.run_id) from study_firms f where f.event_id = a.event_id and f.ticker = a.ticker)
order by a.ticker, a.event_day
"""

#: Canned query: the latest study run's CAAR and tests (study_summary).
STUDY_TABLES = """
select * from study_summary
where study_run_id = (select max(run_id) from study_runs)
order by measure, window_start, window_end, test
"""

#: Canned query: backtest results, best first within each run.
BACKTEST_RESULTS = "select * from backtest_summary order by backtest_run_id desc, sample, \"rank\""
