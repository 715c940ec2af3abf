"""Glue-style job arguments: `--KEY value` pairs, tolerant of the extra arguments Glue itself passes.

Glue calls a script with its own arguments mixed in (`--job-bookmark-option`, `--TempDir`,
`--enable-metrics`, ...). `awsglue.utils.getResolvedOptions` would reject nothing but exists only on Glue,
so this parser mirrors it: it returns the options asked for and ignores the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence


class JobArgumentError(ValueError):
    """A required job argument is missing or has an invalid value; the message names it."""


def _parse_pairs(argv: Sequence[str]) -> dict[str, str]:
    """All `--key value` / `--key=value` pairs; a `--flag` followed by another `--option` (or nothing) is 'true'."""
    pairs: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if not token.startswith("--") or token == "--":
            i += 1
            continue
        key = token[2:]
        if "=" in key:
            key, value = key.split("=", 1)
            i += 1
        elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            value = argv[i + 1]
            i += 2
        else:
            value = "true"
            i += 1
        pairs[key] = value
    return pairs


def _normalise(key: str) -> str:
    return key.replace("-", "_")


@dataclass(frozen=True)
class JobArgs:
    """Resolved arguments, looked up by their name with `-` or `_` (`lake-path` == `lake_path`)."""

    values: Mapping[str, str]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(_normalise(name), default)

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise JobArgumentError(f"--{name}: required argument is missing")
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise JobArgumentError(f"--{name}: expected true or false (got {value!r})")

    def get_int(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError as error:
            raise JobArgumentError(f"--{name}: expected an integer (got {value!r})") from error

    def get_choice(self, name: str, choices: Sequence[str], default: str | None = None) -> str:
        value = self.get(name, default)
        if value is None:
            raise JobArgumentError(f"--{name}: required argument is missing")
        if value not in choices:
            raise JobArgumentError(f"--{name}: expected one of {', '.join(choices)} (got {value!r})")
        return value


def parse_job_args(argv: Sequence[str], required: Sequence[str] = ()) -> JobArgs:
    """Parses `argv` (usually `sys.argv[1:]`); raises JobArgumentError naming the first missing required one."""
    values = {_normalise(key): value for key, value in _parse_pairs(argv).items()}
    args = JobArgs(values)
    for name in required:
        args.require(name)
    return args
