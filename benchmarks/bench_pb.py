"""Side-by-side benchmark: Comuna's MES / greedy against pabutools, on real pabulib files.

    python benchmarks/bench_pb.py [--quick] [--peer-timeout SECONDS] [--peer-cache FILE]
    python benchmarks/bench_pb.py --peers-only --peer-cache FILE   # the slow peer rows, once

Both run in the same process, on the same machine, in exact arithmetic, with the same options
where the peer has them (pabutools' Add1 starts at budget/voters; ours is run that way for the
comparison). Each peer run is in a child process killed after ``--peer-timeout`` seconds and
then reported as "> N s". Prints a Markdown table: outcome agreement and time ratio. With
``--peer-cache`` the peer's figures are read from (and new ones written to) a JSON file, so
the peer (up to 15 minutes on Warszawa) runs once while ours is re-measured.

The clock boundary is the same for both: from the parsed file to the outcome. It includes
building each side's profile representation (pabutools' multiprofile; our grouping of the
ballots inside ``equal_shares``) and excludes reading and parsing the file.

Times are CPU seconds of the process doing the work (``time.process_time``): on a machine
shared with other jobs, wall time mostly measures the neighbours. Wall seconds are shown too.

The row ``mes+add1 official`` is ours alone with the options that reproduce official results
(Add1 from floor(budget/voters), continuing while the outcome fits): pabutools has no such
option, so it has no peer time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # a shared 2-core machine: no BLAS threads

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comuna.core.budgeting import GreedyOptions, MesOptions, equal_shares, greedy  # noqa: E402
from comuna.core.pabulib import parse_pb, to_election  # noqa: E402

DATA = Path(
    os.environ.get("COMUNA_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
QUICK = ["Netherlands_Assen_2024", "Poland_Wroclaw_2017"]
FULL = [
    *QUICK,
    "Poland_Wieliczka_2023_Green_Budget",
    "Netherlands_Amsterdam_621",
    "Poland_Warszawa_2026",
]


def peer(path: str, rule: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(path)
    start, cpu = time.perf_counter(), time.process_time()
    multi = profile.as_multiprofile()  # its profile representation: inside the clock
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, multi, sat_class=Cost_Sat)
    else:
        extra = {"voter_budget_increment": 1} if rule == "mes+add1" else {}
        out = method_of_equal_shares(instance, multi, sat_class=Cost_Sat, **extra)
    queue.put((time.process_time() - cpu, time.perf_counter() - start, sorted(p.name for p in out)))


Timing = tuple[float, float]
"""CPU seconds, wall seconds."""


def run_peer(path: Path, rule: str, timeout: float) -> tuple[Timing | None, list[str] | None]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    child = mp.Process(target=peer, args=(str(path), rule, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.terminate()
        child.join()
        return None, None
    cpu, wall, names = queue.get()
    return (cpu, wall), names


def ours(path: Path, rule: str) -> tuple[Timing, list[str]]:
    election = to_election(parse_pb(path.read_text(encoding="utf-8")))
    by_name = tuple(sorted(p.project_id for p in election.projects))  # pabutools' tie-break
    start, cpu = time.perf_counter(), time.process_time()
    if rule == "greedy":
        selected = greedy(election, GreedyOptions(tie_break=by_name)).selected
    elif rule == "mes+add1 official":
        selected = equal_shares(election, MesOptions(tie_break=by_name)).selected
    else:
        completion = "add1" if rule == "mes+add1" else "none"
        options = MesOptions(
            tie_break=by_name, completion=completion, add1_start="exact", add1_stop="exhaustive"
        )
        selected = equal_shares(election, options).selected
    return (time.process_time() - cpu, time.perf_counter() - start), sorted(selected)


PeerRow = tuple[Timing | None, list[str] | None]


def peer_row(name: str, rule: str, timeout: float, cache: dict[str, PeerRow]) -> PeerRow:
    """The peer's figures for one row: from ``cache`` if there, else measured (and cached)."""
    key = f"{name} {rule}"
    if key not in cache:
        cache[key] = run_peer(DATA / "pb" / f"{name}.pb", rule, timeout)
    timing, names = cache[key]
    return (tuple(timing) if timing is not None else None), names  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--peer-timeout", type=float, default=120)
    parser.add_argument("--peer-cache", type=Path, help="JSON file of peer figures to reuse")
    parser.add_argument("--peers-only", action="store_true", help="measure the peer rows only")
    args = parser.parse_args()
    cache: dict[str, PeerRow] = {}
    if args.peer_cache and args.peer_cache.exists():
        cache = json.loads(args.peer_cache.read_text(encoding="utf-8"))

    def save() -> None:
        if args.peer_cache:
            args.peer_cache.write_text(json.dumps(cache, indent=1), encoding="utf-8")

    names = QUICK if args.quick else FULL
    if args.peers_only:
        for name in names:
            for rule in ("greedy", "mes", "mes+add1"):
                peer_row(name, rule, args.peer_timeout, cache)
                save()
                print(name, rule, cache[f"{name} {rule}"][0], flush=True)
        return
    print(
        "| file | rule | ours CPU (s) | pabutools CPU (s) | ratio ours/peer | same outcome |",
        end="",
    )
    print(" ours wall (s) | pabutools wall (s) |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for name in names:
        path = DATA / "pb" / f"{name}.pb"
        for rule in ("greedy", "mes", "mes+add1", "mes+add1 official"):
            (mine, my_wall), selected = ours(path, rule)
            head = f"| {name} | {rule} | {mine:.2f} |"
            if rule == "mes+add1 official":
                print(f"{head} n/a | n/a | n/a | {my_wall:.2f} | n/a |", flush=True)
                continue
            theirs, peer_names = peer_row(name, rule, args.peer_timeout, cache)
            save()
            if theirs is None:
                limit = f"> {args.peer_timeout:.0f} (wall)"
                print(f"{head} n/a | n/a | n/a | {my_wall:.2f} | {limit} |", flush=True)
                continue
            ratio, same = mine / theirs[0], selected == peer_names
            print(
                f"{head} {theirs[0]:.2f} | {ratio:.3f} | {same} | {my_wall:.2f} | {theirs[1]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
