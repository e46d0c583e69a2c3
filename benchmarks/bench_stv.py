"""Scottish STV side by side: Comuna against stvpoll and pyrankvote on the real 2017 wards.

    python benchmarks/bench_stv.py [--quick] [--data PATH]

For every contested 2017 ward in ``stv/scotland-2017`` it counts the ballots with each package
in the same run, compares each package's winner set with the official one, and times it.
Comuna's time includes reading the BLT text (parse) and the count; the peers are handed
ballots already parsed (by Comuna), so their time is the count alone. Then it counts every
Scottish BLT file under ``stv/`` with Comuna alone (parse + count) and reports the total.

The peers are black boxes here (installed from PyPI, the ``bench`` extra); nothing of theirs
is used by Comuna itself.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from comuna.core.blt import Election, parse_blt  # noqa: E402
from comuna.core.errors import ComunaError  # noqa: E402
from comuna.core.stv import count_stv  # noqa: E402

MISMAPPED = "blt/aberdeenshire_2017_by_election_inverurie.blt"  # see tests/core/test_stv_golden.py


def _tokens(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"\([^)]*\)", " ", plain).replace("'", "")
    return set(re.findall(r"[a-z]+", plain))


def official_winners(election: Election, rows: list[dict[str, str]]) -> frozenset[int]:
    """Indices of the file's candidates the official sheet elected (matched by name words)."""
    first = [0] * len(election.candidates)
    for ballot in election.ballots:
        first[ballot.ranking[0]] += ballot.weight
    winners = set()
    for row in rows:
        if row["elected"] != "1":
            continue
        scores = [len(_tokens(row["name"]) & _tokens(c)) for c in election.candidates]
        best = [i for i, s in enumerate(scores) if s == max(scores)]
        if len(best) > 1:
            best = [i for i in best if first[i] == int(float(row["first_prefs"]))]
        winners.add(best[0])
    return frozenset(winners)


def ours(text: str) -> frozenset[int]:
    return frozenset(count_stv(parse_blt(text)).elected)


def stvpoll_count(election: Election) -> frozenset[int]:
    from stvpoll.scottish_stv import calculate_scottish_stv

    candidates = tuple(range(len(election.candidates)))
    ballots = [(b.ranking, b.weight) for b in election.ballots]
    result = calculate_scottish_stv(candidates, ballots, election.seats, allow_random=False)
    return frozenset(result.elected_as_set())


def pyrankvote_count(election: Election) -> frozenset[int]:
    import pyrankvote

    people = [pyrankvote.Candidate(str(i)) for i in range(len(election.candidates))]
    ballots = []
    for ballot in election.ballots:
        paper = pyrankvote.Ballot(ranked_candidates=[people[c] for c in ballot.ranking])
        ballots.extend([paper] * ballot.weight)
    result = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=election.seats)
    return frozenset(int(c.name) for c in result.get_winners())


def _timed(
    count: Callable[[], frozenset[int]],
) -> tuple[frozenset[int] | None, float, float]:
    """Winners (None if the package failed), wall seconds and CPU seconds of this process."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        winners: frozenset[int] | None = count()
    except Exception:  # a peer that refuses or crashes counts as wrong, and is shown so
        winners = None
    return winners, time.perf_counter() - start, time.process_time() - cpu


def load_wards(data: Path, quick: bool) -> list[tuple[str, str, list[dict[str, str]]]]:
    folder = data / "stv" / "scotland-2017"
    with open(folder / "wards.csv", encoding="utf-8") as handle:
        wards = [w for w in csv.DictReader(handle) if w["blt_file"] != MISMAPPED]
    rows: dict[str, list[dict[str, str]]] = {}
    with open(folder / "official_results.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["map_ward_id"], []).append(row)
    if quick:
        wards = wards[::10]
    return [
        (w["blt_file"], (folder / w["blt_file"]).read_text("utf-8"), rows[w["map_ward_id"]])
        for w in wards
    ]


def compare(wards: list[tuple[str, str, list[dict[str, str]]]]) -> dict[str, dict[str, object]]:
    packages = ("comuna", "stvpoll", "pyrankvote")
    stats: dict[str, dict[str, object]] = {
        p: {"correct": 0, "times": [], "cpu": [], "wrong": []} for p in packages
    }
    for name, text, rows in wards:
        election = parse_blt(text)
        truth = official_winners(election, rows)
        runs = {
            "comuna": _timed(lambda t=text: ours(t)),
            "stvpoll": _timed(lambda e=election: stvpoll_count(e)),
            "pyrankvote": _timed(lambda e=election: pyrankvote_count(e)),
        }
        for package, (winners, seconds, cpu) in runs.items():
            entry = stats[package]
            entry["times"].append(seconds)  # type: ignore[attr-defined]
            entry["cpu"].append(cpu)  # type: ignore[attr-defined]
            if winners == truth:
                entry["correct"] += 1  # type: ignore[operator]
            else:
                entry["wrong"].append(Path(name).stem)  # type: ignore[attr-defined]
    return stats


def all_files(data: Path) -> tuple[int, int, float, float, list[str]]:
    files = sorted((data / "stv").glob("scotland-*/blt/*.blt"))
    texts = [(f.name, f.read_text("utf-8")) for f in files]
    refused = []
    start, cpu = time.perf_counter(), time.process_time()
    for name, text in texts:
        try:
            count_stv(parse_blt(text))
        except ComunaError as error:
            refused.append(f"{name} ({error.code})")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(files), len(files) - len(refused), wall, cpu, refused


def report(stats: dict[str, dict[str, object]], wards: int) -> str:
    base = sum(stats["comuna"]["times"])  # type: ignore[arg-type]
    base_cpu = sum(stats["comuna"]["cpu"])  # type: ignore[arg-type]
    lines = [
        "| package | correct winner sets | wall (s) | CPU (s) | median / max wall per ward (s) "
        "| wall / Comuna's | CPU / Comuna's | wrong wards |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for package, entry in stats.items():
        times: list[float] = entry["times"]  # type: ignore[assignment]
        cpu: list[float] = entry["cpu"]  # type: ignore[assignment]
        wrong: list[str] = entry["wrong"]  # type: ignore[assignment]
        lines.append(
            f"| {package} | {entry['correct']}/{wards} | {sum(times):.2f} | {sum(cpu):.2f} "
            f"| {statistics.median(times):.4f} / {max(times):.3f} "
            f"| {sum(times) / base:.2f} | {sum(cpu) / base_cpu:.2f} | {', '.join(wrong) or '-'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every tenth ward only")
    default = Path(os.environ.get("COMUNA_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=default)
    args = parser.parse_args()
    wards = load_wards(args.data, args.quick)
    stats = compare(wards)
    print(f"Scottish STV, 2017 wards ({len(wards)} contested), {datetime.date.today()}, ")
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}\n")
    print(report(stats, len(wards)))
    if not args.quick:
        total, counted, wall, cpu, refused = all_files(args.data)
        print(f"\nAll Scottish BLT files: {counted}/{total} counted in {wall:.2f} s wall, ")
        print(
            f"{cpu:.2f} s CPU (parse + count, Comuna only); refused: {', '.join(refused) or 'none'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
