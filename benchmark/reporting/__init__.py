"""Leaderboards and reports, built from metrics and log files alone (never imports training code)."""
