"""The Helpdesk example's `shared-request-state` bug: the signed-in agent kept in one object shared by
every thread of a threaded server, read back after a database call. Real HTTP to werkzeug's threaded
server on 127.0.0.1, with concurrent requests from two workspaces."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests
from werkzeug.serving import make_server

from examples.helpdesk_api import VULNERABILITIES, create_app

PASSWORD = "correct horse battery"


@contextmanager
def served(switches: list[str]) -> Iterator[str]:
    """A fresh Helpdesk app served by werkzeug's threaded server on 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app(switches), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class Agent:
    """The admin of a new workspace, signed in."""

    url: str
    slug: str
    name: str
    cookies: dict[str, str]

    def session(self) -> requests.Session:
        session = requests.Session()
        session.cookies.update(self.cookies)
        return session


def sign_up(url: str, name: str) -> Agent:
    email = f"admin@{name}.example.com"
    body = {
        "workspaceName": f"{name.title()} Support",
        "fullName": "Ada",
        "email": email,
        "password": PASSWORD,
    }
    created = requests.post(f"{url}/signup", json=body, timeout=10)
    assert created.status_code == 201, created.text
    login = requests.post(f"{url}/login", json={"email": email, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    return Agent(url, created.json()["workspace"]["slug"], f"{name.title()} Support", dict(login.cookies))


def read_at_once(
    agents: list[Agent], calls: int = 20, rounds: int = 3
) -> list[tuple[Agent, requests.Response]]:
    """Each caller and its answer, of `rounds` bursts of `calls` reads of the caller's own workspace sent
    at once by the agents in turn."""
    callers = [agents[index % len(agents)] for index in range(calls)]
    sessions = [caller.session() for caller in callers]
    barrier = threading.Barrier(calls)

    def call(index: int) -> tuple[Agent, requests.Response]:
        caller = callers[index]
        barrier.wait(timeout=10)
        response = sessions[index].get(f"{caller.url}/t/{caller.slug}", timeout=10)
        assert response.status_code == 200, response.text
        return caller, response

    with ThreadPoolExecutor(calls) as pool:
        answers = [answer for _ in range(rounds) for answer in pool.map(call, range(calls))]
    for session in sessions:
        session.close()
    return answers


def test_the_switch_names_the_workspace_read() -> None:
    assert VULNERABILITIES["shared-request-state"] == ["GET /t/{workspace}"]
    document = create_app().test_client().get("/openapi.json").get_json()
    assert "get" in document["paths"]["/t/{workspace}"]


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_concurrent_reads_show_another_workspace_only_with_the_switch_on(on: bool) -> None:
    with served(["shared-request-state"] if on else []) as url:
        alpha, bravo = sign_up(url, "alpha"), sign_up(url, "bravo")
        answers = read_at_once([alpha, bravo])
    assert len(answers) == 60
    assert {response.json()["slug"] for _, response in answers} <= {alpha.slug, bravo.slug}
    wrong = [
        (caller, response.json()) for caller, response in answers if response.json()["slug"] != caller.slug
    ]
    if on:
        assert wrong
        # The whole settings of the other workspace, under the caller's own path.
        caller, shown = wrong[0]
        other = bravo if caller is alpha else alpha
        assert (shown["slug"], shown["name"]) == (other.slug, other.name)
    else:
        assert wrong == []


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_one_request_at_a_time_each_agent_reads_its_own_workspace(on: bool) -> None:
    with served(["shared-request-state"] if on else []) as url:
        alpha, bravo = sign_up(url, "alpha"), sign_up(url, "bravo")
        for agent, other in ((alpha, bravo), (bravo, alpha)):
            with agent.session() as session:
                own = session.get(f"{url}/t/{agent.slug}", timeout=10)
                assert own.status_code == 200
                assert (own.json()["slug"], own.json()["name"]) == (agent.slug, agent.name)
                # The membership check still runs before anything is loaded.
                foreign = session.get(f"{url}/t/{other.slug}", timeout=10)
                assert foreign.status_code == 404
                assert other.name not in foreign.text
                assert session.get(f"{url}/me", timeout=10).json()["workspace"]["slug"] == agent.slug
