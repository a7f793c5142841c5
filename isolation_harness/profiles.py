"""Profiles: a quick CI gate, the standard run, and a deep campaign, as defaults for the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import ResolvedSetting
from .errors import ConfigurationError, did_you_mean


@dataclass(frozen=True)
class Profile:
    """Defaults a profile gives; a setting given explicitly (option, environment, config) wins."""

    name: str
    tenants: int
    guesses: int
    examples: int
    description: str


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("quick", 2, 0, 1, "a CI gate: two tenants, no guessed identifiers"),
        Profile(
            "standard", 2, 4, 1, "two tenants, four identifiers guessed next to each tenant's own per slot"
        ),
        Profile(
            "deep",
            3,
            16,
            3,
            "a long campaign: three tenants, 16 identifiers guessed per slot (identifier enumeration), "
            "three generated bodies per foreign-identifier probe",
        ),
    )
}


def chosen_profile(settings: Mapping[str, ResolvedSetting]) -> Profile:
    """The profile the ``profile`` setting names; a clear error with the nearest name otherwise."""
    resolved = settings["profile"]
    name = (resolved.value or "standard").strip().lower()
    if name in PROFILES:
        return PROFILES[name]
    raise ConfigurationError(
        lambda option: (
            f"{option}={resolved.value!r} (from {resolved.source}) is not a profile."
            f"{did_you_mean(name, list(PROFILES))} Profiles: "
            + "; ".join(f"{p.name} ({p.description})" for p in PROFILES.values())
            + "."
        ),
        setting="profile",
        value=resolved.value,
        fix=lambda option: f"Pass {option}=quick, {option}=standard or {option}=deep.",
        option="--isolation-profile",
    )
