"""Run the slow reliability scripts one after the other and save their reports as JSON.

python bench/reliability/run_all.py [--soak-seconds 90]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak-seconds", type=float, default=90.0)
    args = parser.parse_args()
    runs = [
        ["db_restart.py", "--json", str(HERE / "db_restart.json")],
        ["soak.py", "--seconds", str(args.soak_seconds), "--json", str(HERE / "soak.json")],
    ]
    failed = []
    for script, *rest in runs:
        print(f"== {script}", flush=True)
        code = subprocess.run([sys.executable, str(HERE / script), *rest], timeout=600).returncode
        if code:
            failed.append(script)
    print("failed: " + ", ".join(failed) if failed else "all passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
