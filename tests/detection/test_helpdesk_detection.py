"""The Flask (WSGI) Helpdesk API: tenants selected by a `/t/{workspace}` slug prefix, a subdomain-like
header or a query parameter; UUIDs, slugs, cookie sessions. Every planted leak must be found exactly
where it is, and the clean API must stay clean, traps included.

`test_switch_really_breaks_isolation` shows without the harness that the bugs are real, and that the
clean app refuses the same requests.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from detection_support import (
    HELPDESK_CONFIG,
    confirmed_operations,
    run_in_process,
    run_over_http,
    who_and_where,
    wsgi_server,
)
from flask.testing import FlaskClient

from examples.helpdesk_api import VULNERABILITIES, create_app
from isolation_harness import CampaignResult

ALL = sorted(VULNERABILITIES)
TRAPS = ["GET /templates", "GET /templates/{templateSlug}", "GET /me"]
MAIN_OPERATIONS = [
    "GET /inbox",
    "GET /macros",
    "POST /macros",
    "GET /t/{workspace}",
    "PATCH /t/{workspace}",
    "GET /t/{workspace}/agents/{agentId}",
    "GET /t/{workspace}/contacts/{contactId}",
    "PATCH /t/{workspace}/contacts/{contactId}",
    "DELETE /t/{workspace}/contacts/{contactId}",
    "POST /t/{workspace}/tickets",
    "POST /t/{workspace}/tickets/batch",
    "GET /t/{workspace}/tickets/{ticketId}",
    "PATCH /t/{workspace}/tickets/{ticketId}",
    "DELETE /t/{workspace}/tickets/{ticketId}",
    "GET /t/{workspace}/tickets/{ticketId}/comments",
    "GET /t/{workspace}/tickets/{ticketId}/comments/{commentId}",
    "GET /t/{workspace}/articles/{articleSlug}",
    "PUT /t/{workspace}/articles/{articleSlug}",
    "DELETE /t/{workspace}/articles/{articleSlug}",
    "GET /t/{workspace}/search",
    "GET /t/{workspace}/exports/{exportId}",
    "GET /t/{workspace}/exports/{exportId}/download",
    "GET /t/{workspace}/webhooks/{webhookId}",
]


def _expected(names: list[str]) -> set[str]:
    return {label for name in names for label in VULNERABILITIES[name]}


@functools.cache
def _campaign(names: tuple[str, ...]) -> CampaignResult:
    """One in-process campaign per set of switches, shared by the tests that judge it."""
    return run_in_process(create_app(names), HELPDESK_CONFIG)


# -- the clean API -------------------------------------------------------------------------------


def test_clean_helpdesk_is_probed_everywhere_without_probe_errors() -> None:
    result = _campaign(())
    assert result.complete
    assert result.errors == []
    assert {label for label in MAIN_OPERATIONS if result.coverage[label].probes == 0} == set()


def test_clean_helpdesk_has_no_finding_of_any_verdict() -> None:
    assert _campaign(()).findings == []


def test_clean_helpdesk_seeds_every_resource() -> None:
    assert _campaign(()).seeding == []


# -- each switch alone ---------------------------------------------------------------------------


# State shared between concurrent requests: found by storms.
RACES = {"shared-request-state"}


@pytest.mark.parametrize("name", ALL)
def test_each_switch_alone_is_found_exactly_at_its_operations(name: str) -> None:
    result = _campaign((name,))
    assert confirmed_operations(result) == _expected([name])
    assert [f for f in result.findings if f.verdict.value != "confirmed"] == []


@pytest.mark.parametrize("name", ALL)
def test_each_switch_alone_is_confirmed_at_its_operations_in_both_directions(name: str) -> None:
    result = _campaign((name,))
    assert result.complete
    assert result.errors == []
    assert [f for f in result.findings if f.verdict.value != "confirmed"] == []
    # Each tenant attacks the other. In a race, which tenant gets whose answer is the timing's choice:
    # the storms make both directions likely, but one is all a run must show.
    for label in VULNERABILITIES[name]:
        attackers = {f.attacker for f in result.findings if f.operation == label}
        if name in RACES:
            assert attackers and attackers <= {"tenant-a", "tenant-b"}, label
        else:
            assert attackers == {"tenant-a", "tenant-b"}, label


# -- all switches together -----------------------------------------------------------------------


def test_all_switches_together_are_all_found_and_nothing_else() -> None:
    result = _campaign(tuple(ALL))
    assert confirmed_operations(result) == _expected(ALL)
    assert all(f.verdict.value == "confirmed" for f in result.findings)


def test_all_switches_together_give_no_probe_error() -> None:
    result = _campaign(tuple(ALL))
    assert result.complete
    assert result.errors == []


def test_traps_stay_clean_with_every_switch_on() -> None:
    # The public templates are the same for everyone; /me has a clock; refusals echo the request path
    # (with the victim's slug, and so its canary) in the problem document's `instance`.
    result = _campaign(tuple(ALL))
    assert [f.operation for f in result.findings if f.operation in TRAPS] == []
    assert result.coverage["GET /templates/{templateSlug}"].probes > 0


# -- over HTTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("names", [(), tuple(ALL)], ids=["clean", "all"])
def test_over_http_the_same_as_in_process(names: tuple[str, ...]) -> None:
    in_process = _campaign(names)
    with wsgi_server(create_app(names)) as base_url:
        over_http = run_over_http(f"{base_url}/openapi.json", HELPDESK_CONFIG)
    assert over_http.complete
    assert over_http.errors == []
    assert who_and_where(over_http) == who_and_where(in_process)


# -- the ground truth, without the harness ---------------------------------------------------------


class _Tenant:
    """A workspace with its admin logged in, driven through Flask's test client."""

    def __init__(self, client: FlaskClient, name: str) -> None:
        self.client = client
        email, password = f"admin@{name}.example.com", "correct horse battery"
        signup = client.post(
            "/signup",
            json={
                "workspaceName": f"{name.title()} Support",
                "fullName": "Ada",
                "email": email,
                "password": password,
            },
        )
        assert signup.status_code == 201, signup.json
        self.slug: str = signup.json["workspace"]["slug"] if signup.json else ""
        assert client.post("/login", json={"email": email, "password": password}).status_code == 200
        self.contact = self.post("contacts", {"name": f"{name} customer", "email": f"c@{name}.example.com"})
        self.ticket = self.post(
            "tickets",
            {"subject": f"{name} printer", "description": "jammed", "requesterId": self.contact["id"]},
        )

    def url(self, path: str) -> str:
        return f"/t/{self.slug}/{path}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(self.url(path), json=body)
        assert response.status_code == 201, response.json
        assert isinstance(response.json, dict)
        return response.json


