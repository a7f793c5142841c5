"""The table ``make bench`` prints, from the same data it writes to ``bench.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool] = (),
    groups: Sequence[tuple[str, int]] = (),
) -> list[str]:
    """Columns padded to their widest cell; ``groups`` (label, columns spanned) adds a line above."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    aligned = list(right) + [False] * (len(header) - len(right))
    lines = []
    column = 0
    for label, span in groups:
        # Widen the last column of a group whose label is longer than its columns.
        spanned = widths[column : column + span]
        missing = len(label) - (sum(spanned) + 2 * (span - 1))
        if missing > 0:
            widths[column + span - 1] += missing
        column += span
    if groups:
        cells, column = [], 0
        for label, span in groups:
            cells.append(label.ljust(sum(widths[column : column + span]) + 2 * (span - 1)))
            column += span
        lines.append("  ".join(cells).rstrip())

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, aligned, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return [*lines, line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _found(found: Any, operations: Sequence[str], hit: Sequence[str]) -> str:
    """yes / NO, or "part 1/2" when only some of the bug's operations were flagged."""
    if found is None:
        return "-"
    hits = len(set(operations) & set(hit))
    return "yes" if found else f"part {hits}/{len(operations)}" if hits else "NO"


def _yes(value: Any) -> str:
    return "-" if value is None else "yes" if value else "NO"


def _seconds(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _int(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def _mib(value: Any) -> str:
    return "-" if value is None else f"{value / 2**20:.1f} MiB"


def render(data: dict[str, Any]) -> str:
    out: list[str] = []
    classes: dict[str, Any] = data.get("bug_classes", {})
    st: dict[str, Any] = data.get("schemathesis", {})
    if classes:
        out.append(
            "PER BUG CLASS: Dispatch with one switch on. harness campaign vs schemathesis ST402 "
            f"(object_level_authorization, 2 peers, max-examples {st.get('max_examples', '-')}), same app, in-process"
        )
        groups = [("", 1), ("harness, alone", 7), ("schemathesis ST402, alone", 6), ("all switches on", 2)]
        header = ["bug class", "found", "oracle(s)", "1st at", "req to 1st", "req", "time", "FP c/s"]
        header += ["found", "1st at", "req to 1st", "req", "time", "FP", "harness", "ST402"]
        rows = []
        for name, entry in classes.items():
            h = entry.get("harness", {})
            s = entry.get("schemathesis", {})
            on = entry.get("all_on", {})
            star = "*" if on.get("shared_operations") else ""
            rows.append(
                [
                    name,
                    _found(h.get("found"), entry["operations"], h.get("found_operations", [])),
                    ",".join(h.get("oracles", [])) or "-",
                    _seconds(h.get("first_detection_seconds")),
                    _int(h.get("first_detection_requests")),
                    _int(h.get("campaign_requests")),
                    _seconds(h.get("campaign_seconds")),
                    f"{h.get('confirmed_false_positives', '-')}/{h.get('suspected_false_positives', '-')}",
                    _found(s.get("found"), entry["operations"], list(s.get("failing_operations", {}))),
                    _seconds(s.get("first_detection_seconds")),
                    _int(s.get("first_detection_requests")),
                    _int(s.get("requests")),
                    _seconds(s.get("seconds")),
                    _int(len(s["false_positive_operations"])) if "false_positive_operations" in s else "-",
                    _yes(on.get("harness")) + star,
                    _yes(on.get("schemathesis")) + star,
                ]
            )
        clean = data.get("clean", {})
        ch, cs = clean.get("harness", {}), clean.get("schemathesis", {})
        rows.append(
            [
                "(none: clean app)",
                "",
                "",
                "",
                "",
                _int(ch.get("campaign_requests")),
                _seconds(ch.get("campaign_seconds")),
                f"{ch.get('confirmed_false_positives', '-')}/{ch.get('suspected_false_positives', '-')}",
                "",
                "",
                "",
                _int(cs.get("requests")),
                _seconds(cs.get("seconds")),
                _int(len(cs["false_positive_operations"])) if "false_positive_operations" in cs else "-",
                "",
                "",
            ]
        )
        right = [False, False, False, True, True, True, True, True, False, True, True, True, True, True]
        out += _table(header, rows, right=right, groups=groups)
        totals = data.get("totals", {})
        if totals:
            h, s = totals["harness"], totals["schemathesis"]
            out.append("")
            out += _table(
                [
                    "totals: per-class + clean runs",
                    "recall",
                    "confirmed FP",
                    "suspected FP",
                    "requests",
                    "wall time",
                    "peak memory",
                ],
                [
                    [
                        "harness",
                        f"{h['found']}/{h['classes']} = {h['recall']:.2f}",
                        _int(h["confirmed_false_positives"]),
                        _int(h["suspected_false_positives"]),
                        _int(h["requests"]),
                        _seconds(h["seconds"]),
                        _mib(h.get("peak_memory_bytes")) + " (all-switches campaign, tracemalloc)",
                    ],
                    [
                        "schemathesis ST402",
                        f"{s['found']}/{s['classes']} = {s['recall']:.2f}",
                        _int(s["false_positives"]),
                        "(n/a)",
                        _int(s["requests"]),
                        _seconds(s["seconds"]),
                        "-",
                    ],
                ],
                right=[False, False, True, True, True, True, False],
            )
        out += [
            "  found: harness = a confirmed finding at every operation the bug breaks; ST402 = a failure at each of them.",
            "  1st at / req to 1st: time and requests into the run at the first confirmed finding (ST402: failure)"
            " at one of them; req / time: the whole run.",
            "  FP c/s: confirmed/suspected findings at other operations; ST402 FP: other operations where it failed.",
            "  all switches on: found in the one app with every bug on (the run below); * = an operation another"
            " bug also breaks, so a finding there cannot tell the two apart.",
        ]
    on = data.get("all_switches")
    if on:
        sa = st.get("all_switches", {})
        sd = st.get("all_switches_default_budget", {})
        total = len(classes) or "?"
        out.append("")
        out.append("ALL SWITCHES ON: Dispatch with every bug in one app, in-process")
        header = ["", "harness", f"ST402, max-examples {sa.get('max_examples', '-')}"]
        default = " (its default)" if sd.get("max_examples") == 100 else ""
        header.append(f"ST402, max-examples {sd.get('max_examples', '-')}{default}")
        target = data["targets"]["all_switches_seconds_under"]
        rows = [
            [
                "wall time",
                f"{_seconds(on['campaign_seconds_median'])} (median of {len(on['campaign_seconds_runs'])};"
                f" target < {target} s)",
                _seconds(sa.get("seconds")),
                _seconds(sd.get("seconds")),
            ],
            ["requests", _int(on["requests"]), _int(sa.get("requests")), _int(sd.get("requests"))],
            [
                "bug classes found",
                f"{len(on['classes_found'])}/{total}",
                f"{len(sa['classes_found'])}/{total}" if sa else "-",
                f"{len(sd['classes_found'])}/{total}" if sd else "-",
            ],
            [
                "operations flagged",
                f"{on['confirmed']} confirmed, {on['suspected']} suspected findings",
                f"{len(sa.get('failing_operations', {}))} (below)",
                f"{len(sd.get('failing_operations', {}))} (below)",
            ],
            [
                "peak memory",
                f"{_mib(on['tracemalloc_peak_bytes'])} tracemalloc, {_mib(on['peak_rss_growth_bytes'])} RSS growth",
                "",
                "",
            ],
        ]
        out += _table(header, rows)
        for key, run in (("max-examples", sa), ("max-examples", sd)):
            if run:
                flagged = ", ".join(run["failing_operations"]) or "none"
                out.append(f"  ST402 ({key} {run['max_examples']}) failed at: {flagged}")
        out.append(
            "  peak memory: tracemalloc = peak of Python allocations (a separate, traced run);"
            " RSS growth = peak resident memory above what the process already held."
        )
        ratio_target = data["targets"]["throughput_ratio_at_least"]
        out.append("")
        out.append("PROBE THROUGHPUT (same run, same in-process app)")
        out += _table(
            ["", "value"],
            [
                [
                    "harness requests/s (all-switches campaign, median)",
                    f"{on['harness_requests_per_second']:,.0f}",
                ],
                [
                    "raw app requests/s (plain loop of GET /orders/{id})",
                    f"{on['raw_app_requests_per_second']:,.0f}",
                ],
                [
                    "ratio (median of per-run ratios, baseline measured right before each run)",
                    f"{on['throughput_ratio']:.2f} (target >= {ratio_target})",
                ],
            ],
        )
    scale = data.get("scale")
    if scale and scale.get("sizes"):
        out.append("")
        out.append(
            "SCALE: generated, correctly isolated API with N resource types (5 operations each + signup/login),"
            f" budget {scale['budget_seconds']:.0f} s per N"
        )
        rows = []
        for size in scale["sizes"]:
            status = (
                "complete"
                if size["complete"]
                else f"stopped at budget after {size['stopped_after_operations']}/{size['operations']} operations"
            )
            rows.append(
                [
                    str(size["resource_types"]),
                    _int(size["operations"]),
                    _seconds(size["seconds"]),
                    _int(size["requests"]),
                    _int(size["findings"]),
                    _mib(size["peak_rss_growth_bytes"]),
                    _mib(size["tracemalloc_peak_bytes"]),
                    status,
                ]
            )
        out += _table(
            [
                "N",
                "operations",
                "wall time",
                "requests",
                "findings",
                "peak RSS growth",
                "tracemalloc peak",
                "status",
            ],
            rows,
            right=[True, True, True, True, True, True, True],
        )
        if "growth_factor" in scale:
            bound = ">= " if scale["growth_factor_is_lower_bound"] else ""
            sizes = scale["sizes"]
            out.append(
                f"  growth factor, time({sizes[-1]['resource_types']})/time({sizes[0]['resource_types']})"
                f" / ({sizes[-1]['resource_types']}/{sizes[0]['resource_types']}) = {bound}{scale['growth_factor']:.2f}"
                f" (target <= {data['targets']['scale_growth_factor_at_most']}; 1 = linear);"
                f" requests: {bound}{scale['request_growth_factor']:.2f}"
            )
            for step in scale.get("steps", []):
                out.append(
                    f"  N {step['from']} -> {step['to']}: time x{step['time_ratio']:.1f},"
                    f" requests x{step['request_ratio']:.1f} for x{step['size_ratio']:.0f} the resource types,"
                    f" growth factor {step['growth_factor']:.2f}"
                    + (" (lower bound: stopped at budget)" if step["lower_bound"] else "")
                )
    faults = data.get("faults")
    if faults and faults.get("rows"):
        out.append("")
        out.append(
            "FAULTS: Dispatch, every bug on, uvicorn on 127.0.0.1 behind a fault-injecting proxy; "
            f"the fault-free run made {faults['baseline_findings']} findings"
        )
        out += _table(
            [
                "fault",
                "rate",
                "injected",
                "false findings",
                "lost findings",
                "errors",
                "retries",
                "verdict",
                "time",
            ],
            [
                [
                    row["kind"],
                    f"{row['rate']:.0%}",
                    _int(row["faults"]),
                    _int(row["false_findings"]),
                    _int(row["lost_findings"]),
                    _int(row["errors"]),
                    _int(row["retries"]),
                    ("stopped" if row.get("stopped") else "reliable" if row["reliable"] else "unreliable"),
                    _seconds(row["seconds"]),
                ]
                for row in faults["rows"]
            ],
            right=[False, True, True, True, True, True, True, False, True],
        )
        out.append(
            "  false findings: findings at operations no bug breaks (must be 0); lost: the fault-free run's "
            "findings not made again (allowed only in a run that says it is unreliable)."
        )
        for row in faults["rows"]:
            if row.get("stopped"):
                out.append(f"  {row['kind']} {row['rate']:.0%} stopped: {row['stopped']}")
        if faults.get("skipped"):
            out.append(f"  not run: {', '.join(faults['skipped'])} (each held request costs a timeout)")
    if "bench_wall_seconds" in data:
        out.append("")
        out.append(
            f"make bench wall time: {_seconds(data['bench_wall_seconds'])} on {data['machine']['cpus']} CPUs"
        )
    return "\n".join(out)
