"""The CI example (examples/ci) runs command lines the harness accepts: every option it passes exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

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


def test_the_gate_step_fails_with_the_harness_exit_code() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["isolation"]["steps"]
    assert steps[-1]["run"] == 'exit "${{ steps.gate.outputs.code }}"'
    reports = {"--report-sarif", "--report-html", "--report-markdown", "--report-json", "--report-junit"}
    assert reports <= set(next(words for words in _commands() if words[0] == "run"))
