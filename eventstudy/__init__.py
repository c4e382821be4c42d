"""Event-driven market-reaction backtester.

Flow: catalog (``events/*.yaml``) + prices -> database -> engine -> results ->
tables / plots / backtests.  The statistical core (:mod:`eventstudy.core`)
does no I/O; everything that touches the network or a database sits on top.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
