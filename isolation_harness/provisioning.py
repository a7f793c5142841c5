"""Provisioners: how tenants come to exist and log in.

Three ship with the library: :class:`DeclarativeProvisioner` (signup and login operations named in
config), :class:`StaticProvisioner` (pre-existing accounts, credentials from environment variables)
and :class:`CallableProvisioner` (any Python function, e.g. a pytest hook in ``conftest.py``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from .errors import ConfigurationError, ProvisioningError, did_you_mean
from .model import FORM, JSON, MULTIPART, HttpRequest, SlotLocation, format_pointer, iter_leaves
from .operations import ApiModel, Operation, normalize_label
from .redaction import Redactor
from .retrying import RetryPolicy, is_malformed
from .tenants import AuthScheme, Credentials, Tenant
from .transport import BoundSession, Transport, describe_failure, encode_body

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


@dataclass
class ProvisionContext:
    """What a provisioner may use: the API model, a way to make sessions, and the redactor."""

    api: ApiModel
    transport: Transport
    redactor: Redactor
    timeout: float = 10.0
    # An auth scheme from a plugin: the credentials for a token, or ``None`` for ``[tenants.auth]``.
    auth_hook: Callable[[Tenant, str, AuthScheme], Credentials | None] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def anonymous_session(self) -> BoundSession:
        return self.transport.session()

    def request(self, session: BoundSession, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``session.request`` with the campaign's timeout, trying transient trouble again (resets,
        timeouts, 429, 502, 503, 504, a JSON body cut short) as every request of the campaign is."""
        policy = self.retry
        for attempt in range(policy.attempts):
            try:
                response = session.request(method, path, timeout=self.timeout, **kwargs)
            except requests.RequestException:
                if policy.again_after_failure(attempt):
                    continue
                raise
            malformed = is_malformed(response.headers, response.text)
            if not policy.again_after_answer(
                attempt, response.status_code, response.headers, malformed=malformed
            ):
                return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def credentials(self, tenant: Tenant, token: str, auth: AuthScheme) -> Credentials:
        """How ``tenant`` sends ``token``: as a plugin's auth scheme says, else as ``auth`` says."""
        if self.auth_hook is not None:
            credentials = self.auth_hook(tenant, token, auth)
            if credentials is not None:
                return credentials
        return auth.credentials(token)

    def operation(self, label: str, *, setting: str) -> Operation:
        """The operation named ``label`` (``"POST /accounts"``), or a configuration error."""
        operations = {op.label: op for op in self.api.operations}
        normalized = normalize_label(label)
        if normalized in operations:
            return operations[normalized]
        raise ConfigurationError(
            f"{setting} = {label!r} names no operation of the API.{did_you_mean(normalized, operations)} "
            "Write it as 'METHOD /path' exactly as the API description spells the path."
        )


class Provisioner(Protocol):
    """Creates tenants' accounts and returns their credentials."""

    @property
    def used_operations(self) -> Sequence[str]:
        """Operations the provisioner calls itself; the campaign does not probe them."""
        ...

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials: ...

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None: ...


