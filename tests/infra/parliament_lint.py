"""Lints IAM policy documents with parliament (https://github.com/duo-labs/parliament) in one process.

Reads a JSON array of {"name": str, "policy": str} on stdin and writes a JSON array of findings
{"name", "issue", "severity", "title", "detail", "location"} on stdout: every finding parliament's
default auditors report at severity LOW or above, as its CLI would print them, with no allow-list
applied (tests/infra/iam-lint.test.ts applies infra/iam-lint-allow.json).
"""

import json
import sys
from typing import Any

try:
    from parliament import analyze_policy_string, enhance_finding
    from parliament.cli import is_finding_filtered
except ImportError:
    sys.exit("parliament_lint: parliament is not installed in this Python; run `npx streamsoft setup`")


def lint(policies: list[dict[str, str]]) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    for entry in policies:
        policy = analyze_policy_string(entry["policy"], filepath=entry["name"])
        for finding in policy.findings:
            finding = enhance_finding(finding)
            if is_finding_filtered(finding, "LOW"):
                continue
            findings.append(
                {
                    "name": entry["name"],
                    "issue": finding.issue,
                    "severity": finding.severity,
                    "title": finding.title,
                    "detail": finding.detail,
                    "location": finding.location,
                }
            )
    return findings


def main() -> None:
    policies = json.load(sys.stdin)
    if not isinstance(policies, list):
        sys.exit("parliament_lint: stdin must be a JSON array of {name, policy}")
    json.dump(lint(policies), sys.stdout, default=str)


if __name__ == "__main__":
    main()
