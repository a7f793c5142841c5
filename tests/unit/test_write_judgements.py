"""Writes judged by what they did (issue 8, C10-C12), over the fake transport.

The attacker's data in the victim's own reads is a confirmed write; an accepted create that shows
nowhere is suspected, unless its answer shows it was made without the victim's reference; an update
is replayed with a body that worked for the owner's own update; a write that acted on the caller's
own data, or was refused and changed nothing, is no finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine_support import Engine, caller_of, engine, many, one, operation, path_slot

from isolation_harness.engine.probing import run_probe
from isolation_harness.model import FindingKind, Verdict
from isolation_harness.operations import Operation
from isolation_harness.oracles import builtin_oracles
from isolation_harness.probes import ForeignIdentifierProbes

A, B = "tenant-a", "tenant-b"
SLOT = [path_slot("project_id", "Project")]
PROJECT_FIELDS = ("id", "name", "color", "owner")
NAME_BODY = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
LIST_PROJECTS = operation("GET", "/projects", outputs=[many("Project", *PROJECT_FIELDS)])
READ_PROJECT = operation(
    "GET", "/projects/{project_id}", slots=SLOT, outputs=[one("Project", "200", *PROJECT_FIELDS)]
)
PUT_PROJECT = operation("PUT", "/projects/{project_id}", slots=SLOT, body=NAME_BODY)
LIST_NOTES = operation(
    "GET", "/projects/{project_id}/notes", slots=SLOT, outputs=[many("Note", "id", "text")]
)
ADD_NOTE = operation(
    "POST",
    "/projects/{project_id}/notes",
    slots=SLOT,
    body={"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    outputs=[one("Note", "201", "id", "text")],
    creates="Note",
)
SETTINGS = operation("GET", "/projects/{project_id}/settings", slots=SLOT)
SAVE_SETTINGS = operation(
    "PUT",
    "/projects/{project_id}/settings",
    slots=SLOT,
    body={"type": "object", "properties": {"label": {"type": "string"}}},
)


@dataclass
class ProjectsApi:
    """Projects with notes; every switch off is an isolated API.

    ``notes_anywhere``: a note can be added to any project. ``hidden_notes``: the project's notes
    list shows only its owner's notes (a note added by another shows nowhere). ``note_answer``:
    what an accepted note is answered with (``"note"``, ``"no-project"`` or ``"status"``).
    ``replace_anywhere``: PUT replaces any project. ``replace_own``: PUT replaces the caller's own
    project, whatever the path names, and answers with a status. ``needs_color``: PUT fails with a 500 without a
    ``color``. ``refuse_after_write``: PUT writes, then answers 403. Settings belong to the caller,
    whatever project the path names.
    """

    notes_anywhere: bool = False
    hidden_notes: bool = False
    note_answer: str = "note"
    replace_anywhere: bool = False
    needs_color: bool = False
    refuse_after_write: bool = False
    replace_own: bool = False
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, owner: str, identifier: str, name: str) -> dict[str, Any]:
        self.projects[identifier] = {"id": identifier, "name": name, "color": "grey", "owner": owner}
        return self.projects[identifier]

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        caller = str(caller_of(headers))
        parts = path.strip("/").split("/")
        if parts == ["projects"]:
            return 200, [p for p in self.projects.values() if p["owner"] == caller]
        project = self.projects.get(parts[1])
        mine = project is not None and project["owner"] == caller
        if len(parts) == 3 and parts[2] == "settings":
            if method == "PUT":
                self.settings.setdefault(caller, {}).update(body)
                return 204, None
            return (200, self.settings.get(caller, {"label": ""})) if mine else (404, {"detail": "no"})
        if len(parts) == 3:
            return self.notes_route(method, parts[1], caller, mine, body)
        if method == "PUT" and self.replace_own:
            own = next(p for p in self.projects.values() if p["owner"] == caller)
            own.update({key: body[key] for key in ("name", "color") if key in body})
            return 200, {"status": "saved"}
        if method == "PUT":
            if project is None or not (mine or self.replace_anywhere):
                return 404, {"detail": "not found"}
            if self.needs_color and "color" not in body:
                return 500, {"detail": "KeyError: 'color'"}
            project.update({key: body[key] for key in ("name", "color") if key in body})
            return (403, {"detail": "forbidden"}) if self.refuse_after_write else (200, dict(project))
        return (200, dict(project)) if mine and project else (404, {"detail": "not found"})

    def notes_route(
        self, method: str, project_id: str, caller: str, mine: bool, body: Any
    ) -> tuple[int, Any]:
        if method == "GET":
            owner = self.projects[project_id]["owner"] if mine else None
            if not mine:
                return 404, {"detail": "not found"}
            shown = [n for n in self.notes if n["project_id"] == project_id]
            return 200, [n for n in shown if not self.hidden_notes or n["author"] == owner]
        if not (mine or (self.notes_anywhere and project_id in self.projects)):
            return 404, {"detail": "not found"}
        note = {
            "id": f"n-{len(self.notes) + 1}",
            "project_id": project_id,
            "text": body["text"],
            "author": caller,
        }
        self.notes.append(note)
        if self.note_answer == "status":
            return 201, {"status": "success"}
        if self.note_answer == "no-project":
            return 201, {k: note[k] for k in ("id", "text")}
        return 201, dict(note)


def projects_setup(api: ProjectsApi, *operations: Operation) -> Engine:
    """Each tenant with one project, in the API and in its knowledge (its create body is its recipe)."""
    setup = engine(operations, api)
    tenant_a, tenant_b = setup.tenants
    setup.own(tenant_a, "Project", dict(api.add(A, "p-a", "Mine")))
    setup.own(tenant_b, "Project", dict(api.add(B, "p-b", "Theirs")))
    return setup


def probe_a_against_b(setup: Engine, write: Operation) -> list[tuple[str, str, str, str]]:
    """Plan and run tenant-a's probe on tenant-b's project; the findings as (verdict, kind, oracle, evidence)."""
    probe = next(p for p in ForeignIdentifierProbes().plan(write, setup.ctx) if p.attacker.name == A)
    run_probe(probe, setup.ctx, builtin_oracles())
    return [(f.verdict.value, f.kind.value, f.oracle, f.evidence) for f in setup.ctx.result.findings]


NOTES_OPS = (LIST_PROJECTS, READ_PROJECT, LIST_NOTES, ADD_NOTE)


# -- C10: the attacker's data in the victim's space -----------------------------------------------------


def test_a_note_added_under_the_victims_project_is_a_confirmed_write_naming_where_it_appeared() -> None:
    api = ProjectsApi(notes_anywhere=True)
    setup = projects_setup(api, *NOTES_OPS)
    canary = setup.tenants[0].tenant.canary

    findings = probe_a_against_b(setup, ADD_NOTE)

    [note] = api.notes
    assert canary in note["text"] and note["project_id"] == "p-b"
    assert findings == [
        (
            "confirmed",
            "cross-tenant-write",
            "attacker-data",
            "after tenant-a's request (HTTP 201), tenant-b's own reads show tenant-a's data: "
            f"GET /projects/p-b/notes holds tenant-a's canary at /[id=n-1]/text ({note['text']!r})",
        )
    ]
    assert setup.ctx.result.errors == []


def test_a_note_refused_under_the_victims_project_is_no_finding() -> None:
    api = ProjectsApi()
    setup = projects_setup(api, *NOTES_OPS)

    assert probe_a_against_b(setup, ADD_NOTE) == []
    assert api.notes == []


def test_an_accepted_note_that_shows_nowhere_is_suspected_saying_what_could_not_be_told_apart() -> None:
    setup = projects_setup(ProjectsApi(notes_anywhere=True, hidden_notes=True), *NOTES_OPS)

    assert probe_a_against_b(setup, ADD_NOTE) == [
        (
            "suspected",
            "cross-tenant-write-accepted",
            "status-only",
            "POST with tenant-b's identifier was accepted (HTTP 201) but nothing new showed in tenant-b's "
            "reads; the new object holds tenant-b's identifier in project_id: could not tell a Note attached "
            "to tenant-b's Project that its reads do not show from a Note made without it",
        )
    ]


def test_an_accepted_note_answered_without_the_object_is_suspected() -> None:
    setup = projects_setup(
        ProjectsApi(notes_anywhere=True, hidden_notes=True, note_answer="status"), *NOTES_OPS
    )

    [(verdict, _, _, text)] = probe_a_against_b(setup, ADD_NOTE)

    assert verdict == "suspected"
    assert "; the answer is not the new object: could not tell a Note attached to tenant-b's Project" in text


def test_an_accepted_note_answered_as_the_callers_own_object_without_the_victims_reference_is_no_finding() -> (
    None
):
    setup = projects_setup(
        ProjectsApi(notes_anywhere=True, hidden_notes=True, note_answer="no-project"), *NOTES_OPS
    )

    assert probe_a_against_b(setup, ADD_NOTE) == []


def test_the_attackers_data_in_a_read_that_showed_it_before_proves_nothing() -> None:
    api = ProjectsApi(notes_anywhere=True)
    setup = projects_setup(api, *NOTES_OPS)
    tenant_a = setup.tenants[0]
    # A note of tenant-a's already shows in tenant-b's project (shared there on purpose, say).
    api.notes.append(
        {"id": "n-0", "project_id": "p-b", "text": f"hello {tenant_a.tenant.canary}", "author": A}
    )

    findings = probe_a_against_b(setup, ADD_NOTE)

    # The new note is still a change the victim sees; only the attacker-data oracle stays silent.
    assert [(verdict, oracle) for verdict, _, oracle, _ in findings] == [("confirmed", "write-effect")]


# -- C11: the owner-working body ------------------------------------------------------------------------

PUT_OPS = (LIST_PROJECTS, READ_PROJECT, PUT_PROJECT)


def test_an_update_the_schema_under_describes_is_replayed_with_the_owners_working_body() -> None:
    api = ProjectsApi(replace_anywhere=True, needs_color=True)
    setup = projects_setup(api, *PUT_OPS)

    findings = probe_a_against_b(setup, PUT_PROJECT)

    puts = [(s.caller, s.path, sorted(s.body)) for s in setup.sent if s.method == "PUT"]
    assert puts == [
        # tenant-a's own project: the generated body fails, its representation with generated values works.
        (A, "/projects/p-a", ["name"]),
        (A, "/projects/p-a", ["color", "name", "owner"]),
        # Its project put back as it was.
        (A, "/projects/p-a", ["color", "name", "owner"]),
        # The probe, built the same way from tenant-a's own project.
        (A, "/projects/p-b", ["color", "name", "owner"]),
    ]
    assert [(verdict, oracle) for verdict, _, oracle, _ in findings] == [("confirmed", "attacker-data")]
    assert api.projects["p-b"]["name"] != "Theirs"
    assert setup.ctx.update_bodies.chosen == {
        "PUT /projects/{project_id}": "its current representation with generated values"
    }
    # The owner's failed trial is the harness feeling its way: no error, no coverage note.
    assert setup.ctx.result.errors == []
    assert setup.ctx.coverage(PUT_PROJECT).skipped == []


def test_an_update_whose_generated_body_works_is_sent_as_before() -> None:
    api = ProjectsApi()
    setup = projects_setup(api, *PUT_OPS)

    assert probe_a_against_b(setup, PUT_PROJECT) == []
    puts = [(s.caller, s.path, sorted(s.body)) for s in setup.sent if s.method == "PUT"]
    assert puts == [
        (A, "/projects/p-a", ["name"]),
        (A, "/projects/p-a", ["color", "name", "owner"]),
        (A, "/projects/p-b", ["name"]),
    ]
    assert setup.ctx.update_bodies.chosen == {"PUT /projects/{project_id}": "a generated body"}
    assert api.projects["p-a"]["name"] == "Mine"


def test_an_update_the_owner_itself_cannot_make_is_reported_in_the_coverage_with_the_answers() -> None:
    class AlwaysFails(ProjectsApi):
        def __call__(self, method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
            if method == "PUT":
                return 409, {"detail": "project is locked"}
            return super().__call__(method, path, query, headers, body)

    setup = projects_setup(AlwaysFails(), *PUT_OPS)

    assert probe_a_against_b(setup, PUT_PROJECT) == []
    answer = 'HTTP 409 \'{"detail": "project is locked"}\''
    assert setup.ctx.coverage(PUT_PROJECT).skipped == [
        f"tenant-a's own PUT of its own Project failed with every body tried (a generated body: {answer}; "
        f"its current representation with generated values: {answer}; its current representation: {answer}; "
        f"its create body with generated values: {answer}; its create body: {answer}): "
        "its probes send a generated body"
    ]
    assert setup.ctx.update_bodies.chosen == {"PUT /projects/{project_id}": None}


# -- C12: refused writes, writes that acted on the caller -----------------------------------------------


def test_a_write_that_ignored_the_path_and_changed_the_callers_own_data_is_no_finding() -> None:
    api = ProjectsApi()
    setup = projects_setup(api, LIST_PROJECTS, READ_PROJECT, SETTINGS, SAVE_SETTINGS)

    assert probe_a_against_b(setup, SAVE_SETTINGS) == []
    assert list(api.settings) == [A]


def test_an_object_update_that_ignored_the_path_and_rewrote_the_callers_own_object_is_no_finding() -> None:
    # Every body is the same ("red"): the owner's trial is undone, or the probe would change nothing.
    put_color = operation(
        "PUT",
        "/projects/{project_id}",
        slots=SLOT,
        body={"type": "object", "required": ["color"], "properties": {"color": {"enum": ["red", "blue"]}}},
    )
    api = ProjectsApi(replace_own=True)
    setup = projects_setup(api, LIST_PROJECTS, READ_PROJECT, put_color)

    assert probe_a_against_b(setup, put_color) == []
    assert [(s.path, s.body) for s in setup.sent if s.method == "PUT"] == [
        ("/projects/p-a", {"color": "red"}),
        ("/projects/p-a", {"name": "Mine", "color": "grey", "owner": A}),
        ("/projects/p-b", {"color": "red"}),
    ]
    assert (api.projects["p-a"]["color"], api.projects["p-b"]["color"]) == ("red", "grey")


def test_a_refused_write_that_changed_the_victims_data_anyway_is_confirmed() -> None:
    setup = projects_setup(ProjectsApi(replace_anywhere=True, refuse_after_write=True), *PUT_OPS)

    findings = probe_a_against_b(setup, PUT_PROJECT)

    assert [(verdict, kind, oracle) for verdict, kind, oracle, _ in findings] == [
        ("confirmed", "cross-tenant-write", "attacker-data")
    ]
    assert findings[0][3].startswith("after tenant-a's request (HTTP 403), tenant-b's own reads show")


def test_a_refused_write_that_changed_nothing_is_no_finding() -> None:
    api = ProjectsApi()
    setup = projects_setup(api, *PUT_OPS)

    assert probe_a_against_b(setup, PUT_PROJECT) == []
    assert api.projects["p-b"]["name"] == "Theirs"
    assert FindingKind.WRITE_ACCEPTED.value not in {f.kind.value for f in setup.ctx.result.findings}
    assert Verdict.SUSPECTED not in {f.verdict for f in setup.ctx.result.findings}