# What the attack shows when it works: text that only the victim's data holds.
_LEAK_MARKERS = {
    "list-unfiltered": "victim customer",
    "write-by-id": "pwned",
    "query-tenant-param": "victim printer",
    "header-tenant-spoof": "victim macro",
    "mass-assignment-create": "victim planted",
    "mass-assignment-update": "victim moved",
    "delete-then-reuse": "victim faq",
}


def _attack(name: str, *, vulnerable: bool) -> tuple[int, str]:
    """Run the attack on bug ``name``; return the status and body of the response that shows its effect."""
    app = create_app([name] if vulnerable else [])
    victim, attacker = _Tenant(app.test_client(), "victim"), _Tenant(app.test_client(), "attacker")
    client = attacker.client
    if name == "list-unfiltered":
        response = client.get(attacker.url("contacts"))
    elif name == "write-by-id":
        client.patch(attacker.url(f"tickets/{victim.ticket['id']}"), json={"subject": "pwned"})
        response = victim.client.get(victim.url(f"tickets/{victim.ticket['id']}"))
    elif name == "query-tenant-param":
        response = client.get(f"/inbox?workspace={victim.slug}")
    elif name == "header-tenant-spoof":
        macro = {"title": "victim macro", "actions": {"reply": "hi"}}
        assert (
            victim.client.post("/macros", json=macro, headers={"X-Workspace": victim.slug}).status_code == 201
        )
        response = client.get("/macros", headers={"X-Workspace": victim.slug})
    elif name == "mass-assignment-create":
        contact = {"name": "victim planted", "email": "p@x.example.com", "workspace": victim.slug}
        client.post(attacker.url("contacts"), json=contact)
        response = victim.client.get(victim.url("contacts"))
    elif name == "mass-assignment-update":
        moved = attacker.post(
            "tickets",
            {"subject": "victim moved", "description": "x", "requesterId": attacker.contact["id"]},
        )
        client.patch(attacker.url(f"tickets/{moved['id']}"), json={"workspace": victim.slug})
        response = victim.client.get(victim.url("tickets"))
    else:
        assert name == "delete-then-reuse"
        victim.post("articles", {"slug": "faq", "title": "victim faq", "body": "how to"})
        assert victim.client.delete(victim.url("articles/faq")).status_code == 204
        response = client.get(attacker.url("articles/faq"))
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(_LEAK_MARKERS))
def test_switch_really_breaks_isolation(name: str) -> None:
    # With the switch on the attack reaches the victim's data; with it off the same requests show
    # nothing of the victim's.
    status, text = _attack(name, vulnerable=True)
    assert status == 200 and _LEAK_MARKERS[name] in text
    status, text = _attack(name, vulnerable=False)
    assert _LEAK_MARKERS[name] not in text


def test_unknown_switch_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown Helpdesk vulnerability name"):
        create_app(["read-by-idd"])
