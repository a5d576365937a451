"""Bounded uploads: how long and how much memory a hostile spreadsheet costs before it is refused.

    DEBUG=1 .venv/bin/python bench/bench_uploads.py

Cases, each in a fresh child process so that peak memory (ru_maxrss) is the case's own:
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
import time
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


def _child(case: str) -> None:
    _setup()
    from spreadsheets.reading import FileRefused, read_table

    data = _make(case)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if case.startswith("old-reader"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        rows = sum(1 for _ in book.worksheets[0].iter_rows())
        outcome = f"loaded whole: {rows} rows (the old reader checked the limit only after this)"
    else:
        try:
            table = read_table(data, f"{case}.xlsx")
            outcome = f"accepted: {len(table.rows)} rows"
        except FileRefused as exc:
            outcome = f"refused: {exc}"
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "case": case,
                "file_bytes": len(data),
                "seconds": round(seconds, 3),
                "extra_memory_mb": round((after - before) / 1024, 1),
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    results = []
    for case in ("bomb", "100k-rows", "5000-rows", "old-reader-50k-bomb"):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['case']:>22}: {result['file_bytes'] / 1e6:6.2f} MB file, {result['seconds']:6.2f} s, "
            f"+{result['extra_memory_mb']:6.1f} MB peak memory; {result['outcome']}"
        )
    bomb = results[0]
    assert bomb["outcome"].startswith("refused"), bomb
    assert bomb["seconds"] < 2 and bomb["extra_memory_mb"] < 200, bomb
    print("The 1.29 MB bomb is refused within the limits (under 2 s, under 200 MB).")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        _child(sys.argv[2])
    else:
        main()
