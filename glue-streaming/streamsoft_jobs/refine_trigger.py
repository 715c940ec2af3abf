"""How the silver and gold queries are triggered: `availableNow` (a batch run that drains what arrived
and returns, the default) or a processing-time trigger (continuous: a long-running query that picks up new
rows every few seconds). The transforms and MERGEs are the same either way; only the trigger differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql.streaming.readwriter import DataStreamWriter

from streamsoft_jobs.args import JobArgs, JobArgumentError

DEFAULT_TRIGGER_SECONDS = 5


@dataclass(frozen=True)
class RefineTrigger:
    continuous: bool = False
    seconds: int = DEFAULT_TRIGGER_SECONDS

    def apply(self, writer: DataStreamWriter) -> DataStreamWriter:
        if self.continuous:
            return writer.trigger(processingTime=f"{self.seconds} seconds")
        return writer.trigger(availableNow=True)

    @staticmethod
    def from_args(args: JobArgs) -> "RefineTrigger":
        """`--continuous` (default false) and `--trigger-seconds` (default 5, at least 1)."""
        seconds = args.get_int("trigger-seconds", DEFAULT_TRIGGER_SECONDS)
        if seconds < 1:
            raise JobArgumentError(f"--trigger-seconds: expected at least 1 second (got {seconds})")
        return RefineTrigger(continuous=args.get_bool("continuous", False), seconds=seconds)


BATCH = RefineTrigger()
