"""One registration mechanism for models, datasets, losses and metrics.

Components register with a decorator that records their metadata (family, task, input constraints,
``higher_is_better`` ...), so tests, the CLI and the reports read it instead of keeping lists by hand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from benchmark.errors import UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered component: its canonical name, the object (class or factory) and its metadata."""

    name: str
    obj: T
    meta: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly record of the entry for listings."""
        return {"name": self.name, **self.meta}


class Registry(Generic[T]):
    """Name -> component mapping of one kind (``"model"``, ``"dataset"`` ...); duplicate names raise."""

    def __init__(self, kind: str, required_meta: tuple[str, ...] = (), populate: str | None = None) -> None:
        self.kind = kind
        self.required_meta = required_meta
        self._entries: dict[str, Entry[T]] = {}
        self._populate = populate

    def _entries_loaded(self) -> dict[str, Entry[T]]:
        """The entries, after importing the package that registers them (once, on first lookup)."""
        if self._populate is not None:
            module, self._populate = self._populate, None
            importlib.import_module(module)
        return self._entries

    def register(self, name: str, **meta: Any) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name`` with ``meta``."""

        def decorator(obj: T) -> T:
            self.add(name, obj, **meta)
            return obj

        return decorator

    def add(self, name: str, obj: T, **meta: Any) -> None:
        """Register ``obj`` directly (for components that are instances, not classes)."""
        if name in self._entries:
            raise ValueError(f"duplicate {self.kind} name {name!r}")
        missing = [key for key in self.required_meta if key not in meta]
        if missing:
            raise ValueError(f"{self.kind} {name!r} lacks required metadata {missing}")
        self._entries[name] = Entry(name, obj, dict(meta))

    def get(self, name: str, key: str | None = None) -> Entry[T]:
        """The entry for ``name``; an unknown name raises with the valid choices (``key`` names the setting)."""
        try:
            return self._entries_loaded()[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self.names(), key) from None

    def names(self, **filters: Any) -> list[str]:
        """Sorted names whose metadata equals every ``filters`` item."""
        return sorted(e.name for e in self if all(e.meta.get(k) == v for k, v in filters.items()))

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(sorted(self._entries_loaded().values(), key=lambda e: e.name))

    def __contains__(self, name: object) -> bool:
        return name in self._entries_loaded()

    def __len__(self) -> int:
        return len(self._entries_loaded())


# Each registry imports its package on first lookup, so importing medbench stays cheap and light.
MODELS: Registry[Callable[..., Any]] = Registry("model", ("family", "task"), populate="benchmark.models")
DATASETS: Registry[Any] = Registry(
    "dataset", ("task", "modality", "license", "provenance"), populate="benchmark.datasets"
)
LOSSES: Registry[Callable[..., Any]] = Registry("loss", ("task", "logits"), populate="benchmark.losses")
METRICS: Registry[Callable[..., Any]] = Registry("metric", ("task", "higher_is_better"), populate="benchmark.metrics")
