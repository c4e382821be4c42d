"""Named errors and warnings.

Every error a user can trigger with bad input derives from :class:`EventStudyError`;
the CLI prints its message (which names the file, line, ticker or date) and exits
with a non-zero code instead of showing a traceback.
"""

from __future__ import annotations


class EventStudyError(Exception):
    """Base class for errors caused by user input or environment, shown without traceback."""

    exit_code: int = 1


class CatalogError(EventStudyError):
    """The event catalog is invalid; ``problems`` lists every problem found."""

    exit_code = 2

    def __init__(self, problems: list["object"]):
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the event catalog:\n" + "\n".join(lines))


class ConfigError(EventStudyError):
    """A setting (database URL, price source, config file) is invalid."""

    exit_code = 2


class UsageError(EventStudyError):
    """An argument names something that does not exist (an event or run id) or asks what cannot be done."""

    exit_code = 2


class ReadOnlyViolation(EventStudyError):
    """A statement tried to write through a read-only connection."""

    exit_code = 3


class DataError(EventStudyError):
    """Input data (a price file, a download) is malformed or empty."""

    exit_code = 4


class DataScaleWarning(UserWarning):
    """Returns look like percent where decimal fractions were expected (or the reverse)."""


class OverlappingEventWarning(UserWarning):
    """Two events on one ticker overlap inside a window."""


class LockHeld(EventStudyError):
    """Another pipeline run (a scheduler or a manual run) holds the pipeline lock."""

    exit_code = 6


class PartialFailure(EventStudyError):
    """Some items of a batch (e.g. tickers of a price ingest) failed, the others succeeded."""

    exit_code = 5


class QueryCancelled(EventStudyError):
    """A running query was cancelled with Ctrl-C (exit code 130, as for any interrupted command)."""

    exit_code = 130
