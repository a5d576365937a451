"""Time reading and mapping each seed response, and measure accuracy, as text, HTML, DOCX and PDF.

    .venv/bin/python bench/bench_history.py [--rounds 5]

For each of the five seed documents (tests/seeds, copies of shared/seeds) in each format: the median
time to extract the text and map it (`reading.read_lines` + `mapping.read`, no database), how many
of the four police recommendations (14, 15, 18, 19) were mapped, and the lowest difflib ratio of an
answer against the answer typed by hand in fixtures/mappa_seed_responses.json (whitespace
normalised; 0.95 or more counts as right). The DOCX and PDF files are made from the text by
python-docx and WeasyPrint (tests/history_formats.py); making them is not timed.
"""

import argparse
import difflib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings_test")
POLICE = (14, 15, 18, 19)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from history import mapping, reading
    from tests import history_formats

    fixtures = json.loads((ROOT / "fixtures" / "mappa_seed_responses.json").read_text())
    inspection = json.loads((ROOT / "fixtures" / "mappa_inspection.json").read_text())
    recs = [
        mapping.RecRef(r["number"], r["text"], r.get("lead_in", ""), "police" in r["addressees"])
        for r in inspection["recommendations"]
    ]
    makers = {
        "txt": lambda t: t.encode("utf-8"),
        "html": lambda t: history_formats.to_html(t).encode("utf-8"),
        "docx": history_formats.to_docx,
        "pdf": history_formats.to_pdf,
    }
    print(f"{'format':6} {'force':18} {'bytes':>8} {'median ms':>10} {'mapped':>7} {'lowest ratio':>13}")
    totals = {}
    for fmt, make in makers.items():
        right = 0
        for row in fixtures:
            text = (ROOT / "tests" / "seeds" / row["seed_file"]).read_text(encoding="utf-8")
            data = make(text)
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                result = mapping.read(reading.read_lines(data, fmt), recs)
                times.append(time.perf_counter() - start)
            ratios = [
                difflib.SequenceMatcher(
                    None,
                    " ".join(result.answer_text(n).split()),
                    " ".join(row["records"][str(n)]["progress_text"].split()),
                ).ratio()
                for n in POLICE
            ]
            mapped = sum(1 for n in POLICE if n in result.answers and result.answers[n].lines)
            right += sum(1 for r in ratios if r >= 0.95)
            print(
                f"{fmt:6} {row['force']:18} {len(data):>8} {statistics.median(times) * 1000:>10.1f} "
                f"{mapped:>5}/4 {min(ratios):>13.3f}"
            )
        totals[fmt] = right
    print()
    for fmt, right in totals.items():
        print(f"{fmt}: {right}/{4 * len(fixtures)} answers right (ratio >= 0.95)")


if __name__ == "__main__":
    main()
