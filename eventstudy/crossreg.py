"""Cross-sectional regression of CARs on event characteristics (OLS, statsmodels).

``CAR_i[a,b] = b0 + b' x_i + e_i`` over the studied event-firms, with heteroskedasticity-robust
(HC0-HC3, White 1980 / MacKinnon & White 1985) and calendar-date clustered standard errors
(event-firms sharing a day 0 share a cluster: the same market day moves them together).

Regressors: any column of ``results.firms`` (text columns such as ``role`` and ``deal_type``
become treatment dummies, the first level in sorted order being the base; booleans such as
``confounded`` enter as 0/1) and ``log_amount`` = ln(deal amount in whole currency units),
from an ``amount_value`` column (:func:`eventstudy.db.catalog_store.load_events_frame`'s
``extra``).  Event-firms missing a regressor are dropped (counted in ``n``).  CARs are decimal
fractions; windows are trading-session offsets from day 0, both ends included.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .defaults import window_label
from .exceptions import ConfigError, DataError

#: Regressors used when none are named.
DEFAULT_REGRESSORS = ("role", "deal_type", "log_amount", "confounded")
#: Heteroskedasticity-robust covariance types accepted.
HC_TYPES = ("HC0", "HC1", "HC2", "HC3")
#: Columns of :attr:`CarRegression.table`.
REGRESSION_COLUMNS = ["term", "coef", "se_hc", "t_hc", "p_hc", "se_cluster", "t_cluster", "p_cluster"]


@dataclass
class CarRegression:
    """A fitted CAR regression.

    Attributes
    ----------
    table : DataFrame, one row per term (``Intercept`` first), columns :data:`REGRESSION_COLUMNS`:
        coefficient (decimal CAR per unit of the regressor), its HC standard error, t and two-sided
        p-value from t(n - k), and the same with standard errors clustered by day-0 date (p from
        t(G - 1) with G clusters, statsmodels' small-sample correction).
    window : label ``"[a,b]"``. measure : "CAR" or "BHAR". cov : the HC type.
    n : event-firms in the fit. n_clusters : distinct day-0 dates. r2, r2_adj : R squared.
    dropped : regressors left out (constant over the sample) with the reason; key ``"(design)"`` when
        the remaining terms are collinear.
    hc, cluster : the statsmodels results (for ``.summary()``).
    """

    table: pd.DataFrame
    window: str
    measure: str
    cov: str
    n: int
    n_clusters: int
    r2: float
    r2_adj: float
    formula: str
    dropped: dict[str, str] = field(default_factory=dict)
    hc: Any = None
    cluster: Any = None


def regression_frame(results: Any, window: str, regressors: Sequence[str], measure: str = "CAR",
                     amounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The regression's data: ``y`` (the measure over ``window``), ``cluster`` (day-0 date) and the regressors."""
    values = results.car if measure == "CAR" else results.bhar
    if window not in values.columns:
        raise ConfigError(f"--window {window}: not a window of this study (have {', '.join(values.columns)})")
    firms = results.firms[results.firms["status"] == "ok"].reset_index(drop=True)
    if amounts is not None and "amount_value" not in firms:
        firms = firms.merge(amounts[["event_id", "amount_value"]].drop_duplicates("event_id"), on="event_id", how="left")
    data = pd.DataFrame({"y": values[window].to_numpy(dtype=float), "cluster": pd.to_datetime(firms["day0"]).dt.date.astype(str)})
    for name in regressors:
        if name == "log_amount":
            if "amount_value" not in firms:
                raise ConfigError("regressor log_amount needs the deal amounts (amount_value) of the events")
            amount = firms["amount_value"].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                data[name] = np.where(amount > 0, np.log(amount), np.nan)
        elif name in firms:
            col = firms[name]
            data[name] = col.astype(float) if col.dtype == bool else col.to_numpy()
        else:
            choices = sorted({"log_amount", *(c for c in firms.columns if c not in ("event_id", "day0", "status"))})
            raise ConfigError(f"unknown regressor {name!r}; choose among {', '.join(choices)}")
    return data


def car_regression(results: Any, window: str | tuple[int, int] = (0, 2), regressors: Sequence[str] = DEFAULT_REGRESSORS,
                   *, measure: str = "CAR", cov: str = "HC1", amounts: pd.DataFrame | None = None) -> CarRegression:
    """Regress the per-event ``measure`` over ``window`` on ``regressors`` (see the module docstring).

    Raises
    ------
    ConfigError
        Unknown window, regressor or covariance type.
    DataError
        Fewer event-firms with complete data than coefficients + 1.
    """
    import statsmodels.formula.api as smf

    if cov not in HC_TYPES:
        raise ConfigError(f"--cov {cov!r}: choose among {', '.join(HC_TYPES)}")
    label = window if isinstance(window, str) else window_label(window)
    data = regression_frame(results, label, list(regressors), measure.upper(), amounts)
    data = data.dropna()
    terms, dropped = [], {}
    for name in regressors:
        levels = data[name].nunique()
        if levels < 2:
            dropped[name] = f"constant over the {len(data)} event-firms with data"
            continue
        numeric = pd.api.types.is_numeric_dtype(data[name])
        terms.append(f"Q('{name}')" if numeric else f"C(Q('{name}'))")
    formula = "y ~ " + (" + ".join(terms) if terms else "1")
    model = smf.ols(formula, data=data)
    k = len(model.exog_names)
    if len(data) <= k:
        raise DataError(f"{len(data)} event-firms with complete data for {k} coefficients: too few for the regression")
    rank = int(np.linalg.matrix_rank(model.exog))
    if rank < k:
        dropped["(design)"] = (f"rank {rank} < {k} coefficients: some terms are collinear (not uniquely determined); "
                               "use fewer regressors")
    groups = pd.factorize(data["cluster"])[0]
    with warnings.catch_warnings():  # rank deficiency is reported in `dropped` instead
        warnings.simplefilter("ignore")
        hc = model.fit(cov_type=cov, use_t=True)
        cl = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    names = [_term(n) for n in model.exog_names]
    table = pd.DataFrame({
        "term": names, "coef": hc.params.to_numpy(), "se_hc": hc.bse.to_numpy(), "t_hc": hc.tvalues.to_numpy(),
        "p_hc": hc.pvalues.to_numpy(), "se_cluster": cl.bse.to_numpy(), "t_cluster": cl.tvalues.to_numpy(),
        "p_cluster": cl.pvalues.to_numpy(),
    }, columns=REGRESSION_COLUMNS)
    return CarRegression(table, label, measure.upper(), cov, int(hc.nobs), len(np.unique(groups)),
                         float(hc.rsquared), float(hc.rsquared_adj), formula, dropped, hc, cl)


def _term(name: str) -> str:
    """statsmodels' ``C(Q('role'))[T.supplier]`` -> ``role=supplier``; ``Q('log_amount')`` -> ``log_amount``."""
    if name.startswith("C(Q('"):
        col = name[5:name.index("')")]
        level = name.split("[T.", 1)[1].rstrip("]") if "[T." in name else ""
        return f"{col}={level}"
    if name.startswith("Q('"):
        return name[3:-2]
    return name
