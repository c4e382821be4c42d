"""Docstring examples of the core run as tests so they cannot rot."""

from __future__ import annotations

import doctest

import pytest

from eventstudy.core import statistics


@pytest.mark.parametrize("module", [statistics])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
