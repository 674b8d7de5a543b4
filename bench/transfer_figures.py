"""Print the figures of bench/transfer.sh from the files each conversion left.

Each CASE_DIR contains:
  model.sha256, model.size   the source model's SHA-256 and size in bytes
  engine.sha256              the downloaded engine's SHA-256 (absent if mconv failed)
  time.txt                   `/usr/bin/time -v` output for the mconv process
  events.tsv                 Unix time, a tab, then one `mconv -o json` event
  converter-hwm-kib          peak RSS of the converter's `run` process in KiB
  started                    Unix time just before mconv started

Exits 1 if a case failed or its hashes differ, else 0; timings never fail it.

usage: transfer_figures.py CASE_DIR...
"""

import json
import re
import sys
from pathlib import Path

MIB = 1 << 20


def read_text(path: Path) -> str | None:
    return path.read_text().strip() if path.is_file() else None


def read_time_file(path: Path) -> dict:
    """Return the peak RSS in KiB and the wall time in seconds from GNU time's -v output."""
    text = read_text(path) or ""
    figures = {}
    if match := re.search(r"Maximum resident set size \(kbytes\): (\d+)", text):
        figures["max_rss_kib"] = int(match.group(1))
    if match := re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text):
        seconds = 0.0
        for part in match.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        figures["wall_s"] = seconds
    return figures


def read_events(path: Path) -> list[tuple[float, dict]]:
    events = []
    for line in (read_text(path) or "").splitlines():
        stamp, _, payload = line.partition("\t")
        try:
            events.append((float(stamp), json.loads(payload)))
        except ValueError:
            continue
    return events


def transfer_span(events: list[tuple[float, dict]], prefix: str) -> tuple[float, float, int] | None:
    """Return (start, end, bytes) of the transfer whose description starts with `prefix`.

    The start is mconv's 0 % event, which it emits before the exec connection
    opens. The end is its 100 % event. For an upload, mconv emits that once it
    has read the last chunk from disk and handed it to the WebSocket, so up to
    a socket buffer of data is still on its way.
    """
    stamps = [(stamp, event) for stamp, event in events if event.get("event") == "transfer" and event.get("what", "").startswith(prefix)]
    if not stamps:
        return None
    start = stamps[0][0]
    finished = [stamp for stamp, event in stamps if event["bytes"] == event["total"]]
    if not finished:
        return None
    return start, finished[-1], stamps[-1][1]["total"]


def describe_case(directory: Path) -> dict:
    model_size = int(read_text(directory / "model.size") or 0)
    model_sha256 = read_text(directory / "model.sha256")
    engine_sha256 = read_text(directory / "engine.sha256")
    events = read_events(directory / "events.tsv")
    case = {
        "name": directory.name,
        "model_size": model_size,
        "converted": engine_sha256 is not None,
        "hash_matches": engine_sha256 is not None and engine_sha256 == model_sha256,
        "converter_hwm_kib": int(read_text(directory / "converter-hwm-kib") or 0),
        "upload": transfer_span(events, "uploading"),
        "download": transfer_span(events, "downloading"),
        "events": events,
        "started": float(read_text(directory / "started") or 0),
        **read_time_file(directory / "time.txt"),
    }
    done = [event for _, event in events if event.get("event") == "done"]
    # mconv's own hash of the bytes it received, which it checked against the converter's.
    case["reported_sha256_matches"] = bool(done) and done[-1].get("sha256") == engine_sha256
    return case


def format_size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.0f} MiB"
    return f"{size / 1024:.1f} KiB"


def format_rate(span: tuple[float, float, int] | None) -> str:
    if span is None:
        return "-"
    start, end, size = span
    seconds = end - start
    if size < MIB or seconds <= 0:
        return f"{seconds:.2f} s"
    return f"{size / MIB / seconds:.0f} MiB/s ({seconds:.1f} s)"


def phases(case: dict) -> list[tuple[str, float]]:
    """Split mconv's wall time at the transfers' start and end events."""
    events = case["events"]
    if not events or case["upload"] is None or case["download"] is None:
        return []
    started, first, last = case["started"], events[0][0], events[-1][0]
    upload_start, upload_end, _ = case["upload"]
    download_start, download_end, _ = case["download"]
    return [
        ("hash the model, look up the user", first - started),
        ("create the Job, start the pod", upload_start - first),
        ("upload", upload_end - upload_start),
        ("conversion in the pod", download_start - upload_end),
        ("download", download_end - download_start),
        ("acknowledge, finish", last - download_end),
    ]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    cases = [describe_case(Path(argument)) for argument in sys.argv[1:]]

    rows = [["case", "model", "mconv peak RSS", "mconv wall", "upload", "download", "converter peak RSS", "SHA-256"]]
    for case in cases:
        if not case["converted"]:
            verdict = "conversion failed"
        elif case["hash_matches"] and case["reported_sha256_matches"]:
            verdict = "equal"
        else:
            verdict = "DIFFERENT"
        rows.append([
            case["name"],
            format_size(case["model_size"]),
            f"{case['max_rss_kib'] / 1024:.1f} MiB" if "max_rss_kib" in case else "-",
            f"{case['wall_s']:.1f} s" if "wall_s" in case else "-",
            format_rate(case["upload"]),
            format_rate(case["download"]),
            f"{case['converter_hwm_kib'] / 1024:.0f} MiB" if case["converter_hwm_kib"] else "-",
            verdict,
        ])
    print_table(rows)

    for case in cases:
        split = phases(case)
        if split:
            print(f"\n{case['name']}: " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in split))

    return 0 if all(case["converted"] and case["hash_matches"] and case["reported_sha256_matches"] for case in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
