"""A small stand-in for ``EventStudyResults`` with known numbers (tests of tables, plots and storage).

It follows the results contract (``firms``, ``ar``, ``car``, ``bhar``, ``tests``, ``by``,
``windows``, ``params``) but computes only a cross-sectional t test, with scipy, so the
reporting code can be checked without the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


@dataclass
class FakeResults:
    firms: pd.DataFrame
    ar: pd.DataFrame
    windows: list
    params: dict = field(default_factory=dict)

    def _cum(self, a, b, compound):
        block = self.ar.loc[a:b]
        return ((1 + block).prod() - 1) if compound else block.sum()

    def _measure(self, compound):
        cols = {f"[{a},{b}]": self._cum(a, b, compound) for a, b in self.windows}
        frame = pd.DataFrame(cols)
        frame.index = pd.MultiIndex.from_tuples(frame.index, names=["event_id", "ticker"])
        return frame

    @property
    def car(self):
        return self._measure(False)

    @property
    def bhar(self):
        return self._measure(True)

    # A fixed 1 %-a-day standard error: enough for the stored per-event t / p rows.
    @property
    def car_se(self):
        return pd.DataFrame({f"[{a},{b}]": 0.01 * np.sqrt(b - a + 1) for a, b in self.windows}, index=self.car.index)

    @property
    def car_t(self):
        return self.car / self.car_se

    @property
    def car_p(self):
        t = self.car_t
        return pd.DataFrame(2 * stats.norm.sf(t.abs()), index=t.index, columns=t.columns)

    @property
    def caar(self):
        car, bhar = self.car, self.bhar
        return pd.DataFrame({"caar": car.mean(), "mean_bhar": bhar.mean(), "median_car": car.median(), "n": car.notna().sum()})

    def _tests(self, rows, group_col=None, group=None):
        out = []
        for measure, frame in (("CAR", self.car), ("BHAR", self.bhar)):
            frame = frame.loc[rows]
            for w in frame.columns:
                x = frame[w].dropna()
                res = stats.ttest_1samp(x, 0.0)
                out.append(dict(measure=measure, window=w, test="csect_t", statistic=res.statistic, pvalue=res.pvalue,
                                n=len(x), group_col=group_col, group=group))
                res = stats.wilcoxon(x)
                out.append(dict(measure=measure, window=w, test="wilcoxon", statistic=res.statistic, pvalue=res.pvalue,
                                n=len(x), group_col=group_col, group=group))
        return pd.DataFrame(out)

    @property
    def tests(self):
        return self._tests(slice(None))

    def by(self, column):
        parts = []
        for g, sub in self.firms[self.firms.status == "ok"].groupby(column):
            rows = pd.MultiIndex.from_frame(sub[["event_id", "ticker"]])
            parts.append(self._tests(rows, column, g))
        return pd.concat(parts, ignore_index=True)


def fake_results(n_events: int = 12, effect: float = 0.02, seed: int = 1) -> FakeResults:
    rng = np.random.default_rng(seed)
    offsets = np.arange(-5, 11)
    keys = [(f"ev-{i:02d}", "AAA" if i % 3 else "BBB") for i in range(n_events)]
    ar = rng.normal(0.0, 0.02, size=(len(offsets), n_events))
    ar[offsets == 0] += effect
    ar[0, 0] = np.nan  # a missing day (IPO inside the window)
    frame = pd.DataFrame(ar, index=pd.Index(offsets, name="offset"),
                         columns=pd.MultiIndex.from_tuples(keys, names=["event_id", "ticker"]))
    firms = pd.DataFrame({
        "event_id": [k[0] for k in keys], "ticker": [k[1] for k in keys],
        "day0": pd.date_range("2025-01-06", periods=n_events, freq="7D"), "status": "ok",
        "n_est": 240, "sigma": 0.02, "alpha": 0.0, "beta": 1.0, "confounded": False, "confounded_by": "",
        "role": ["supplier" if i % 2 else "investor" for i in range(n_events)],
    })
    return FakeResults(firms, frame, [(0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10)],
                       {"model": "market", "benchmark": "SPY", "estimation": (-250, -11)})
