"""The isolation config: a TOML file, or tables of ``[tool.isolation_harness]`` in pyproject.toml.

The schema (``config.schema.json``) checks every key, type and range; the rules here are the ones
it cannot say, between keys: one way to provision tenants, one place the token comes from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..allowing import AllowRule
from ..errors import ConfigurationError
from ..model import FindingKind, SharingRule
from ..operations import normalize_label
from ..provisioning import (
    DeclarativeProvisioner,
    OperationCall,
    Provisioner,
    StaticAccount,
    StaticProvisioner,
    TokenSource,
)
from ..tenants import AuthScheme
from .schema import Source, check, known_keys
from .settings import SETTING_NAMES, SETTINGS

PYPROJECT_TABLE = "tool.isolation_harness"
"""The pyproject.toml table that may hold the isolation config."""

_CONFIG_OPTION = next(spec.option for spec in SETTINGS if spec.name == "config")
_TOKEN_KEYS = ("token", "token_header", "token_cookie")
_AUTH_CARRIERS = ("header", "cookie", "query")


@dataclass(frozen=True)
class HarnessConfig:
    """What the isolation config says."""

    path: Path | None = None
    provisioner: Provisioner | None = None
    auth: AuthScheme = field(default_factory=AuthScheme)
    tenant_count: int | None = None
    tenant_names: tuple[str, ...] = ()
    openapi_path: str | None = None
    exclude: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    shares: tuple[SharingRule, ...] = ()
    fail_on_suspected: bool = False
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.05
    hooks: str | None = None
    allow: tuple[AllowRule, ...] = ()


def load_config(
    path: str | os.PathLike[str] | None,
    *,
    environ: Mapping[str, str] | None = None,
    pyproject: Mapping[str, Any] | None = None,
    pyproject_path: Path | None = None,
) -> HarnessConfig:
    """Read and validate the isolation config file at ``path``.

    Without a file, the config is the one in ``pyproject`` (the ``[tool.isolation_harness]`` table,
    read from ``pyproject_path``), or the defaults. A config in both places is an error.
    """
    if pyproject is not None and _config_tables(pyproject):
        if path is not None:
            raise _two_places(path, pyproject, pyproject_path)
        return config_from_pyproject(pyproject, path=pyproject_path, environ=environ)
    if path is None:
        return HarnessConfig()
    file = Path(path)
    if not file.is_file():

        def fix(option: str) -> str:
            return f"Check {option} (or ISOLATION_CONFIG), or see the README for the file's format."

        raise ConfigurationError(
            lambda option: (
                f"Isolation config file not found: {str(path)!r} (resolved to {file.absolute()}). "
                f"{fix(option)}"
            ),
            setting="config",
            value=str(path),
            fix=fix,
            option=_CONFIG_OPTION,
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"{file}: not valid TOML: {exc}. Fix the syntax at that position.",
            fix="Fix the syntax at that position.",
        ) from None
    return parse_config(data, path=file, environ=environ)


def config_from_pyproject(
    table: Mapping[str, Any], *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    """The isolation config held in ``[tool.isolation_harness]`` (``table``) of the pyproject.toml at ``path``.

    Its tables ``api``, ``tenants`` and ``campaign`` are the config file's; the rest of the table
    holds settings (``tenants = 3`` is the setting, ``[tool.isolation_harness.tenants]`` the config;
    ``hooks`` there is the setting).
    """
    data = _config_tables(table)
    if not data:
        return HarnessConfig()
    source = Source(file=str(path) if path else "pyproject.toml", table=PYPROJECT_TABLE)
    return _parse(data, source, path=path, environ=environ)


def parse_config(
    data: Mapping[str, Any], *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    """Validate a parsed isolation config file (``path`` names it in messages) and read it."""
    return _parse(data, Source(file=str(path) if path else "isolation config"), path=path, environ=environ)


def _config_tables(pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """The isolation config's part of ``[tool.isolation_harness]``: what no setting claims."""
    return {
        key: value
        for key, value in pyproject.items()
        if key in known_keys() and (isinstance(value, dict) or key not in SETTING_NAMES)
    }


