"""Rows read from the LP keep the rounding they had when each value was rounded on its own:
whole values are taken as they are, any fraction is rounded per value."""

import math

import numpy as np

from coprod.planning import extract, idle


def test_offer_rows_round_to_a_tenth_like_each_value_on_its_own() -> None:
    whole = np.array([0.0, 3.0, 120.0, math.inf])
    assert idle._rounded(whole) == [0.0, 3.0, 120.0, math.inf]
    mixed = np.array([2.0, 0.25, 7.349999, 1e6 + 0.05])
    assert idle._rounded(mixed) == [round(v, 1) for v in mixed.tolist()]
    assert idle._rounded(mixed)[1:3] == [0.2, 7.3]  # a fraction is never passed through


def test_stock_rows_round_to_a_thousandth() -> None:
    assert extract._rounded(np.array([4.0, 12.0]), 3) == [4.0, 12.0]
    values = np.array([1.0, 0.33333333, 2.0005])
    assert extract._rounded(values, 3) == [round(v, 3) for v in values.tolist()]
    assert extract._rounded(values, 3)[1] == 0.333
    assert all(type(v) is float for v in extract._rounded(np.array([1, 2]), 3))
