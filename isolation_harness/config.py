"""Settings: where each value comes from (option, environment, pyproject.toml), and the isolation config file.

Precedence, highest first: command-line option, environment variable, ``[tool.isolation_harness]``
in ``pyproject.toml``, default. The report header says which source each value came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigurationError, did_you_mean
from .model import SharingRule
from .operations import normalize_label
from .provisioning import (
    DeclarativeProvisioner,
    OperationCall,
    Provisioner,
    StaticAccount,
    StaticProvisioner,
    TokenSource,
)
from .tenants import AuthScheme


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its option, environment variable and pyproject key."""

    name: str
    option: str
    env: str
    help: str
    default: str | None = None


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "schema",
        "--isolation-schema",
        "ISOLATION_SCHEMA",
        "API description: an OpenAPI URL, a file (with --isolation-base-url), or module:attr naming an "
        "ASGI/WSGI app tested in-process.",
    ),
    SettingSpec(
        "base_url",
        "--isolation-base-url",
        "ISOLATION_BASE_URL",
        "Where the API runs, when the description is a file or should be reached over HTTP.",
    ),
    SettingSpec(
        "config",
        "--isolation-config",
        "ISOLATION_CONFIG",
        "Isolation config file (TOML): how tenants sign up and log in, what to exclude.",
    ),
    SettingSpec(
        "tenants", "--isolation-tenants", "ISOLATION_TENANTS", "Number of tenants (at least 2).", "2"
    ),
    SettingSpec("seed", "--isolation-seed", "ISOLATION_SEED", "Seed for tenants' data and canaries.", "0"),
    SettingSpec(
        "report_json",
        "--isolation-report-json",
        "ISOLATION_REPORT_JSON",
        "Write the JSON report here; findings are written as they are found.",
    ),
    SettingSpec(
        "campaign",
        "--isolation-campaign",
        "ISOLATION_CAMPAIGN",
        "on: add one test item per API operation; off: only provide the tenant fixtures.",
        "on",
    ),
)
SETTING_NAMES = tuple(spec.name for spec in SETTINGS)


@dataclass(frozen=True)
class ResolvedSetting:
    value: str | None
    source: str