def render_template(value: Any, tenant: Tenant, *, setting: str) -> Any:
    """Fill ``{placeholders}`` in a config template from the tenant's identity and Faker.

    ``{email}``, ``{password}``, ``{company}``, ``{name}``, ``{canary}``, ``{tenant}``, ... and
    ``{fake.<provider>}`` for any Faker provider. A string that is a single placeholder keeps its
    value's text; an unknown placeholder is a configuration error.
    """
    if isinstance(value, dict):
        return {key: render_template(item, tenant, setting=f"{setting}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [render_template(item, tenant, setting=setting) for item in value]
    if not isinstance(value, str):
        return value
    known = {**tenant.identity.placeholders(), "canary": tenant.canary, "tenant": tenant.name}

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in known:
            return known[key]
        if key.startswith("fake."):
            provider = key[len("fake.") :]
            try:
                maker = getattr(tenant.fake, provider)
                if provider.startswith("_") or not callable(maker):
                    raise AttributeError(provider)
                return str(maker())
            except (AttributeError, TypeError):
                raise ConfigurationError(
                    f"{setting}: {{{key}}} names no Faker provider.{did_you_mean(provider, dir(tenant.fake))} "
                    "See https://faker.readthedocs.io/en/master/providers.html for the providers."
                ) from None
        raise ConfigurationError(
            f"{setting}: unknown placeholder {{{key}}} in {value!r}.{did_you_mean(key, known)} "
            f"Known placeholders: {', '.join('{' + name + '}' for name in sorted(known))}, and {{fake.<provider>}}."
        )

    return _PLACEHOLDER.sub(replace, value)


@dataclass(frozen=True)
class OperationCall:
    """An operation to call with a templated body, e.g. signup or login.

    The body is sent as ``media_type`` when set, else in the media type the operation declares
    (JSON where it declares JSON, else a form, else multipart).
    """

    operation: str
    body: Any = None
    media_type: str | None = None


@dataclass(frozen=True)
class TokenSource:
    """Where the login response carries the token: a JSON pointer, a header, or a cookie."""

    json_pointer: str | None = "/access_token"
    header: str | None = None
    cookie: str | None = None

    def describe(self) -> str:
        if self.header:
            return f"header {self.header!r}"
        if self.cookie:
            return f"cookie {self.cookie!r}"
        return f"JSON pointer {self.json_pointer!r}"

    def extract(self, response: requests.Response) -> str | None:
        if self.header:
            value = response.headers.get(self.header)
            return value.split(" ", 1)[-1] if value and value.lower().startswith("bearer ") else value
        if self.cookie:
            return response.cookies.get(self.cookie)
        try:
            data: Any = response.json()
        except ValueError:
            return None
        for part in (self.json_pointer or "").split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(data, dict):
                data = data.get(part)
            elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
                data = data[int(part)]
            else:
                return None
        return str(data) if isinstance(data, (str, int)) and data != "" else None


@dataclass(frozen=True)
class DeclarativeProvisioner:
    """Signs each tenant up and logs it in through the API's own operations, from config alone."""

    login: OperationCall
    signup: OperationCall | None = None
    token: TokenSource = field(default_factory=TokenSource)
    auth: AuthScheme = field(default_factory=AuthScheme)
    teardown_call: OperationCall | None = None

    @property
    def used_operations(self) -> Sequence[str]:
        calls = [self.signup, self.login, self.teardown_call]
        return [normalize_label(call.operation) for call in calls if call is not None]

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        session = tenant.client
        if self.signup is not None:
            response = self._call(self.signup, tenant, context, session, setting="tenants.signup")
            if not 200 <= response.status_code < 300:
                raise ProvisioningError(
                    f"Signing up tenant {tenant.name!r} with {self.signup.operation} failed: HTTP "
                    f"{response.status_code} {context.redactor(response.text[:300])!r}. Check [tenants.signup] "
                    "in the isolation config: the body template must be a valid signup request for this API."
                )
        response = self._call(self.login, tenant, context, session, setting="tenants.login")
        if not 200 <= response.status_code < 300:
            raise ProvisioningError(
                f"Logging in tenant {tenant.name!r} with {self.login.operation} failed: HTTP {response.status_code} "
                f"{context.redactor(response.text[:300])!r}. Check [tenants.login] in the isolation config."
            )
        token = self.token.extract(response)
        if not token:
            raise ProvisioningError(
                f"The login response of {self.login.operation} for tenant {tenant.name!r} has no token at "
                f"{self.token.describe()} (HTTP {response.status_code}, headers: {sorted(response.headers)}, "
                f"body: {_shape(response)}). "
                "Set `token` (JSON pointer), `token_header` or `token_cookie` in [tenants.login]."
            )
        context.redactor.add(token)
        return context.credentials(tenant, token, self.auth)

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        if self.teardown_call is not None:
            self._call(self.teardown_call, tenant, context, tenant.client, setting="tenants.teardown")

    def _call(
        self,
        call: OperationCall,
        tenant: Tenant,
        context: ProvisionContext,
        session: BoundSession,
        *,
        setting: str,
    ) -> requests.Response:
        operation = context.operation(call.operation, setting=f"{setting}.operation")
        body = render_template(call.body, tenant, setting=f"{setting}.body")
        for value in _secret_values(body):
            context.redactor.add(value)
        request = HttpRequest(method=operation.method, path_template=operation.path)
        missing = [p.name for p in operation.parameters if p.location is SlotLocation.PATH]
        if missing:
            raise ConfigurationError(
                f"{setting}.operation = {call.operation!r} has path parameters ({', '.join(missing)}); "
                "signup and login must be operations without path parameters."
            )
        media_type = call.media_type or (
            operation.body_media_type if operation.body_schema is not None else JSON
        )
        if media_type in (FORM, MULTIPART) and body is not None:
            _check_form(body, media_type, setting=f"{setting}.body")
        encoded = {} if body is None else encode_body(body, media_type)
        try:
            return context.request(session, request.method, operation.path.lstrip("/"), **encoded)
        except requests.RequestException as exc:
            raise ProvisioningError(
                f"Calling {call.operation} for tenant {tenant.name!r} at {context.transport.base_url} failed: "
                f"{describe_failure(exc)}. Check that the API runs there."
            ) from None


def _check_form(body: Any, media_type: str, *, setting: str) -> None:
    """A form body is one table of text, numbers and true/false (a list repeats its field)."""
    nested = (
        [key for key, value in body.items() if isinstance(value, dict)]
        if isinstance(body, dict)
        else [setting]
    )
    if nested:
        where = f"{setting}.{nested[0]}" if isinstance(body, dict) else setting
        raise ConfigurationError(
            f"{where} is {'a table' if isinstance(body, dict) else 'not a table'}, but the body is sent as "
            f"{media_type}, whose fields hold text, numbers or true/false. Write the body as one table of "
            'such values, e.g. body = { username = "{email}", password = "{password}" }.'
        )


def _shape(response: requests.Response) -> str:
    """The JSON pointers of a body's values, never the values: enough to find the token's place."""
    try:
        data: Any = response.json()
    except ValueError:
        return "not JSON"
    pointers = [format_pointer(path) for path, _ in iter_leaves(data)][:12]
    return ", ".join(pointers) if pointers else "empty"


def _secret_values(body: Any) -> list[str]:
    if isinstance(body, dict):
        out: list[str] = []
        for key, value in body.items():
            if isinstance(value, str) and any(
                word in key.lower() for word in ("password", "secret", "token")
            ):
                out.append(value)
            out.extend(_secret_values(value))
        return out
    if isinstance(body, list):
        return [item for value in body for item in _secret_values(value)]
    return []


@dataclass(frozen=True)
class StaticAccount:
    """A pre-existing account whose token is read from an environment variable."""

    name: str
    token_env: str


@dataclass(frozen=True)
class StaticProvisioner:
    """Uses accounts that already exist; their tokens come from environment variables."""

    accounts: tuple[StaticAccount, ...]
    auth: AuthScheme = field(default_factory=AuthScheme)
    environ: Mapping[str, str] | None = None

    @property
    def used_operations(self) -> Sequence[str]:
        return ()

    def check(self) -> None:
        """Fail early, naming every variable that is not set."""
        env = self.environ if self.environ is not None else os.environ
        missing = [account.token_env for account in self.accounts if not env.get(account.token_env)]
        if missing:
            raise ConfigurationError(
                f"Static tenant accounts need their tokens in the environment, but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set. Export each variable named by `token_env` "
                "in [[tenants.accounts]] before running."
            )

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        self.check()
        env = self.environ if self.environ is not None else os.environ
        account = next((a for a in self.accounts if a.name == tenant.name), None)
        if account is None:
            raise ConfigurationError(
                f"No static account is configured for tenant {tenant.name!r}; configured: "
                f"{[a.name for a in self.accounts]}. Add a [[tenants.accounts]] entry or lower the tenant count."
            )
        token = env[account.token_env]
        context.redactor.add(token)
        return context.credentials(tenant, token, self.auth)

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        return None


ProvisionFunction = Callable[[Tenant, ProvisionContext], "Credentials | str | Mapping[str, str]"]


@dataclass(frozen=True)
class CallableProvisioner:
    """Provisions tenants with a Python function (a ``conftest.py`` hook, a fixture, a script).

    The function returns :class:`Credentials`, a token string (sent with ``auth``), or a mapping
    of headers.
    """

    function: ProvisionFunction
    auth: AuthScheme = field(default_factory=AuthScheme)
    teardown_function: Callable[[Tenant, ProvisionContext], None] | None = None
    operations: tuple[str, ...] = ()

    @property
    def used_operations(self) -> Sequence[str]:
        return self.operations

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        result = self.function(tenant, context)
        if isinstance(result, Credentials):
            credentials = result
        elif isinstance(result, str):
            credentials = context.credentials(tenant, result, self.auth)
        elif isinstance(result, Mapping):
            credentials = Credentials(headers=dict(result))
        else:
            raise ConfigurationError(
                f"The provisioning hook returned {result!r} for tenant {tenant.name!r}; return Credentials, "
                "a token string, or a mapping of headers."
            )
        for secret in credentials.secrets():
            context.redactor.add(secret)
        return credentials

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        if self.teardown_function is not None:
            self.teardown_function(tenant, context)