def _two_places(
    path: str | os.PathLike[str], pyproject: Mapping[str, Any], pyproject_path: Path | None
) -> ConfigurationError:
    tables = ", ".join(f"[{PYPROJECT_TABLE}.{key}]" for key in _config_tables(pyproject))
    where = pyproject_path or "pyproject.toml"

    def fix(option: str) -> str:
        return f"Keep one: remove those tables from {where}, or unset {option}."

    return ConfigurationError(
        lambda option: (
            f"The isolation config is in two places: {str(path)!r} ({option}) and {tables} in {where}. "
            f"{fix(option)}"
        ),
        setting="config",
        value=str(path),
        fix=fix,
        option=_CONFIG_OPTION,
    )


def _parse(
    data: Mapping[str, Any], source: Source, *, path: Path | None, environ: Mapping[str, str] | None
) -> HarnessConfig:
    check(data, source)
    api: Mapping[str, Any] = data.get("api", {})
    tenants: Mapping[str, Any] = data.get("tenants", {})
    campaign: Mapping[str, Any] = data.get("campaign", {})
    auth = _auth(tenants.get("auth", {}), source)
    provisioner, names = _provisioner(tenants, auth, source, environ)
    count = tenants.get("count")
    return HarnessConfig(
        path=path,
        provisioner=provisioner,
        auth=auth,
        tenant_count=int(count) if count is not None else (len(names) if names else None),
        tenant_names=names,
        openapi_path=api.get("openapi_path"),
        exclude=tuple(normalize_label(item) for item in api.get("exclude", [])),
        references=dict(api.get("references", {})),
        shares=tuple(
            SharingRule(
                operation=normalize_label(share["operation"]),
                body=share.get("body"),
                query=dict(share.get("query", {})),
            )
            for share in api.get("shares", [])
        ),
        fail_on_suspected=campaign.get("fail_on", "confirmed") == "suspected",
        timeout=float(campaign.get("timeout", 10.0)),
        retries=int(campaign.get("retries", 3)),
        backoff=float(campaign.get("backoff", 0.05)),
        hooks=data.get("hooks"),
        allow=tuple(_allow_rule(rule, number, source) for number, rule in enumerate(data.get("allow", []))),
    )


def _allow_rule(table: Mapping[str, Any], index: int, source: Source) -> AllowRule:
    if "field" in table and "pointer" in table:
        fix = "Keep one: field matches a field of that name anywhere in the body, pointer one place in it."
        raise ConfigurationError(
            f"{source.file}: {source.header(['allow', index])} sets both field and pointer. {fix}",
            setting=f"allow[{index}]",
            value={"field": table["field"], "pointer": table["pointer"]},
            fix=fix,
        )
    return AllowRule(
        operation=normalize_label(table["operation"]),
        reason=str(table["reason"]).strip(),
        field=table.get("field"),
        pointer=table.get("pointer"),
        kind=FindingKind(table["kind"]) if "kind" in table else None,
    )


