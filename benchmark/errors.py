"""Errors that the CLI turns into one actionable line and a non-zero exit code."""

from __future__ import annotations


class MedbenchError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user, ``exit_code`` the process status."""

    exit_code = 1


class ConfigError(MedbenchError):
    """A bad name or value in params.yaml or on the command line."""

    exit_code = 2


class UnknownNameError(ConfigError, KeyError):
    """A registry lookup for a name that is not registered."""

    def __init__(self, kind: str, name: str, choices: list[str], key: str | None = None) -> None:
        where = f"{key}: " if key else ""
        shown = ", ".join(choices) if choices else "(none registered)"
        super().__init__(f"{where}unknown {kind} {name!r}; valid choices: {shown}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class DataMissingError(MedbenchError):
    """Data that must be fetched or placed by hand is absent; the message says how to get it."""

    exit_code = 3


class ChecksumError(MedbenchError):
    """A downloaded or mirrored file does not match its pinned hash."""

    exit_code = 4
