"""How ``bench.ingest`` prints a round, its summary, the issue's targets and the final JSON line."""

from __future__ import annotations

import json

from bench._load import Round


def describe(result: Round, queued: int) -> str:
    """Throughput, latency, and the 202s against the messages that reached the queue."""
    others = {status: n for status, n in result.statuses.items() if status != 202}
    return (
        f"{result.rps:6.0f} req/s  p50 {result.percentile_ms(50):5.1f} ms"
        f"  p99 {result.percentile_ms(99):5.1f} ms  202s {result.accepted:5}  queued {queued:5}"
        + (f"  other answers {others}" if others else "")
        + difference(result.accepted, queued)
    )


def difference(accepted: int, queued: int) -> str:
    if queued < accepted:
        return f"  LOST {accepted - queued}"
    if queued > accepted:
        return f"  MISMATCH: {queued - accepted} more queued than 202s"
    return ""


def summary(result: dict[str, float], heading: str, *, quick: bool) -> None:
    print(heading)
    print(
        f"  ingest {result['ingest_rps']:.0f} req/s, baseline {result['baseline_rps']:.0f} req/s,"
        f" ratio {result['ratio']:.3f}; ingest p50 {result['p50_ms']:.1f} ms,"
        f" p99 {result['p99_ms']:.1f} ms; p99 {result['p99_ms_at_500']:.1f} ms with"
        " 500 req/s offered"
    )
    print(
        f"  server CPU per request: ingest {result['ingest_cpu_us']:.0f} us,"
        f" baseline {result['baseline_cpu_us']:.0f} us"
        f" (ratio {result['baseline_cpu_us'] / result['ingest_cpu_us']:.3f})"
    )
    print(f"  202s {result['accepted']}, messages queued {result['queued']} (all rounds)")
    if result["queued"] > result["accepted"]:
        print(
            "  more messages queued than 202s: requests answered otherwise (see 'other answers')"
            " whose messages reached the queue all the same; nothing was lost"
        )
    for name, met in targets(result, quick=quick):
        print(f"  {met:11} {name}")
    rounded = {
        key: value if isinstance(value, int) else round(value, 3) for key, value in result.items()
    }
    print(json.dumps(rounded))


def targets(result: dict[str, float], *, quick: bool) -> list[tuple[str, str]]:
    """The targets of issue 3, each with "met", "NOT MET" or why it was not checked."""

    def verdict(met: bool) -> str:
        return "met" if met else "NOT MET"

    return [
        ("ingest throughput >= 0.9 of the baseline", verdict(result["ratio"] >= 0.9)),
        ("p99 <= 50 ms at 500 req/s offered", verdict(result["p99_ms_at_500"] <= 50)),
        ("messages queued == 202s", verdict(result["queued"] == result["accepted"])),
        (
            "RSS <= 120 MB after 50,000 requests",
            "not checked (BENCH_QUICK)" if quick else verdict(result["rss_mb"] <= 120),
        ),
    ]
