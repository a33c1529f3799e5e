"""Benchmark `swott package`: seconds and zip size for every toolkit in every format.

    .venv/bin/python bench/package.py [--repeat N]

Times the whole build (render, manifest, zip) and the `--check` of the zip, best of N runs, so a
regression in the renderer or the XSD validation shows up as a number.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scorm_packager.build import build
from scorm_packager.check import check_zip
from scorm_packager.editions import Format
from toolkits.loader import Catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per toolkit and format (best is shown)")
    args = parser.parse_args()
    catalogue = Catalogue()
    print(f"{'toolkit':32} {'format':12} {'build s':>8} {'check s':>8} {'zip KiB':>8} {'files':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for toolkit in catalogue:
            for fmt in Format:
                build_times, check_times = [], []
                for _ in range(max(1, args.repeat)):
                    start = time.perf_counter()
                    package = build(toolkit, fmt)
                    data = package.zip_bytes()
                    build_times.append(time.perf_counter() - start)
                    target = Path(tmp) / package.filename
                    target.write_bytes(data)
                    start = time.perf_counter()
                    _kind, problems = check_zip(target)
                    check_times.append(time.perf_counter() - start)
                    assert not problems, problems
                print(
                    f"{toolkit.id:32} {fmt.value:12} {min(build_times):8.3f} {min(check_times):8.3f} "
                    f"{len(data) / 1024:8.1f} {len(package.files):6}"
                )


if __name__ == "__main__":
    main()
