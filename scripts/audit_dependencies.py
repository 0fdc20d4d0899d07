"""`make security`: pip-audit over the virtualenv, failing on any dependency with a known vulnerability.

pip-audit asks PyPI's advisory data about every installed package. Where that service cannot be reached (an
offline machine, or a package mirror without PyPI's JSON API) every package comes back "could not be audited";
this script then says loudly that no audit happened, and fails only with ``--require`` (or AUDIT_REQUIRED=1), so
that an offline CI run is not mistaken for a clean audit nor blocked by it.
"""
from __future__ import annotations

import json
import os
import subprocess  # nosec B404
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    required = "--require" in argv or os.environ.get("AUDIT_REQUIRED") == "1"
    pip_audit = Path(sys.executable).with_name("pip-audit")
    result = subprocess.run(  # noqa: S603  # nosec B603
        [str(pip_audit), "--format", "json", "--progress-spinner", "off"], capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"pip-audit failed to run:\n{result.stderr.strip()}", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in: {fixes})")
    print(f"pip-audit: {len(audited)} of {len(dependencies)} installed packages audited, "
          f"{len(vulnerable)} with known vulnerabilities.")
    if vulnerable:
        return 1
    if dependencies and not audited:
        print("WARNING: PyPI's vulnerability data could not be reached from this machine, so NO dependency was "
              "audited. Run `make security` where pypi.org is reachable (set AUDIT_REQUIRED=1 to make this fatal).",
              file=sys.stderr)
        return 1 if required else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
