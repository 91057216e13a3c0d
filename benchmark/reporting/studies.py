"""Study records (``metrics/studies/<study>.json``) -> report tables and the claim verdict text."""

from __future__ import annotations

from typing import Any

import pandas as pd

VERDICT_WORDS = {
    "supported": "our runs SUPPORT it",
    "contradicted": "our runs CONTRADICT it",
    "inconclusive": "our runs are INCONCLUSIVE (the 95% intervals include no difference)",
}


def arms_table(record: dict[str, Any]) -> pd.DataFrame:
    """One row per arm, best first: what the arm changes, n, mean ± sd, the 95% CI and the per-seed values."""
    metric = record["metric"]
    rows = []
    for arm, entry in record["arms"].items():
        summary = entry["summary"][metric]
        settings = ", ".join(f"{k}={v}" for k, v in entry["settings"].items())
        rows.append(
            {
                "arm": arm,
                "settings": settings,
                "n": summary["n"],
                metric: f"{summary['mean']:.4f} ± {summary['sd']:.4f}",
                "95% CI": f"[{summary['ci_low']:.4f}, {summary['ci_high']:.4f}]",
                "per seed": " ".join(f"{v:.4f}" for v in entry["values"]),
                "_mean": summary["mean"],
            }
        )
    frame = pd.DataFrame(rows).sort_values("_mean", ascending=not record["higher_is_better"], kind="stable")
    return frame.drop(columns="_mean").reset_index(drop=True)


def claim_paragraph(record: dict[str, Any]) -> str | None:
    """The survey claim, the verdict and the ranking, in one paragraph (None when the study states no claim)."""
    claim = record.get("claim")
    if not claim:
        return None
    direction = "higher" if record["higher_is_better"] else "lower"
    return (
        f'Survey claim: "{claim["text"]}". Verdict: {VERDICT_WORDS[claim["verdict"]]}. Ranking by mean '
        f"{record['metric']} ({direction} is better): {' > '.join(claim['ranking'])}. Seeds: {len(record['seeds'])} "
        "per arm; intervals are Welch 95% CIs of the difference in means, signed so that > 0 favours the first arm."
    )


def comparisons_table(record: dict[str, Any]) -> pd.DataFrame | None:
    """Effect sizes behind the verdict: difference, its 95% CI, Cohen's d and Welch's p per comparison."""
    claim = record.get("claim")
    if not claim:
        return None
    rows = [
        {
            "comparison": f"{c['a']} vs {c['b']}",
            f"diff in {record['metric']}": f"{c['diff']:+.4f}",
            "95% CI": f"[{c['ci_low']:.4f}, {c['ci_high']:.4f}]",
            "Cohen's d": "n/a" if c["cohens_d"] is None else f"{c['cohens_d']:.2f}",
            "p (Welch)": f"{c['p_value']:.3g}",
            "verdict": c["verdict"],
        }
        for c in claim["comparisons"]
    ]
    return pd.DataFrame(rows)
