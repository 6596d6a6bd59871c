"""Name -> object registries with "did you mean" errors (experiments, losses, models)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ganzoo.errors import ConfigError

T = TypeVar("T")


def closest_names(name: str, candidates, n: int = 3) -> list[str]:
    """The valid names closest to `name`, best first (may be empty)."""
    candidates = list(candidates)
    close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.5)
    if not close:
        close = [c for c in candidates if name and (name in c or c in name)][:n]
    return close


def unknown_name_message(kind: str, name: str, candidates) -> str:
    candidates = sorted(candidates)
    close = closest_names(name, candidates)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"Unknown {kind} {name!r}.{hint} Valid: {', '.join(candidates)}."


class Registry(Generic[T]):
    """A named table; `register` is a decorator, `get` raises ConfigError with close names."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._items[name] = obj
            return obj

        return decorator

    def unregister(self, name: str) -> None:
        """Removes `name` (a plugin's cleanup; KeyError when it is not registered)."""
        del self._items[name]

    def get(self, name: str) -> T:
        if name not in self._items:
            raise ConfigError(unknown_name_message(self.kind, name, self._items))
        return self._items[name]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: str) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
