"""Run every benchmark in this folder (bench_*.py) and print their figures. `make bench`."""
import runpy
import sys
from pathlib import Path


def main(names):
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    for path in sorted(here.glob("bench_*.py")):
        if names and path.stem not in names:
            continue
        print(f"== {path.stem}", flush=True)
        runpy.run_path(str(path), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
