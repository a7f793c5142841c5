"""Guessing sequential identifiers: numbers next to the attacker's own, in their own form; none for tokens."""

from __future__ import annotations

from isolation_harness.probes.guessed import neighbours as _neighbours


def test_integers_give_their_neighbours_nearest_first() -> None:
    assert _neighbours([17], exclude={"17"}, limit=4) == [18, 16, 19, 15]


def test_the_attackers_own_numbers_are_never_guessed() -> None:
    assert _neighbours([4, 5], exclude={"4", "5"}, limit=4) == [6, 3, 7, 2]


def test_a_prefix_and_zero_padding_are_kept() -> None:
    assert _neighbours(["INV-000099"], exclude=set(), limit=2) == ["INV-000100", "INV-000098"]
    assert _neighbours(["42"], exclude=set(), limit=2) == ["43", "41"]


def test_no_negative_numbers() -> None:
    assert _neighbours([0], exclude={"0"}, limit=4) == [1, 2]


def test_random_identifiers_give_no_guesses() -> None:
    values = ["3f2c9a4e-8b1d-4c6f-9e2a-5d7b1c0e8f43", "ord_1f0c9a4e8b1d4c6f", "acme-ltd", True, None, 1.5]
    assert _neighbours(values, exclude=set(), limit=4) == []


def test_the_limit_holds() -> None:
    assert len(_neighbours(range(100), exclude=set(), limit=4)) == 4
