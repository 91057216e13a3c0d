"""Seed statistics for studies: per-arm summaries, pairwise effect sizes and survey-claim verdicts.

Pure numpy/scipy, imported by the study runner (which writes the summaries into ``metrics/studies``) and by the
report. With a handful of seeds per arm, intervals use Student's t (arm means) and Welch's t (differences).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95
CLAIM_KINDS = ("best", "better", "among_best")


@dataclass(frozen=True)
class Summary:
    """Mean, sample standard deviation and the t-based 95% confidence interval of the mean over seeds."""

    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Comparison:
    """Effect of arm ``a`` over arm ``b``, signed so that a positive ``diff`` means ``a`` is better."""

    a: str
    b: str
    diff: float
    ci_low: float
    ci_high: float
    cohens_d: float | None  # None when both arms have zero variance (undefined)
    p_value: float

    @property
    def verdict(self) -> str:
        """``better``/``worse`` when the 95% interval of the difference excludes zero, else ``inconclusive``."""
        if self.ci_low > 0:
            return "better"
        if self.ci_high < 0:
            return "worse"
        return "inconclusive"


def summarize(values: list[float] | np.ndarray) -> Summary:
    """Summary of one arm's per-seed values (one value gives a zero-width interval)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise ValueError("summarize: no values")
    mean = float(x.mean())
    if x.size == 1:
        return Summary(1, mean, 0.0, mean, mean)
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + CONFIDENCE / 2, x.size - 1) * sd / np.sqrt(x.size))
    return Summary(int(x.size), mean, sd, mean - half, mean + half)


def compare(a: str, values_a: list[float], b: str, values_b: list[float], higher_is_better: bool) -> Comparison:
    """Welch's t interval and test for mean(a) - mean(b), and Cohen's d with the pooled sd.

    Both arms need at least two seeds. The sign is flipped for lower-is-better metrics so ``diff > 0`` always means
    ``a`` is better. With zero variance in both arms the interval collapses onto the difference.
    """
    x, y = np.asarray(values_a, dtype=np.float64), np.asarray(values_b, dtype=np.float64)
    if x.size < 2 or y.size < 2:
        raise ValueError(f"compare: {a!r} and {b!r} need at least two seeds each")
    sign = 1.0 if higher_is_better else -1.0
    diff = sign * float(x.mean() - y.mean())
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = float(np.sqrt(va + vb))
    pooled = float(np.sqrt(((x.size - 1) * x.var(ddof=1) + (y.size - 1) * y.var(ddof=1)) / (x.size + y.size - 2)))
    if se == 0.0:
        p_value = 1.0 if diff == 0 else 0.0
        return Comparison(a, b, diff, diff, diff, None, p_value)
    dof = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = float(sps.t.ppf(0.5 + CONFIDENCE / 2, dof) * se)
    p_value = float(2 * sps.t.sf(abs(diff) / se, dof))
    return Comparison(a, b, diff, diff - half, diff + half, diff / pooled, p_value)


def rank(means: dict[str, float], higher_is_better: bool) -> list[str]:
    """Arm names from best to worst mean."""
    return sorted(means, key=lambda arm: means[arm], reverse=higher_is_better)


def judge_claim(claim: dict[str, Any], values: dict[str, list[float]], higher_is_better: bool) -> dict[str, Any]:
    """Check a survey claim against per-seed values; returns the verdict and the comparisons behind it.

    Claim kinds (exactly one key besides ``text``):
    - ``best: A``: A beats every other arm. ``supported`` when every interval of A minus another arm lies above 0,
      ``contradicted`` when some arm is better than A with an interval above 0, else ``inconclusive``.
    - ``better: [A, B]``: A beats B, judged by the one interval.
    - ``among_best: {arms: [...], k: K}``: the best-ranked of the listed arms is confidently in the top K:
      ``supported`` when at least (arms - K) others are worse than it with intervals below 0, so at most K - 1 can
      be ahead; ``contradicted`` when at least K arms are better than it with intervals above 0, so it is
      confidently outside the top K; else ``inconclusive`` (a rank by means alone proves nothing).
    """
    kind = next(k for k in CLAIM_KINDS if k in claim)
    means = {arm: float(np.mean(v)) for arm, v in values.items()}
    order = rank(means, higher_is_better)
    if kind == "better":
        a, b = claim["better"]
        comparisons = [compare(a, values[a], b, values[b], higher_is_better)]
        verdict = {"better": "supported", "worse": "contradicted"}.get(comparisons[0].verdict, "inconclusive")
    elif kind == "best":
        a = claim["best"]
        comparisons = [compare(a, values[a], b, values[b], higher_is_better) for b in order if b != a]
        verdicts = {c.verdict for c in comparisons}
        verdict = "supported" if verdicts == {"better"} else "contradicted" if "worse" in verdicts else "inconclusive"
    else:
        listed = list(claim["among_best"]["arms"])
        k = int(claim["among_best"]["k"])
        top = next(arm for arm in order if arm in listed)
        comparisons = [compare(top, values[top], b, values[b], higher_is_better) for b in order if b != top]
        beaten_by = sum(c.verdict == "worse" for c in comparisons)
        beats = sum(c.verdict == "better" for c in comparisons)
        if beats >= len(order) - k:
            verdict = "supported"
        elif beaten_by >= k:
            verdict = "contradicted"
        else:
            verdict = "inconclusive"
    return {
        "text": claim["text"],
        "kind": kind,
        "verdict": verdict,
        "ranking": order,
        "comparisons": [asdict(c) | {"verdict": c.verdict} for c in comparisons],
    }
