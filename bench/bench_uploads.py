"""Bounded uploads: how long and how much memory a hostile spreadsheet costs before it is refused.

    DEBUG=1 .venv/bin/python bench/bench_uploads.py

Each file is written to disk first; then a fresh child process, with Django and the readers
already imported, reads it from disk and reads it: the growth of its peak resident memory
(ru_maxrss) over that point is the read's own cost, not the cost of making the file. The same read
is then run again under tracemalloc for the peak of Python's own allocations (slower, so the time
is taken from the first read).

Cases:
- the zip bomb of the attack: 1.29 MB that unzips to 311 MB (1,000,000 rows x 20 cells);
- 100,000 short rows in a small file under the compression-ratio limit (streamed, stopped at the
  row limit);
- a real-sized import (5,000 rows), which is accepted;
- for comparison, how the old reader (openpyxl without read_only) coped with a 50,000-row bomb.
"""

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _make(case: str) -> bytes:
    from bench.xlsx_bomb import write_bomb, write_xlsx

    buffer = io.BytesIO()
    if case == "bomb":
        write_bomb(buffer, 1_000_000, 20)
    elif case == "old-reader-50k-bomb":
        write_bomb(buffer, 50_000, 20)
    elif case == "100k-rows":
        write_xlsx(
            buffer,
            [["Recommendation", "Progress"], *([str(n % 4 + 14), f"Step {n}"] for n in range(100_000))],
        )
    elif case == "5000-rows":
        write_xlsx(
            buffer,
            [["Recommendation", "Progress", "Owner", "Due date"]]
            + [
                [str(14 + n % 4), f"Step {n} of the plan.", f"Owner {n % 7}", "31/12/2023"]
                for n in range(5000)
            ],
        )
    return buffer.getvalue()


def _read(case: str, data: bytes) -> str:
    from spreadsheets.reading import FileRefused, read_table

    if case.startswith("old-reader"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        rows = sum(1 for _ in book.worksheets[0].iter_rows())
        return f"loaded whole: {rows} rows (the old reader checked the limit only after this)"
    try:
        table = read_table(data, f"{case}.xlsx")
        return f"accepted: {len(table.rows)} rows"
    except FileRefused as exc:
        return f"refused: {exc}"


def _child(case: str, path: str) -> None:
    _setup()
    import openpyxl  # noqa: F401 - imported before measuring: the import is not the read's cost

    import spreadsheets.reading  # noqa: F401

    data = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = _read(case, data)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    _read(case, data)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "case": case,
                "file_bytes": len(data),
                "seconds": round(seconds, 3),
                "extra_memory_mb": round((after - before) / 1024, 1),
                "traced_peak_mb": round(traced_peak / 1024 / 1024, 1),
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for case in ("bomb", "100k-rows", "5000-rows", "old-reader-50k-bomb"):
            path = Path(folder) / f"{case}.xlsx"
            path.write_bytes(_make(case))
            out = subprocess.run(  # noqa: S603 - this interpreter on this script
                [sys.executable, __file__, "--case", case, str(path)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results.append(result)
            print(
                f"{result['case']:>22}: {result['file_bytes'] / 1e6:6.2f} MB file, {result['seconds']:6.2f} s, "
                f"+{result['extra_memory_mb']:6.1f} MB peak resident, {result['traced_peak_mb']:6.1f} MB "
                f"peak allocated; {result['outcome']}"
            )
    bomb = results[0]
    assert bomb["outcome"].startswith("refused"), bomb
    assert bomb["seconds"] < 2 and bomb["extra_memory_mb"] < 200 and bomb["traced_peak_mb"] < 200, bomb
    old = results[-1]
    # The measure can see a read's cost: the old reader's load of a far smaller bomb shows it.
    assert old["traced_peak_mb"] > 10 * max(bomb["traced_peak_mb"], 1), (old, bomb)
    print("The 1.29 MB bomb is refused within the limits (under 2 s, under 200 MB).")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
