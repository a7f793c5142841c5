"""Unit tests for the oracles: each heuristic on a case it must catch and a case it must leave alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from isolation_harness.knowledge import without_shared
from isolation_harness.model import HttpResponse, is_distinctive, view_pairs
from isolation_harness.oracles.canary import Sighting, find_canaries
from isolation_harness.oracles.owner_view import ViewMatch, match_owner_views
from isolation_harness.snapshots import Change, Snapshot, compare_snapshots, keyed, volatile_between

ATTACKER_CANARY = "ihattackerxy"
VICTIM_CANARY = "ihvictimqrst"
VICTIM_EMAIL = f"{VICTIM_CANARY}@castillo.example.com"
OTHER_CANARY = "ihbystanderz"
VICTIM_MARKERS = {"tenant-b": [VICTIM_CANARY, VICTIM_EMAIL]}


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"Content-Type": "application/json", **(headers or {})}, text=json.dumps(body)
    )


# -- find_canaries: must catch -----------------------------------------------------------------------


def test_find_canaries_finds_victim_canary_deep_in_json_body() -> None:
    response = json_response({"orders": [{"note": "mine"}, {"note": f"Hair {VICTIM_CANARY} 3"}]})

    sightings = find_canaries(response, VICTIM_MARKERS)

    assert sightings == [
        Sighting("tenant-b", VICTIM_CANARY, "body /orders/1/note", f"Hair {VICTIM_CANARY} 3")
    ]
    assert sightings[0].describe() == f"body /orders/1/note: Hair {VICTIM_CANARY} 3"


def test_find_canaries_finds_victim_canary_in_a_header() -> None:
    response = HttpResponse(
        status=302, headers={"Location": f"/orders?owner={VICTIM_CANARY}", "Content-Length": "0"}, text=""
    )

    sightings = find_canaries(response, VICTIM_MARKERS)

    assert [(s.owner, s.where, s.context) for s in sightings] == [
        ("tenant-b", "header Location", f"/orders?owner={VICTIM_CANARY}")
    ]


def test_find_canaries_finds_victim_canary_in_non_json_error_text() -> None:
    response = HttpResponse(
        status=404,
        headers={"Content-Type": "text/html"},
        text=f"<p>Order 42 belongs to {VICTIM_CANARY}\nand is not yours</p>",
    )

    sightings = find_canaries(response, VICTIM_MARKERS)

    assert len(sightings) == 1
    assert sightings[0].where == "body"
    # Newlines are flattened so the context prints on one line.
    assert sightings[0].context == f"<p>Order 42 belongs to {VICTIM_CANARY} and is not yours</p>"


def test_find_canaries_finds_the_victim_identity_email_case_insensitively() -> None:
    response = json_response({"contact": VICTIM_EMAIL.upper().replace(VICTIM_CANARY.upper(), "someone")})
    assert find_canaries(response, VICTIM_MARKERS) == []

    response = json_response({"contact": VICTIM_CANARY.upper()})
    sightings = find_canaries(response, VICTIM_MARKERS)
    assert [(s.marker, s.where) for s in sightings] == [(VICTIM_CANARY, "body /contact")]


def test_find_canaries_finds_canary_in_a_json_string_body() -> None:
    response = json_response(f"no access to {VICTIM_CANARY}'s order", status=403)

    sightings = find_canaries(response, VICTIM_MARKERS)

    assert [s.where for s in sightings] == ["body /"]


def test_find_canaries_reports_each_owner_once_per_place() -> None:
    response = json_response(
        {"a": f"{VICTIM_CANARY} {VICTIM_EMAIL}", "b": f"{OTHER_CANARY}"},
        headers={"X-Owner": VICTIM_CANARY},
    )
    markers = {**VICTIM_MARKERS, "tenant-c": [OTHER_CANARY]}

    sightings = find_canaries(response, markers)

    assert sorted((s.owner, s.where) for s in sightings) == [
        ("tenant-b", "body /a"),
        ("tenant-b", "header X-Owner"),
        ("tenant-c", "body /b"),
    ]


def test_find_canaries_trims_context_around_the_match() -> None:
    text = "a" * 200 + VICTIM_CANARY + "b" * 200
    response = HttpResponse(status=500, headers={}, text=text)

    (sighting,) = find_canaries(response, VICTIM_MARKERS)

    assert sighting.context.startswith("…")
    assert sighting.context.endswith("…")
    assert VICTIM_CANARY in sighting.context
    assert len(sighting.context) == 80 + 2


def test_find_canaries_still_finds_victim_data_next_to_an_echo() -> None:
    victim_order_id = "ord-7f3a9c"
    response = json_response({"error": f"order {victim_order_id} is owned by {VICTIM_CANARY}"}, status=403)

    sightings = find_canaries(response, VICTIM_MARKERS, ignore=[victim_order_id])

    assert [s.marker for s in sightings] == [VICTIM_CANARY]


def test_find_canaries_does_not_treat_short_ignored_values_as_echoes() -> None:
    # "ihv" is shorter than four characters: blanking it would hide every canary starting with it.
    response = json_response({"note": VICTIM_CANARY})

    assert len(find_canaries(response, VICTIM_MARKERS, ignore=["ihv", ""])) == 1


def test_find_canaries_finds_victim_canary_in_a_json_object_key() -> None:
    # A map keyed by username or email (`{"members": {"<username>": {...}}}`) leaks the victim's identity.
    response = json_response({"members": {VICTIM_CANARY: {"role": "admin"}}})

    assert [s.owner for s in find_canaries(response, VICTIM_MARKERS)] == ["tenant-b"]


# -- find_canaries: must leave alone ----------------------------------------------------------------


def test_find_canaries_ignores_the_callers_own_canary() -> None:
    response = json_response(
        {"note": f"Hair {ATTACKER_CANARY} 3", "email": f"{ATTACKER_CANARY}@x.example.com"},
        headers={"X-Owner": ATTACKER_CANARY},
    )

    assert find_canaries(response, VICTIM_MARKERS) == []


def test_find_canaries_ignores_an_echo_of_what_the_caller_sent() -> None:
    response = HttpResponse(status=404, headers={}, text=f"No account {VICTIM_EMAIL.upper()} found")

    assert len(find_canaries(response, VICTIM_MARKERS)) == 1
    assert find_canaries(response, VICTIM_MARKERS, ignore=[VICTIM_EMAIL]) == []


def test_find_canaries_ignores_an_echo_in_json_and_headers() -> None:
    slug = f"hair-{VICTIM_CANARY}-3"
    response = json_response({"detail": f"note {slug} not found"}, status=404, headers={"X-Requested": slug})

    assert find_canaries(response, VICTIM_MARKERS, ignore=[slug]) == []


def test_find_canaries_on_empty_response_finds_nothing() -> None:
    assert find_canaries(HttpResponse(status=204, headers={}, text=""), VICTIM_MARKERS) == []


# -- match_owner_views ------------------------------------------------------------------------------

VICTIM_ORDER = {
    "id": "ord_91ab",
    "recipient": "Keith Castillo",
    "street": "66171 Bianca Village Apt. 724",
    "weight_grams": 2500,
    "insured": True,
    "status": "new",
}


def test_match_owner_views_matches_victim_object_on_two_distinctive_fields() -> None:
    body = {"items": [{"id": "ord_mine", "recipient": "Me"}, dict(VICTIM_ORDER)]}

    matches = match_owner_views(
        body, {"tenant-b": [VICTIM_ORDER]}, known_to_caller={"ord_91ab"}, volatile_keys=set()
    )

    assert matches == [
        ViewMatch(
            "tenant-b",
            "body /items/1",
            (
                ("recipient", "Keith Castillo"),
                ("street", "66171 Bianca Village Apt. 724"),
                ("weight_grams", 2500),
            ),
        )
    ]
    assert matches[0].describe() == (
        "body /items/1 matches tenant-b's own view on 3 fields: recipient='Keith Castillo', "
        "street='66171 Bianca Village A…, weight_grams=2500"
    )


def test_match_owner_views_with_an_index_compares_only_views_sharing_a_value() -> None:
    other = {"recipient": "Ann Other", "street": "1 Elsewhere Road", "weight_grams": 9000}
    owned = [other, dict(VICTIM_ORDER)]
    index: dict[tuple[str, str], list[int]] = {}
    for position, view in enumerate(owned):
        for pair in view_pairs(view):
            index.setdefault(pair, []).append(position)
    body = {"items": [{"id": "ord_mine", "recipient": "Me"}, dict(VICTIM_ORDER)]}
    plain = match_owner_views(body, {"tenant-b": owned}, known_to_caller={"ord_91ab"}, volatile_keys=set())
    indexed = match_owner_views(
        body,
        {"tenant-b": owned},
        known_to_caller={"ord_91ab"},
        volatile_keys=set(),
        index={"tenant-b": index},
    )
    assert indexed == plain and len(indexed) == 1
    # Nothing in the body shares a value with the victim's views: nothing to compare, nothing found.
    assert (
        match_owner_views(
            {"id": "ord_mine", "recipient": "Me"},
            {"tenant-b": owned},
            known_to_caller=set(),
            volatile_keys=set(),
            index={"tenant-b": index},
        )
        == []
    )


def test_match_owner_views_matches_a_top_level_object() -> None:
    matches = match_owner_views(
        {"recipient": "Keith Castillo", "street": "66171 Bianca Village Apt. 724"},
        {"tenant-b": [VICTIM_ORDER]},
        known_to_caller=set(),
        volatile_keys=set(),
    )

    assert [(m.owner, m.where) for m in matches] == [("tenant-b", "body /")]


def test_match_owner_views_needs_two_fields() -> None:
    body = {"recipient": "Keith Castillo", "street": "somewhere else"}

    assert (
        match_owner_views(body, {"tenant-b": [VICTIM_ORDER]}, known_to_caller=set(), volatile_keys=set())
        == []
    )


def test_match_owner_views_ignores_data_every_tenant_shares() -> None:
    # A public catalogue: the caller has seen these values in its own data too.
    service = {"code": "EXPRESS", "title": "Express delivery", "price_cents": 1500}
    body = [dict(service)]

    assert (
        match_owner_views(
            body,
            {"tenant-b": [service]},
            known_to_caller={"EXPRESS", "Express delivery", "1500"},
            volatile_keys=set(),
        )
        == []
    )
    # The same body is a match when the caller never saw those values.
    assert (
        len(match_owner_views(body, {"tenant-b": [service]}, known_to_caller=set(), volatile_keys=set())) == 1
    )


def test_match_owner_views_ignores_volatile_keys() -> None:
    view = {"created_at": "2026-01-02T03:04:05Z", "request_id": "req-8f8f8f", "name": "Keith Castillo"}
    body = dict(view)

    assert (
        match_owner_views(
            body, {"tenant-b": [view]}, known_to_caller=set(), volatile_keys={"created_at", "request_id"}
        )
        == []
    )


def test_match_owner_views_ignores_short_boolean_and_small_values() -> None:
    view = {"flag": True, "other": False, "n": 3, "code": "ab", "empty": None, "blank": "    ", "m": 999}
    body = dict(view)

    assert match_owner_views(body, {"tenant-b": [view]}, known_to_caller=set(), volatile_keys=set()) == []


def test_match_owner_views_ignores_nested_values_in_the_view() -> None:
    view = {
        "tags": ["alpha", "beta"],
        "address": {"street": "66171 Bianca Village"},
        "name": "Keith Castillo",
    }

    assert (
        match_owner_views(dict(view), {"tenant-b": [view]}, known_to_caller=set(), volatile_keys=set()) == []
    )


def test_match_owner_views_reports_one_match_per_victim() -> None:
    body = [dict(VICTIM_ORDER), dict(VICTIM_ORDER)]

    matches = match_owner_views(
        body, {"tenant-b": [VICTIM_ORDER]}, known_to_caller=set(), volatile_keys=set()
    )

    assert [m.where for m in matches] == ["body /0"]


@pytest.mark.parametrize(
    "value",
    ["abcd", "Keith", 1000, -2000, 12.5, 1_000_000],
)
def test_is_distinctive_accepts_specific_values(value: Any) -> None:
    assert is_distinctive(value)


@pytest.mark.parametrize(
    "value",
    [None, True, False, "", "abc", "  ab  ", 0, 1, 999, -999, ["abcd"], {"a": "abcd"}],
)
def test_is_distinctive_rejects_common_values(value: Any) -> None:
    assert not is_distinctive(value)


def test_is_distinctive_rejects_small_whole_floats() -> None:
    assert not is_distinctive(0.0)
    assert not is_distinctive(1.0)
    view = {"discount": 0.0, "tax_rate": 1.0}
    assert (
        match_owner_views(dict(view), {"tenant-b": [view]}, known_to_caller=set(), volatile_keys=set()) == []
    )


# -- compare_snapshots ------------------------------------------------------------------------------


def test_compare_snapshots_reports_200_to_404_as_gone() -> None:
    before = [Snapshot("GET /orders/1", 200, {"id": 1, "note": "x"})]
    after = [Snapshot("GET /orders/1", 404, {"detail": "not found"})]

    assert compare_snapshots(before, after, volatile_paths={}) == [
        Change("GET /orders/1", "GET /orders/1 answered 200 before, 404 after", True)
    ]


def test_compare_snapshots_reports_410_as_gone_and_other_status_changes_as_not_gone() -> None:
    before = [Snapshot("A", 200, {}), Snapshot("B", 200, {})]
    after = [Snapshot("A", 403, {}), Snapshot("B", 410, None)]

    changes = compare_snapshots(before, after, volatile_paths={})

    # Gone first.
    assert changes == [
        Change("B", "B answered 200 before, 410 after", True),
        Change("A", "A answered 200 before, 403 after", False),
    ]


def test_compare_snapshots_reports_a_changed_field() -> None:
    before = [Snapshot("GET /orders/1", 200, {"id": 1, "status": "open", "note": "keep"})]
    after = [Snapshot("GET /orders/1", 200, {"id": 1, "status": "cancelled", "note": "keep"})]

    assert compare_snapshots(before, after, volatile_paths={}) == [
        Change("GET /orders/1", "GET /orders/1: /status changed from 'open' to 'cancelled'", False)
    ]


def test_compare_snapshots_names_a_real_change_before_a_timestamp() -> None:
    before = [Snapshot("L", 200, {"updated_at": "2026-01-02T03:04:05Z", "name": "a"})]
    after = [Snapshot("L", 200, {"updated_at": "2026-01-03T03:04:05Z", "name": "b"})]

    (change,) = compare_snapshots(before, after, volatile_paths={})

    assert change.description == "L: /name changed from 'a' to 'b' (and 1 more)"


def test_compare_snapshots_reports_an_object_gone_from_a_list_keyed_by_id() -> None:
    before = [Snapshot("GET /orders", 200, [{"id": "a1", "n": 1}, {"id": "b2", "n": 2}])]
    after = [Snapshot("GET /orders", 200, [{"id": "a1", "n": 1}])]

    assert compare_snapshots(before, after, volatile_paths={}) == [
        Change("GET /orders", "GET /orders: the object id=b2 is gone from the list", False)
    ]


def test_compare_snapshots_reports_an_object_appearing_in_a_list_keyed_by_id() -> None:
    before = [Snapshot("GET /orders", 200, [{"id": "a1", "n": 1}])]
    after = [Snapshot("GET /orders", 200, [{"id": "a1", "n": 1}, {"id": "c3", "n": 3}])]

    assert compare_snapshots(before, after, volatile_paths={}) == [
        Change("GET /orders", "GET /orders: a new object id=c3 appeared in the list", False)
    ]


def test_compare_snapshots_ignores_a_reordered_list_keyed_by_id() -> None:
    before = [Snapshot("GET /orders", 200, [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}])]
    after = [Snapshot("GET /orders", 200, [{"id": 2, "n": "b"}, {"id": 1, "n": "a"}])]

    assert compare_snapshots(before, after, volatile_paths={}) == []


def test_compare_snapshots_names_a_changed_object_in_a_keyed_list() -> None:
    before = [Snapshot("L", 200, [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}])]
    after = [Snapshot("L", 200, [{"id": 1, "n": "a"}, {"id": 2, "n": "z"}])]

    (change,) = compare_snapshots(before, after, volatile_paths={})

    assert change.description == "L: /[id=2]/n changed from 'b' to 'z'"


def test_compare_snapshots_reports_fields_appearing_and_disappearing() -> None:
    before = [Snapshot("A", 200, {"x": 1}), Snapshot("B", 200, {"x": 1, "y": 2, "z": 3})]
    after = [Snapshot("A", 200, {"x": 1, "y": "new"}), Snapshot("B", 200, {"x": 1})]

    assert [c.description for c in compare_snapshots(before, after, volatile_paths={})] == [
        "A: /y appeared ('new')",
        "B: /y disappeared (was 2) and 1 more values",
    ]


def test_compare_snapshots_ignores_volatile_paths() -> None:
    before = [Snapshot("GET /me", 200, {"name": "a", "updated_at": "2026-01-02T03:04:05Z"})]
    after = [Snapshot("GET /me", 200, {"name": "a", "updated_at": "2026-01-02T03:04:09Z"})]

    assert compare_snapshots(before, after, volatile_paths={"GET /me": {("updated_at",)}}) == []
    # Volatile paths are per label: another label's volatile paths do not apply.
    assert len(compare_snapshots(before, after, volatile_paths={"GET /other": {("updated_at",)}})) == 1


def test_compare_snapshots_ignores_volatile_keys_inside_a_reordered_list() -> None:
    # Volatile paths are recorded on raw bodies (`/0/seen_at`) but apply to every object of the list.
    before = [Snapshot("L", 200, [{"id": 1, "seen_at": "t1"}, {"id": 2, "seen_at": "t1"}])]
    after = [Snapshot("L", 200, [{"id": 2, "seen_at": "t2"}, {"id": 1, "seen_at": "t3"}])]

    assert compare_snapshots(before, after, volatile_paths={"L": {(0, "seen_at")}}) == []


def test_compare_snapshots_on_identical_reads_reports_nothing() -> None:
    snapshots = [Snapshot("A", 200, {"a": [1, 2]}), Snapshot("B", 404, None), Snapshot("C", 200, None)]

    assert compare_snapshots(snapshots, list(snapshots), volatile_paths={}) == []


def test_compare_snapshots_requires_matching_reads() -> None:
    with pytest.raises(ValueError):
        compare_snapshots([Snapshot("A", 200, {})], [], volatile_paths={})


def test_compare_snapshots_volatile_list_index_does_not_hide_other_lists() -> None:
    before = [Snapshot("L", 200, {"recent_requests": ["r1"], "tags": ["urgent"]})]
    after = [Snapshot("L", 200, {"recent_requests": ["r2"], "tags": ["tampered"]})]

    changes = compare_snapshots(before, after, volatile_paths={"L": {("recent_requests", 0)}})

    assert [c.description for c in changes] == ["L: /tags/0 changed from 'urgent' to 'tampered'"]


def test_compare_snapshots_reports_an_object_gone_from_a_nested_list() -> None:
    before = [Snapshot("GET /orders", 200, {"items": [{"id": "a1"}, {"id": "b2"}]})]
    after = [Snapshot("GET /orders", 200, {"items": [{"id": "a1"}]})]

    (change,) = compare_snapshots(before, after, volatile_paths={})

    assert change.description == "GET /orders: the object id=b2 is gone from /items"


# -- volatile_between and keyed ---------------------------------------------------------------------


def test_volatile_between_finds_paths_that_differ() -> None:
    first = {"id": 1, "name": "a", "meta": {"request_id": "r1", "at": "t1"}, "items": [{"v": 1}]}
    second = {"id": 1, "name": "a", "meta": {"request_id": "r2", "at": "t1"}, "items": [{"v": 1}, {"v": 2}]}

    assert volatile_between(first, second) == {("meta", "request_id"), ("items", 1, "v")}


def test_volatile_between_identical_reads_is_empty() -> None:
    body = {"id": 1, "items": [{"v": 1}], "none": None}

    assert volatile_between(body, json.loads(json.dumps(body))) == set()
    assert volatile_between(None, None) == set()


def test_keyed_keys_lists_of_objects_by_id_only_when_ids_are_unique() -> None:
    assert keyed([{"id": 1}, {"id": "b"}]) == {"[id=1]": {"id": 1}, "[id=b]": {"id": "b"}}
    assert keyed([{"id": 1}, {"id": 1}]) == [{"id": 1}, {"id": 1}]
    assert keyed([{"id": 1}, {"name": "x"}]) == [{"id": 1}, {"name": "x"}]
    assert keyed({"a": [{"id": 1}], "b": [1, 2]}) == {"a": {"[id=1]": {"id": 1}}, "b": [1, 2]}


# -- without_shared: objects shared on purpose are left out, everything else stays -----------------------


def test_without_shared_blanks_the_shared_object_and_what_belongs_to_it() -> None:
    body = [
        {"id": "ord_shared", "recipient": f"Ann {VICTIM_CANARY}"},
        {"id": "prc_1", "order_id": "ord_shared", "contents": f"Tea {VICTIM_CANARY}"},
    ]
    assert without_shared(body, {"ord_shared"}) == [None, None]
    assert find_canaries(json_response(without_shared(body, {"ord_shared"})), VICTIM_MARKERS) == []


def test_without_shared_keeps_every_other_object_in_its_place() -> None:
    body = {
        "items": [{"id": "ord_shared", "name": "x"}, {"id": "ord_private", "name": f"Bo {VICTIM_CANARY}"}]
    }
    pruned = without_shared(body, {"ord_shared"})
    assert pruned == {"items": [None, {"id": "ord_private", "name": f"Bo {VICTIM_CANARY}"}]}
    sightings = find_canaries(json_response(pruned), VICTIM_MARKERS)
    assert [s.where for s in sightings] == ["body /items/1/name"]


def test_without_shared_ignores_the_id_in_fields_that_are_no_keys() -> None:
    body = {"id": "ord_private", "note": "ord_shared", "owner_id": "acc_1"}
    assert without_shared(body, {"ord_shared"}) == body
    assert without_shared(body, set()) == body
