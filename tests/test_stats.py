"""Study statistics against scipy/numpy references, and claim verdicts on constructed seed values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from benchmark.stats import compare, judge_claim, summarize


def test_summary_matches_scipy_t_interval() -> None:
    values = [0.81, 0.84, 0.79, 0.88]
    s = summarize(values)
    low, high = sps.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    assert (s.n, s.mean, s.sd) == (4, pytest.approx(np.mean(values)), pytest.approx(np.std(values, ddof=1)))
    assert (s.ci_low, s.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_single_value_has_a_zero_width_interval_and_empty_input_raises() -> None:
    s = summarize([0.5])
    assert (s.sd, s.ci_low, s.ci_high) == (0.0, 0.5, 0.5)
    with pytest.raises(ValueError):
        summarize([])


@pytest.mark.parametrize("higher", [True, False])
def test_compare_matches_welch_t_test(higher: bool) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.3, 5), rng.normal(0.4, 0.6, 4)
    c = compare("a", a.tolist(), "b", b.tolist(), higher)
    reference = sps.ttest_ind(a, b, equal_var=False)
    ci = reference.confidence_interval(0.95)
    sign = 1 if higher else -1
    assert c.diff == pytest.approx(sign * (a.mean() - b.mean()))
    assert sorted([c.ci_low, c.ci_high]) == pytest.approx(sorted([sign * ci.low, sign * ci.high]))
    assert c.p_value == pytest.approx(reference.pvalue)
    pooled = np.sqrt((4 * a.var(ddof=1) + 3 * b.var(ddof=1)) / 7)
    assert c.cohens_d == pytest.approx(sign * (a.mean() - b.mean()) / pooled)


def test_compare_zero_variance_and_too_few_seeds() -> None:
    same = compare("a", [1.0, 1.0], "b", [1.0, 1.0], True)
    assert (same.diff, same.cohens_d, same.p_value, same.verdict) == (0.0, None, 1.0, "inconclusive")
    apart = compare("a", [2.0, 2.0], "b", [1.0, 1.0], True)
    assert apart.verdict == "better" and apart.cohens_d is None
    with pytest.raises(ValueError, match="two seeds"):
        compare("a", [1.0], "b", [1.0, 2.0], True)


VALUES = {"big": [0.90, 0.91, 0.92], "mid": [0.80, 0.82, 0.81], "low": [0.50, 0.52, 0.51], "noisy": [0.3, 0.95, 0.6]}


@pytest.mark.parametrize(
    ("claim", "higher", "verdict"),
    [
        ({"best": "big"}, True, "inconclusive"),  # "noisy" overlaps everything
        ({"better": ["big", "low"]}, True, "supported"),
        ({"better": ["low", "big"]}, True, "contradicted"),
        ({"better": ["low", "big"]}, False, "supported"),  # lower is better
        ({"better": ["mid", "noisy"]}, True, "inconclusive"),
        ({"best": "low"}, True, "contradicted"),
        ({"among_best": {"arms": ["mid", "low"], "k": 3}}, True, "supported"),  # only "low" is surely below
        ({"among_best": {"arms": ["mid", "low"], "k": 2}}, True, "inconclusive"),  # "noisy" may be above "mid"
        ({"among_best": {"arms": ["low"], "k": 2}}, True, "contradicted"),
        ({"among_best": {"arms": ["low"], "k": 1}}, False, "inconclusive"),  # first by mean, "noisy" overlaps
    ],
)
def test_claim_verdicts(claim: dict, higher: bool, verdict: str) -> None:
    judged = judge_claim({"text": "t", **claim}, VALUES, higher)
    assert judged["verdict"] == verdict
    assert judged["ranking"][0] == ("big" if higher else "low")
    assert all(
        set(c) >= {"a", "b", "diff", "ci_low", "ci_high", "cohens_d", "p_value", "verdict"}
        for c in judged["comparisons"]
    )


def test_best_supported_when_every_interval_is_above_zero() -> None:
    values = {k: v for k, v in VALUES.items() if k != "noisy"}
    judged = judge_claim({"text": "t", "best": "big"}, values, True)
    assert judged["verdict"] == "supported" and [c["b"] for c in judged["comparisons"]] == ["mid", "low"]


def test_among_best_needs_intervals_not_just_ranks() -> None:
    values = {k: v for k, v in VALUES.items() if k != "noisy"}
    assert judge_claim({"text": "t", "among_best": {"arms": ["big"], "k": 1}}, values, True)["verdict"] == "supported"
    tied = {"a": [0.80, 0.82, 0.81], "b": [0.80, 0.81, 0.82], "c": [0.1, 0.12, 0.11]}
    judged = judge_claim({"text": "t", "among_best": {"arms": ["a"], "k": 1}}, tied, True)
    assert judged["ranking"][0] == "a" and judged["verdict"] == "inconclusive"
