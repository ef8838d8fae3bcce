"""Krippendorff's alpha from sufficient statistics per unit (record), the one agreement formula.

The dashboard (`labeling.selectors.agreement`) has the database aggregate these statistics over
records; the export report (`exports.reconcile.Alpha`) accumulates them answer by answer. The
coincidence-matrix formula, rewritten in counts and sums over the units u holding m_u >= 2 values,
n = sum_u m_u of them:

- interval: alpha = 1 - (n - 1) * sum_u (m_u*S2_u - S1_u^2) / (m_u - 1) / (n*T2 - T1^2), with S1_u and S2_u
  the sum and the sum of squares of unit u's values, T1 and T2 the same over every unit;
- nominal: alpha = 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2), with n_uc
  the number of values c in unit u and n_c the same over every unit.

The per-unit terms use arithmetic operators only, so they take numbers or ORM expressions alike: the
selector hands them database columns, and the database evaluates the same formula.
"""

from collections.abc import Iterable


def interval_disagreement(m, s1, s2):
    """One unit's observed disagreement for interval data: (m*S2 - S1^2) / (m - 1); `m` as a float."""
    return (m * s2 - s1 * s1) / (m - 1)


def nominal_disagreement(m, same_pairs):
    """One unit's observed disagreement for nominal data: (m^2 - sum_c n_uc^2) / (m - 1); `m` as a float,
    `same_pairs` the sum of the squared per-category counts."""
    return (m * m - same_pairs) / (m - 1)


def interval_expected(n: float, t1: float, t2: float) -> float:
    """The expected disagreement's numerator for interval data, from every pairable value's sum and sum of squares."""
    return n * t2 - t1 * t1


def nominal_expected(n: float, category_totals: Iterable[float]) -> float:
    """The expected disagreement's numerator for nominal data, from the number of pairable values per category."""
    return n * n - sum(total * total for total in category_totals)


def alpha(n: float, observed: float, expected: float) -> float | None:
    """Alpha from the pairable values' count and the summed disagreements; None when undefined (fewer
    than two pairable values, or no variation at all to compare against)."""
    if n <= 1 or not expected:
        return None
    return 1.0 - (n - 1) * observed / expected
