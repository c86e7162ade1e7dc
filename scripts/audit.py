"""``make audit``: pip-audit over the locked requirements, with a verdict that cannot lie.

pip-audit prints "No known vulnerabilities found" even when it could check nothing (every package
skipped because the vulnerability service or the package index was unreachable: the security
review's 0 of 80). This wrapper reads pip-audit's JSON report instead and says ``NOT AUDITED`` and
exits 2 unless every locked package was really checked; 1 when a vulnerability is known; 0 only for
a complete, clean audit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIP_AUDIT = "pip-audit==2.10.1"


@dataclass(frozen=True)
class Verdict:
    code: int  # 0 clean, 1 vulnerable, 2 not audited
    text: str


def verdict(returncode: int, report: str, stderr: str = "") -> Verdict:
    """The verdict on one pip-audit run (its exit code, its JSON report, its error output)."""
    try:
        data: Any = json.loads(report) if report.strip() else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        reason = (stderr.strip().splitlines() or [f"pip-audit exited {returncode} without a report"])[-1]
        return Verdict(2, f"NOT AUDITED: {reason}")
    packages = data["dependencies"]
    skipped = [p for p in packages if p.get("skip_reason")]
    vulnerable = [p for p in packages if p.get("vulns")]
    if not packages:
        return Verdict(2, "NOT AUDITED: the report lists no packages")
    if skipped:
        first = f"{skipped[0].get('name')}: {skipped[0].get('skip_reason')}"
        return Verdict(
            2,
            f"NOT AUDITED: {len(skipped)} of {len(packages)} locked packages could not be checked "
            f"(e.g. {first}); the vulnerability service or the package index is unreachable from here",
        )
    if vulnerable:
        lines = [
            f"  {p['name']} {p['version']}: " + ", ".join(v.get("id", "?") for v in p["vulns"])
            for p in vulnerable
        ]
        return Verdict(1, f"VULNERABLE: {len(vulnerable)} of {len(packages)} packages\n" + "\n".join(lines))
    if returncode not in (0, 1):
        return Verdict(2, f"NOT AUDITED: pip-audit exited {returncode}")
    return Verdict(0, f"audited {len(packages)} locked packages: no known vulnerabilities")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(name)
    return found


def run() -> Verdict:
    try:
        uv, uvx = _tool("uv"), _tool("uvx")
    except FileNotFoundError as missing:
        return Verdict(2, f"NOT AUDITED: {missing} is not installed")
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "requirements.txt"
        export_args = [
            "export",
            "--frozen",
            "--format",
            "requirements-txt",
            "--no-hashes",
            "--no-emit-project",
        ]
        export = subprocess.run(  # noqa: S603 - our own tool and arguments
            [uv, *export_args, "--output-file", str(requirements)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if export.returncode != 0:
            return Verdict(2, f"NOT AUDITED: uv export failed: {export.stderr.strip()[-300:]}")
        audit_args = ["--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off"]
        audit = subprocess.run(  # noqa: S603 - our own tool and arguments
            [uvx, "--from", PIP_AUDIT, "pip-audit", "--requirement", str(requirements), *audit_args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    return verdict(audit.returncode, audit.stdout, audit.stderr)


def main() -> int:
    result = run()
    print(result.text)
    return result.code


if __name__ == "__main__":
    sys.exit(main())