def _provisioner(
    tenants: Mapping[str, Any], auth: AuthScheme, source: Source, environ: Mapping[str, str] | None
) -> tuple[Provisioner | None, tuple[str, ...]]:
    """The provisioner ``[tenants]`` describes, and the tenants' names if it fixes them."""
    if "accounts" in tenants:
        if "login" in tenants or "signup" in tenants:
            raise ConfigurationError(
                f"{source.file}: {source.header(['tenants'])} has both static accounts and signup/login. "
                "Choose one way to provision.",
                setting="tenants.accounts",
                fix=f"Remove [[{source.key(['tenants', 'accounts'])}]], or remove "
                f"{source.header(['tenants', 'signup'])} and {source.header(['tenants', 'login'])}.",
            )
        accounts = tuple(StaticAccount(item["name"], item["token_env"]) for item in tenants["accounts"])
        names = tuple(account.name for account in accounts)
        return StaticProvisioner(accounts=accounts, auth=auth, environ=environ), names
    teardown = _call(tenants["teardown"]) if "teardown" in tenants else None
    if "login" in tenants:
        signup = tenants.get("signup")
        if signup is not None and (extra := [key for key in _TOKEN_KEYS if key in signup]):
            raise _token_in_signup(extra[0], signup[extra[0]], source)
        provisioner = DeclarativeProvisioner(
            login=_call(tenants["login"]),
            signup=_call(signup) if signup is not None else None,
            token=_token(tenants["login"], ["tenants", "login"], source),
            auth=auth,
            teardown_call=teardown,
        )
        return provisioner, ()
    if "signup" in tenants:
        signup = tenants["signup"]
        if not any(key in signup for key in _TOKEN_KEYS):
            login = source.header(["tenants", "login"])
            fix = (
                f'Add {login} with the operation that returns a token (e.g. operation = "POST /auth/login").'
            )
            raise ConfigurationError(
                f"{source.file}: {source.header(['tenants', 'signup'])} is set but {login} is missing. {fix}",
                setting="tenants.login",
                fix=fix,
            )
        # An API whose signup answers with the credential itself (an API key) needs no login.
        token = _token(signup, ["tenants", "signup"], source)
        return DeclarativeProvisioner(login=_call(signup), token=token, auth=auth, teardown_call=teardown), ()
    return None, ()


def _token_in_signup(key: str, value: Any, source: Source) -> ConfigurationError:
    login = source.header(["tenants", "login"])
    fix = f"Move {key} to {login}, or remove {login} if signup itself answers with the credential."
    return ConfigurationError(
        f"{source.file}: {source.header(['tenants', 'signup'])} sets {key}, but the token comes from {login}. {fix}",
        setting=f"tenants.signup.{key}",
        value=value,
        fix=fix,
    )


def _call(table: Mapping[str, Any]) -> OperationCall:
    return OperationCall(
        operation=str(table["operation"]).strip(), body=table.get("body"), media_type=table.get("media_type")
    )


def _token(table: Mapping[str, Any], path: list[str], source: Source) -> TokenSource:
    chosen = [key for key in _TOKEN_KEYS if key in table]
    if len(chosen) > 1:
        raise ConfigurationError(
            f"{source.file}: {source.header(path)} sets {', '.join(chosen)}; set exactly one of token "
            "(a JSON pointer), token_header or token_cookie.",
            setting=".".join(path),
            value={key: table[key] for key in chosen},
            fix="Set exactly one of token (a JSON pointer), token_header or token_cookie.",
        )
    if "token_header" in table:
        return TokenSource(json_pointer=None, header=table["token_header"])
    if "token_cookie" in table:
        return TokenSource(json_pointer=None, cookie=table["token_cookie"])
    return TokenSource(json_pointer=table.get("token", "/access_token"))


def _auth(table: Mapping[str, Any], source: Source) -> AuthScheme:
    carriers = [key for key in _AUTH_CARRIERS if key in table]
    if len(carriers) > 1:
        raise ConfigurationError(
            f"{source.file}: {source.header(['tenants', 'auth'])} sets {', '.join(carriers)}; "
            "set exactly one of header, cookie or query.",
            setting="tenants.auth",
            value={key: table[key] for key in carriers},
            fix="Set exactly one of header, cookie or query.",
        )
    if "cookie" in table:
        return AuthScheme(header=None, prefix="", cookie=table["cookie"])
    if "query" in table:
        return AuthScheme(header=None, prefix="", query=table["query"])
    header: str = table.get("header", "Authorization")
    # "Bearer " belongs to the Authorization header; a custom header (X-Api-Key) carries the bare token.
    default_prefix = "Bearer " if header.lower() == "authorization" else ""
    return AuthScheme(header=header, prefix=table.get("prefix", default_prefix))
