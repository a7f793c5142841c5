"""The CI example (examples/ci) runs command lines the harness accepts: every option it passes exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from isolation_harness.cli import build_cli

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "ci" / "isolation-gate.yml"


def _commands() -> list[list[str]]:
    """Each `isolation-harness ...` command line of the workflow, as words."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            script = re.sub(r"\$\{\{[^}]*\}\}", "1/2", step.get("run", "")).replace("\\\n", " ")
            for line in script.splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["isolation-harness"]:
                    commands.append(words[1:])
    return commands


def test_the_workflow_runs_the_gate_and_merges_the_shards() -> None:
    assert [words[0] for words in _commands()] == ["run", "merge"]


def test_every_option_in_the_workflow_exists() -> None:
    cli = build_cli()
    for words in _commands():
        command = cli.commands[words[0]]
        known = {name for param in command.params for name in param.opts}
        used = {word for word in words[1:] if word.startswith("--")}
        assert used <= known, f"{words[0]}: unknown options {sorted(used - known)}"
        # The options take their values as the workflow gives them.
        context = command.make_context(words[0], words[1:], resilient_parsing=True)
        assert context.params


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    return steps


def _option(words: list[str], option: str) -> str:
    return words[words.index(option) + 1]


def test_each_job_fails_with_the_harness_exit_code() -> None:
    assert _steps("isolation")[-1]["run"] == 'exit "${{ steps.gate.outputs.code }}"'
    assert _steps("merge")[-1]["run"] == 'exit "${{ steps.merge.outputs.code }}"'
    reports = {"--report-sarif", "--report-html", "--report-markdown", "--report-json", "--report-junit"}
    assert reports <= set(next(words for words in _commands() if words[0] == "run"))


def test_only_the_merge_job_comments_with_the_merged_summary() -> None:
    """Both shards commenting with --edit-last would leave the last shard's summary only."""
    commenting = [
        job
        for job in ("isolation", "merge")
        for step in _steps(job)
        if "gh pr comment" in step.get("run", "")
    ]
    assert commenting == ["merge"]
    run, merge = _commands()
    summary = _option(merge, "--report-markdown")
    assert summary == "merged-summary.md"
    # The merge's summary is a file of its own (the report appends), not a shard's.
    assert summary != _option(run, "--report-markdown")
    steps = {step.get("name"): step for step in _steps("merge")}
    comment = shlex.split(steps["Comment on the pull request"]["run"])
    assert _option(comment, "--body-file") == summary
    assert steps["Job summary"]["run"] == f'cat {summary} >> "$GITHUB_STEP_SUMMARY"'
    names = list(steps)
    assert (
        names.index("Merge the shards")
        < names.index("Job summary")
        < names.index("Comment on the pull request")
    )