def read_pyproject(rootdir: Path) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.isolation_harness]`` table of the nearest pyproject.toml at or above ``rootdir``."""
    for directory in (rootdir, *rootdir.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigurationError(f"Cannot read {candidate}: {exc}. Fix the TOML syntax.") from None
            table = data.get("tool", {}).get("isolation_harness", {})
            if not isinstance(table, dict):
                raise ConfigurationError(f"[tool.isolation_harness] in {candidate} must be a table.")
            unknown = sorted(set(table) - set(SETTING_NAMES))
            if unknown:
                key = unknown[0]
                raise ConfigurationError(
                    f"Unknown key {key!r} in [tool.isolation_harness] of {candidate}.{did_you_mean(key, SETTING_NAMES)} "
                    f"Known keys: {', '.join(SETTING_NAMES)}."
                )
            return table, candidate
    return {}, None


def resolve_settings(
    options: Mapping[str, str | None], environ: Mapping[str, str], pyproject: Mapping[str, Any]
) -> dict[str, ResolvedSetting]:
    """Resolve each setting from option, environment, pyproject and default, in that order."""
    out: dict[str, ResolvedSetting] = {}
    for spec in SETTINGS:
        if options.get(spec.name) not in (None, ""):
            out[spec.name] = ResolvedSetting(str(options[spec.name]), "option")
        elif environ.get(spec.env):
            out[spec.name] = ResolvedSetting(environ[spec.env], "env")
        elif spec.name in pyproject:
            out[spec.name] = ResolvedSetting(str(pyproject[spec.name]), "pyproject.toml")
        else:
            out[spec.name] = ResolvedSetting(spec.default, "default")
    return out


def parse_switch(setting: str, resolved: ResolvedSetting) -> bool:
    """An on/off setting."""
    spec = next(s for s in SETTINGS if s.name == setting)
    value = str(resolved.value).strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ConfigurationError(
        f"{spec.option}={resolved.value!r} (from {resolved.source}) must be 'on' or 'off'."
    )


def parse_int(setting: str, resolved: ResolvedSetting, *, minimum: int | None = None) -> int:
    spec = next(s for s in SETTINGS if s.name == setting)
    try:
        value = int(str(resolved.value))
    except ValueError:
        raise ConfigurationError(
            f"{spec.option}={resolved.value!r} (from {resolved.source}) is not a whole number. "
            f"Pass e.g. {spec.option}={spec.default}."
        ) from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(
            f"{spec.option}={value} (from {resolved.source}) must be at least {minimum}: a campaign needs one "
            "tenant to attack and another to be attacked."
        )
    return value


# -- the isolation config file -------------------------------------------------------------------

_TOP_KEYS = ("api", "tenants", "campaign")
_API_KEYS = ("openapi_path", "exclude", "references", "shares")
_SHARE_KEYS = ("operation", "body", "query")
_TENANT_KEYS = ("count", "signup", "login", "teardown", "auth", "accounts")
_CALL_KEYS = ("operation", "body", "token", "token_header", "token_cookie")
_AUTH_KEYS = ("header", "prefix", "cookie", "query")
_ACCOUNT_KEYS = ("name", "token_env")
_CAMPAIGN_KEYS = ("fail_on", "timeout")


@dataclass(frozen=True)
class HarnessConfig:
    """What the isolation config file says."""

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


def load_config(
    path: str | os.PathLike[str] | None, *, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    """Read and validate an isolation config file; ``None`` gives the defaults."""
    if path is None:
        return HarnessConfig()
    file = Path(path)
    if not file.is_file():
        raise ConfigurationError(
            f"Isolation config file not found: {str(path)!r} (resolved to {file.absolute()}). "
            "Check --isolation-config (or ISOLATION_CONFIG), or see the README for the file's format."
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{file}: not valid TOML: {exc}. Fix the syntax at that position.") from None
    return parse_config(data, path=file, environ=environ)


def parse_config(
    data: Mapping[str, Any], *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    where = str(path) if path else "isolation config"
    _check_keys(data, _TOP_KEYS, where, "")
    api = _table(data, "api", where)
    _check_keys(api, _API_KEYS, where, "api")
    tenants = _table(data, "tenants", where)
    _check_keys(tenants, _TENANT_KEYS, where, "tenants")
    campaign = _table(data, "campaign", where)
    _check_keys(campaign, _CAMPAIGN_KEYS, where, "campaign")

    auth_table = _table(tenants, "auth", where, "tenants.")
    _check_keys(auth_table, _AUTH_KEYS, where, "tenants.auth")
    auth = _auth(auth_table, where)

    provisioner: Provisioner | None = None
    names: tuple[str, ...] = ()
    accounts = tenants.get("accounts")
    if accounts is not None:
        if not isinstance(accounts, list) or not accounts:
            raise ConfigurationError(
                f"{where}: tenants.accounts must be a non-empty array of tables, got {accounts!r}. "
                "Write [[tenants.accounts]] with name and token_env for each account."
            )
        parsed = []
        for index, account in enumerate(accounts):
            if not isinstance(account, dict):
                raise ConfigurationError(
                    f"{where}: tenants.accounts[{index}] must be a table, got {account!r}."
                )
            _check_keys(account, _ACCOUNT_KEYS, where, f"tenants.accounts[{index}]")
            for key in _ACCOUNT_KEYS:
                if not isinstance(account.get(key), str) or not account[key]:
                    raise ConfigurationError(
                        f"{where}: tenants.accounts[{index}].{key} is required (a string), got {account.get(key)!r}."
                    )
            parsed.append(StaticAccount(name=account["name"], token_env=account["token_env"]))
        provisioner = StaticProvisioner(accounts=tuple(parsed), auth=auth, environ=environ)
        names = tuple(account.name for account in parsed)
        if "login" in tenants or "signup" in tenants:
            raise ConfigurationError(
                f"{where}: [tenants] has both static accounts and signup/login. Choose one way to provision."
            )
    elif "login" in tenants:
        login = _call(tenants["login"], where, "tenants.login", token=True)
        signup = _call(tenants["signup"], where, "tenants.signup") if "signup" in tenants else None
        teardown = _call(tenants["teardown"], where, "tenants.teardown") if "teardown" in tenants else None
        token = _token(tenants["login"], where)
        provisioner = DeclarativeProvisioner(
            login=login, signup=signup, token=token, auth=auth, teardown_call=teardown
        )
    elif "signup" in tenants and any(
        key in tenants["signup"] for key in ("token", "token_header", "token_cookie")
    ):
        # An API whose signup answers with the credential itself (an API key) needs no login.
        login = _call(tenants["signup"], where, "tenants.signup", token=True)
        token = _token(tenants["signup"], where)
        teardown = _call(tenants["teardown"], where, "tenants.teardown") if "teardown" in tenants else None
        provisioner = DeclarativeProvisioner(login=login, token=token, auth=auth, teardown_call=teardown)
    elif "signup" in tenants:
        raise ConfigurationError(
            f"{where}: [tenants.signup] is set but [tenants.login] is missing. Add [tenants.login] with the "
            'operation that returns a token (e.g. operation = "POST /auth/login").'
        )

    count = tenants.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 2):
        raise ConfigurationError(
            f"{where}: tenants.count must be a whole number of at least 2, got {count!r}."
        )

    exclude = api.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(item, str) for item in exclude):
        raise ConfigurationError(
            f'{where}: api.exclude must be a list of operation labels like "DELETE /accounts/{{id}}", got {exclude!r}.'
        )
    references = api.get("references", {})
    if not isinstance(references, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value for key, value in references.items()
    ):
        raise ConfigurationError(
            f"{where}: api.references must map field names to resource names, e.g. "
            f'references = {{ assignee_id = "Agent" }}, got {references!r}.'
        )
    fail_on = campaign.get("fail_on", "confirmed")
    if fail_on not in ("confirmed", "suspected"):
        raise ConfigurationError(
            f'{where}: campaign.fail_on must be "confirmed" or "suspected", got {fail_on!r}.'
        )
    timeout = campaign.get("timeout", 10.0)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigurationError(
            f"{where}: campaign.timeout must be a positive number of seconds, got {timeout!r}."
        )
    openapi_path = api.get("openapi_path")
    if openapi_path is not None and (not isinstance(openapi_path, str) or not openapi_path.startswith("/")):
        raise ConfigurationError(
            f"{where}: api.openapi_path must be a path starting with '/', got {openapi_path!r}."
        )
    return HarnessConfig(
        path=path,
        provisioner=provisioner,
        auth=auth,
        tenant_count=count if count is not None else (len(names) if names else None),
        tenant_names=names,
        openapi_path=openapi_path,
        exclude=tuple(normalize_label(item) for item in exclude),
        references=dict(references),
        shares=_shares(api.get("shares", []), where),
        fail_on_suspected=fail_on == "suspected",
        timeout=float(timeout),
    )


def _table(data: Mapping[str, Any], key: str, where: str, prefix: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where}: [{prefix}{key}] must be a table, got {value!r}.")
    return value


def _check_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str, table: str) -> None:
    for key in data:
        if key not in known:
            name = f"[{table}]" if table else "the top level"
            raise ConfigurationError(
                f"{where}: unknown key {key!r} in {name}.{did_you_mean(key, known)} Known keys: {', '.join(known)}."
            )


def _call(value: Any, where: str, name: str, *, token: bool = False) -> OperationCall:
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where}: [{name}] must be a table, got {value!r}.")
    keys = _CALL_KEYS if token else ("operation", "body")
    _check_keys(value, keys, where, name)
    operation = value.get("operation")
    if not isinstance(operation, str) or " " not in operation.strip():
        raise ConfigurationError(
            f"{where}: {name}.operation must be 'METHOD /path' (e.g. \"POST /auth/login\"), got {operation!r}."
        )
    return OperationCall(operation=operation.strip(), body=value.get("body"))


def _shares(value: Any, where: str) -> tuple[SharingRule, ...]:
    example = (
        '[[api.shares]]\noperation = "POST /orders/{order_id}/shares"\nbody = { account_email = "{email}" }'
    )
    if not isinstance(value, list):
        raise ConfigurationError(
            f"{where}: api.shares must be a list of tables, one per sharing operation, got {value!r}. "
            f"Write each as:\n{example}"
        )
    rules = []
    for index, item in enumerate(value):
        name = f"api.shares[{index}]"
        if not isinstance(item, dict):
            raise ConfigurationError(
                f"{where}: {name} must be a table, got {item!r}. Write it as:\n{example}"
            )
        _check_keys(item, _SHARE_KEYS, where, name)
        call = _call({key: item[key] for key in ("operation", "body") if key in item}, where, name)
        query = item.get("query", {})
        if not isinstance(query, dict):
            raise ConfigurationError(
                f'{where}: {name}.query must be a table of parameters, e.g. query = {{ with = "{{email}}" }}, '
                f"got {query!r}."
            )
        rules.append(
            SharingRule(operation=normalize_label(call.operation), body=call.body, query=dict(query))
        )
    return tuple(rules)


def _token(value: Mapping[str, Any], where: str) -> TokenSource:
    chosen = [key for key in ("token", "token_header", "token_cookie") if key in value]
    if len(chosen) > 1:
        raise ConfigurationError(
            f"{where}: [tenants.login] sets {', '.join(chosen)}; set exactly one of token (a JSON pointer), "
            "token_header or token_cookie."
        )
    if "token_header" in value:
        return TokenSource(json_pointer=None, header=str(value["token_header"]))
    if "token_cookie" in value:
        return TokenSource(json_pointer=None, cookie=str(value["token_cookie"]))
    pointer = value.get("token", "/access_token")
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise ConfigurationError(
            f"{where}: tenants.login.token must be a JSON pointer starting with '/' (e.g. \"/access_token\"), "
            f"got {pointer!r}."
        )
    return TokenSource(json_pointer=pointer)


def _auth(table: Mapping[str, Any], where: str) -> AuthScheme:
    carriers = [key for key in ("header", "cookie", "query") if key in table]
    if len(carriers) > 1:
        raise ConfigurationError(
            f"{where}: [tenants.auth] sets {', '.join(carriers)}; set exactly one of header, cookie or query."
        )
    for key, item in table.items():
        if not isinstance(item, str):
            raise ConfigurationError(f"{where}: tenants.auth.{key} must be a string, got {item!r}.")
    if "cookie" in table:
        return AuthScheme(header=None, prefix="", cookie=table["cookie"])
    if "query" in table:
        return AuthScheme(header=None, prefix="", query=table["query"])
    header = table.get("header", "Authorization")
    # "Bearer " belongs to the Authorization header; a custom header (X-Api-Key) carries the bare token.
    default_prefix = "Bearer " if header.lower() == "authorization" else ""
    return AuthScheme(header=header, prefix=table.get("prefix", default_prefix))
