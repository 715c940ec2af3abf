"""`streamsoft services` (local/services/) for the jobs tests: the project's own stand-ins, started, queried and
stopped through the CLI in a throwaway data dir, so the tests run what `up` runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STREAMSOFT = REPO_ROOT / "bin" / "streamsoft.js"


def run_services(action: str, service: str, data_dir: Path, *options: str, timeout: float = 300) -> str:
    """`streamsoft services <action> --only <service>`; its stdout, or a RuntimeError with the service's log tail."""
    result = subprocess.run(
        ["node", str(STREAMSOFT), "services", action, "--only", service, "--data-dir", str(data_dir), *options],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        logs = "".join(path.read_text(errors="replace")[-1500:] for path in (data_dir / "logs").glob(f"{service}*"))
        raise RuntimeError(
            f"streamsoft services {action} --only {service} exited {result.returncode}: "
            f"{(result.stderr or result.stdout).strip()[-1000:]}\n{logs}"
        )
    return result.stdout
