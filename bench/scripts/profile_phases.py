#!/usr/bin/env python3
"""CPU per request, by phase and part, from an async-profiler recording of ApiBenchmark.

Reads the text of `jfr print --events jdk.ExecutionSample --stack-depth 128 rec.jfr` (see
docs/benchmarks.md, "Profiling"). Samples are put in 1 s buckets; a bucket belongs to the
phase whose handler frames make up at least 80 % of its marked samples (RivyaRoutes.get: read,
RivyaRoutes.create: create, the bare endpoint's lambda in ApiBenchmark.main: bare). The first
stretch of each phase is its JIT warm-up and is dropped, and so are the first 3 s of every
later stretch (the phase's own warm-up), so what remains are the measured windows. Divided by
the throughput the benchmark printed for the phase, the samples give µs per request (1 ms
sampling interval).

    profile_phases.py rec.txt --rate read=6844 --rate bare=8930
        parts of each phase (the first part whose frames appear in a sample takes it)
    profile_phases.py rec.txt --rate read=6844 --rate bare=8930 --only 'org\\.sqlite' --by 'NativeDB\\.'
        only samples with a frame matching --only, grouped by their innermost frame matching --by
"""
import argparse
import collections
import re

MARKERS = (("RivyaRoutes.get(", "read"), ("RivyaRoutes.create(", "create"), ("ApiBenchmark.lambda$main$", "bare"))
PARTS = (
    ("sqlite", r"org\.sqlite|libsqlitejdbc"),
    ("access log", r"logback|logstash|BatchingAppender|ApiServer\.lambda"),
    ("handler", r"dev\.hailuo\.server|dev\.hailuo\.core"),
    ("javalin", r"io\.javalin"),
    ("jetty", r"org\.eclipse\.jetty"),
    ("http client", r"jdk\.internal\.net\.http|java\.net\.http"),
    ("load generator", r"dev\.hailuo\.bench"),
    ("gc", r"G1|GC"),
    ("jit", r"Compile|C2|C1"),
)
PHASE_WARMUP_SECONDS = 3


def samples(path):
    """(second of day, frames innermost first) per sample."""
    current = None
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith("jdk.ExecutionSample"):
                current = [None, []]
            elif current is None:
                continue
            elif s.startswith("startTime"):
                h, m, sec = re.search(r"(\d\d):(\d\d):(\d\d)", s).groups()
                current[0] = int(h) * 3600 + int(m) * 60 + int(sec)
            elif s == "}":
                yield current[0], current[1]
                current = None
            elif not (s.startswith(("stackTrace", "sampledThread", "state")) or s in ("]", "...")):
                current[1].append(s)


def measured_seconds(all_samples):
    """Second -> phase, for the measured windows only."""
    marks = collections.defaultdict(collections.Counter)
    for second, frames in all_samples:
        joined = " ".join(frames)
        for marker, phase in MARKERS:
            if marker in joined:
                marks[second][phase] += 1
                break
    phase_of = {}
    for second, counts in marks.items():
        phase, n = counts.most_common(1)[0]
        if n >= 0.8 * sum(counts.values()):
            phase_of[second] = phase
    stretches = []
    for second in sorted(phase_of):
        if stretches and stretches[-1][0] == phase_of[second] and second - stretches[-1][2] <= 2:
            stretches[-1][2] = second
            stretches[-1][3].append(second)
        else:
            stretches.append([phase_of[second], second, second, [second]])
    seen, kept = set(), {}
    for phase, start, _, seconds in stretches:
        if phase not in seen:
            seen.add(phase)  # the JIT warm-up round
            continue
        kept.update({s: phase for s in seconds if s >= start + PHASE_WARMUP_SECONDS})
    return kept


def main():
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("recording")
    args.add_argument("--rate", action="append", default=[], help="phase=requests per second, as printed")
    args.add_argument("--only", help="keep samples with a frame matching this")
    args.add_argument("--by", help="group by the innermost frame matching this")
    args.add_argument("--top", type=int, default=25)
    a = args.parse_args()
    rates = {k: float(v) for k, v in (r.split("=") for r in a.rate)}
    all_samples = list(samples(a.recording))
    phase_of = measured_seconds(all_samples)
    seconds = collections.Counter(phase_of.values())
    only = re.compile(a.only) if a.only else None
    by = re.compile(a.by) if a.by else None
    counts = collections.defaultdict(collections.Counter)
    for second, frames in all_samples:
        phase = phase_of.get(second)
        if phase not in rates or (only and not any(only.search(f) for f in frames)):
            continue
        if by:
            key = next((re.sub(r"\(.*", "", f) for f in frames if by.search(f)), "(none)")
        else:
            joined = "\n".join(frames)
            key = next((name for name, rx in PARTS if re.search(rx, joined)), "other")
        counts[phase][key] += 1
    phases = [p for p in rates if seconds[p]]
    us = {p: {k: n / seconds[p] * 1000 / rates[p] for k, n in counts[p].items()} for p in phases}
    keys = sorted({k for p in phases for k in us[p]}, key=lambda k: -sum(us[p].get(k, 0) for p in phases))
    print("µs per request   " + "".join(f"{p + f' ({seconds[p]} s)':>16}" for p in phases))
    print(f"{'total':60.60}" + "".join(f"{sum(us[p].values()):16.1f}" for p in phases))
    for k in keys[:a.top]:
        print(f"{k:60.60}" + "".join(f"{us[p].get(k, 0):16.2f}" for p in phases))


if __name__ == "__main__":
    main()
