"""The application layer: the jobs that the CLI, the nightly pipeline and the notebook call.

Each job takes plain typed inputs (an engine, a folder, a :class:`StudySettings`) and
returns typed results; none of them prints.  SQL stays in :mod:`eventstudy.db`; the
numbers come from :mod:`eventstudy.core` through :class:`eventstudy.study.EventStudy`.

=======================  ====================================================
:func:`load_catalog_into_db`   validate the YAML catalog, sync it into the database
:func:`ingest_catalog_prices`  prices for the catalog's tickers and benchmarks
:func:`ingest_factor_files`    Fama-French files beside a price folder
:func:`load_study_inputs`      returns / events / factors for :class:`EventStudy`
:func:`run_study`              select + load + fit (``run_and_store`` also stores)
:func:`check_claims_job`       the press's claims against measured moves
:func:`regress_study`          cross-sectional regression of CARs on event characteristics
:func:`run_volume_study`       abnormal trading volume (log-volume market model)
:func:`run_volatility_study`   abnormal volatility (variance tests on the study's residuals)
:func:`write_study_report`     the one report writer
:func:`run_main`               the main job: all of the above in order
=======================  ====================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use: a command needing one job (e.g. ``backtest run``) does not pay for the
# imports of all the others (scipy.stats, matplotlib, statsmodels: seconds at start-up).
_WHERE = {
    "load_catalog_into_db": "catalog", "check_claims_job": "claims", "regress_study": "crossreg",
    "MainResult": "main", "run_main": "main", "factor_files": "prices", "ingest_catalog_prices": "prices",
    "ingest_factor_files": "prices", "write_study_report": "reports", "run_volume_study": "volume",
    "run_volatility_study": "volatility", "VolatilityResults": "volatility",
    "StudyInputs": "study", "StudySettings": "study", "calendar_time_study": "study", "fit_study": "study",
    "load_study_inputs": "study", "run_and_store": "study", "run_study": "study", "select_events": "study",
}

if TYPE_CHECKING:
    from .catalog import load_catalog_into_db
    from .claims import check_claims_job
    from .crossreg import regress_study
    from .main import MainResult, run_main
    from .prices import factor_files, ingest_catalog_prices, ingest_factor_files
    from .reports import write_study_report
    from .study import (StudyInputs, StudySettings, calendar_time_study, fit_study, load_study_inputs, run_and_store,
                        run_study, select_events)
    from .volatility import VolatilityResults, run_volatility_study
    from .volume import run_volume_study

__all__ = [
    "load_catalog_into_db", "ingest_catalog_prices", "ingest_factor_files", "factor_files",
    "StudySettings", "StudyInputs", "calendar_time_study", "load_study_inputs", "fit_study", "run_study", "run_and_store", "select_events",
    "check_claims_job", "regress_study", "run_volume_study", "run_volatility_study", "VolatilityResults", "write_study_report", "MainResult", "run_main",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
