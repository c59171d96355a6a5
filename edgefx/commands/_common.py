"""Small helpers shared by the command modules: --json output and knob parsing."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return obj


def emit(result: dict, as_json: bool, human: Callable[[dict], str] | None = None) -> None:
    """Print a command's result: JSON when asked, else the human rendering (or key: value lines)."""
    if as_json:
        json.dump(_jsonable(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if human is not None:
        print(human(result))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


def parse_knobs(items: list[str] | None) -> dict[str, float]:
    """Parse ``--knob name=value`` items into a dict; malformed items raise `ConfigError`."""
    knobs: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--knob {item!r}: expected NAME=VALUE, e.g. drive=0.7")
        try:
            knobs[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"--knob {item!r}: {value!r} is not a number") from None
    return knobs


# Into a log file (not a terminal) the bar is redrawn at most this often, so an hour-long run
# leaves a readable trail of a few hundred updates rather than one per second.
LOG_INTERVAL_S = 30.0


def progress(iterable=None, **kwargs):
    """A tqdm progress bar on stderr (or ``file``): redrawn every second on a terminal, every
    `LOG_INTERVAL_S` seconds into a file or pipe, where a new description or postfix also waits for
    that redraw (tqdm's default draws at once, a line per step in a log). tqdm's own
    ``TQDM_DISABLE=1`` silences it."""
    from tqdm.auto import tqdm

    out = kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("dynamic_ncols", True)
    terminal = bool(getattr(out, "isatty", lambda: False)())  # a file, pipe or StringIO is not
    kwargs.setdefault("mininterval", 1.0 if terminal else LOG_INTERVAL_S)
    return (tqdm if terminal else _log_bar_class())(iterable, **kwargs)


@functools.cache
def _log_bar_class():
    from tqdm.auto import tqdm

    class LogBar(tqdm):
        """A bar into a log: its text changes show at the next timed redraw."""

        def set_description(self, desc=None, refresh=False):
            super().set_description(desc, refresh=refresh)

        def set_postfix(self, ordered_dict=None, refresh=False, **kwargs):
            super().set_postfix(ordered_dict, refresh=refresh, **kwargs)

        def set_postfix_str(self, s="", refresh=False):
            super().set_postfix_str(s, refresh=refresh)

    return LogBar
