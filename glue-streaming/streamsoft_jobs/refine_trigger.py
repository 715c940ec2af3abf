"""How the silver and gold queries are triggered: `availableNow` (a batch run that drains what arrived
and returns, the default) or a processing-time trigger (continuous: a long-running query that picks up new
rows every few seconds). The transforms and MERGEs are the same either way; only the trigger differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql.streaming.readwriter import DataStreamWriter

from streamsoft_jobs.args import JobArgs, JobArgumentError

DEFAULT_TRIGGER_SECONDS = 5
# Gold's hour- and day-grain tables (exchange activity, the daily leaderboard, pipeline health) cost what
# the touched hours and days hold, not what a micro-batch adds: refreshed every few seconds they would take
# the cores the minute-grain fast path (ohlcv_1m, price_alerts) needs. A minute is fresh enough for them.
DEFAULT_ROLLUP_SECONDS = 60


@dataclass(frozen=True)
class RefineTrigger:
    continuous: bool = False
    seconds: int = DEFAULT_TRIGGER_SECONDS
    rollup_seconds: int = DEFAULT_ROLLUP_SECONDS

    def rollups(self) -> "RefineTrigger":
        """The trigger of gold's rollup sources: never more often than the fast path's."""
        return RefineTrigger(self.continuous, max(self.seconds, self.rollup_seconds), self.rollup_seconds)

    def apply(self, writer: DataStreamWriter) -> DataStreamWriter:
        if self.continuous:
            return writer.trigger(processingTime=f"{self.seconds} seconds")
        return writer.trigger(availableNow=True)

    @staticmethod
    def from_args(args: JobArgs) -> "RefineTrigger":
        """`--continuous` (default false), `--trigger-seconds` (default 5) and `--rollup-trigger-seconds`
        (default 60), each at least 1."""
        seconds = args.get_int("trigger-seconds", DEFAULT_TRIGGER_SECONDS)
        if seconds < 1:
            raise JobArgumentError(f"--trigger-seconds: expected at least 1 second (got {seconds})")
        rollup_seconds = args.get_int("rollup-trigger-seconds", DEFAULT_ROLLUP_SECONDS)
        if rollup_seconds < 1:
            raise JobArgumentError(f"--rollup-trigger-seconds: expected at least 1 second (got {rollup_seconds})")
        return RefineTrigger(args.get_bool("continuous", False), seconds, rollup_seconds)


BATCH = RefineTrigger()
