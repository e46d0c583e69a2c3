"""Side-by-side benchmark: Comuna's MES / greedy against pabutools, on real pabulib files.

    python benchmarks/bench_pb.py [--quick] [--peer-timeout SECONDS]

Both run in the same process, on the same machine, in exact arithmetic, with the same options
where the peer has them (pabutools' Add1 starts at budget/voters; ours is run that way for the
comparison). Each peer run is in a child process killed after ``--peer-timeout`` seconds and
then reported as "> N s". Prints a Markdown table: outcome agreement and time ratio.

Times are CPU seconds of the process doing the work (``time.process_time``): on a machine
shared with other jobs, wall time mostly measures the neighbours. Wall seconds are shown too.

The row ``mes+add1 official`` is ours alone with the options that reproduce official results
(Add1 from floor(budget/voters), continuing while the outcome fits): pabutools has no such
option, so it has no peer time.
"""

from __future__ import annotations

import argparse
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
    multi = profile.as_multiprofile()
    start, cpu = time.perf_counter(), time.process_time()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--peer-timeout", type=float, default=120)
    args = parser.parse_args()
    print(
        "| file | rule | ours CPU (s) | pabutools CPU (s) | ratio ours/peer | same outcome |",
        end="",
    )
    print(" ours wall (s) | pabutools wall (s) |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for name in QUICK if args.quick else FULL:
        path = DATA / "pb" / f"{name}.pb"
        for rule in ("greedy", "mes", "mes+add1", "mes+add1 official"):
            (mine, my_wall), selected = ours(path, rule)
            head = f"| {name} | {rule} | {mine:.2f} |"
            if rule == "mes+add1 official":
                print(f"{head} n/a | n/a | n/a | {my_wall:.2f} | n/a |", flush=True)
                continue
            theirs, names = run_peer(path, rule, args.peer_timeout)
            if theirs is None:
                limit = f"> {args.peer_timeout:.0f} (wall)"
                print(f"{head} n/a | n/a | n/a | {my_wall:.2f} | {limit} |", flush=True)
                continue
            ratio, same = mine / theirs[0], selected == names
            print(
                f"{head} {theirs[0]:.2f} | {ratio:.3f} | {same} | {my_wall:.2f} | {theirs[1]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
