"""Expected-return models and their registry.

Every model is a linear regression of the firm's (possibly excess) daily return on
an intercept plus common regressors, fitted per event-firm over the estimation
window; the market-adjusted model has no estimated parameters. Returns are daily returns
in decimal fractions (simple, or log when the run says so).

=================  ======================================  ========================  =========
name (aliases)     dependent variable                      regressors (+ intercept)  estimated
=================  ======================================  ========================  =========
``constant``       R_it                                    none                      mean
``market-adj``     R_it - R_mt                             none                      no
``market``         R_it                                    R_mt (the benchmark)      OLS
``ff3``            R_it - rf_t                             mkt_rf, smb, hml          OLS
``carhart``        R_it - rf_t                             mkt_rf, smb, hml, mom     OLS
``ff5``            R_it - rf_t                             mkt_rf, smb, hml, rmw, cma OLS
=================  ======================================  ========================  =========
"""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import ConfigError


@dataclass(frozen=True)
class ModelSpec:
    """Description of one expected-return model.

    Attributes
    ----------
    name : canonical registry name.
    title : human-readable name used in summaries.
    factors : names of the factor columns used as regressors (decimal daily returns),
        empty for the benchmark-based and constant-mean models.
    uses_benchmark : the regressor (or the subtracted return) is the benchmark's return.
    excess : the dependent variable is the firm's return minus ``rf``.
    intercept : the regression has an intercept (False only for market-adjusted, which has no fit).
    estimated : parameters are estimated by OLS over the estimation window.
    """

    name: str
    title: str
    factors: tuple[str, ...] = ()
    uses_benchmark: bool = False
    excess: bool = False
    intercept: bool = True
    estimated: bool = True

    @property
    def n_params(self) -> int:
        """Number of estimated coefficients K (intercept included); 0 for market-adjusted."""
        if not self.estimated:
            return 0
        return int(self.intercept) + len(self.factors) + int(self.uses_benchmark)

    @property
    def needs_factors(self) -> tuple[str, ...]:
        """Factor columns required in the factors frame (``rf`` added for excess-return models)."""
        return self.factors + (("rf",) if self.excess else ())


MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec("constant", "Constant mean"),
        ModelSpec("market-adj", "Market-adjusted", uses_benchmark=True, intercept=False, estimated=False),
        ModelSpec("market", "Market model (OLS)", uses_benchmark=True),
        ModelSpec("ff3", "Fama-French 3-factor", factors=("mkt_rf", "smb", "hml"), excess=True),
        ModelSpec("carhart", "Carhart 4-factor", factors=("mkt_rf", "smb", "hml", "mom"), excess=True),
        ModelSpec("ff5", "Fama-French 5-factor", factors=("mkt_rf", "smb", "hml", "rmw", "cma"), excess=True),
    )
}

#: Accepted spellings -> canonical names (lower-case, ``_``/space treated as ``-``).
ALIASES: dict[str, str] = {
    "mean": "constant",
    "constant-mean": "constant",
    "mean-adjusted": "constant",
    "market-adjusted": "market-adj",
    "marketadj": "market-adj",
    "adjusted": "market-adj",
    "market-model": "market",
    "mm": "market",
    "ols": "market",
    "fama-french": "ff3",
    "ff": "ff3",
    "fama-french-3": "ff3",
    "carhart4": "carhart",
    "c4": "carhart",
    "ff4": "carhart",
    "fama-french-5": "ff5",
}


def get_model(name: str | ModelSpec) -> ModelSpec:
    """Look a model up by name or alias (case-insensitive); raise ConfigError listing the choices."""
    if isinstance(name, ModelSpec):
        return name
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    try:
        return MODELS[key]
    except KeyError:
        choices = ", ".join(sorted(MODELS)) + " (aliases: " + ", ".join(sorted(ALIASES)) + ")"
        raise ConfigError(f"unknown model {name!r}; choose one of {choices}") from None
