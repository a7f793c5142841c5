"""Loading the API description (through schemathesis, by way of ``_schemathesis``), and choosing the
transport that reaches it."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import sysconfig
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import _schemathesis as sts
from ..errors import SchemaLoadError, TargetUnreachableError, did_you_mean
from ..transport import ASGITransport, HTTPTransport, Transport, WSGITransport

# Where in-process apps usually serve their description, tried in this order.
OPENAPI_PATHS = ("/openapi.json", "/openapi.yaml", "/swagger.json", "/api/openapi.json", "/v3/api-docs")
_MODULE_ATTR = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


@dataclass
class LoadedApi:
    """A loaded API description and the transport that reaches the API."""

    schema: Any
    transport: Transport
    source: str
    # Why requests go to ``transport.base_url`` when the harness had to choose (empty otherwise).
    base_url_reason: str = ""


def load_api(source: str, *, base_url: str | None = None, openapi_path: str | None = None) -> LoadedApi:
    """Load an API from an OpenAPI URL, a file (with ``base_url``), or ``module:attr`` naming an app.

    Raises :class:`SchemaLoadError` with the value and a fix when anything is wrong.
    """
    source = source.strip()
    if not source:
        raise SchemaLoadError(
            "No API description given (the value is empty). Pass an OpenAPI URL, a file path "
            "with --isolation-base-url, or `module:attr` naming an ASGI/WSGI app."
        )
    try:
        # A loader error from anywhere in here (an imported app module may load a schema itself) reads
        # as an unusable description.
        with sts.loader_failures():
            reason = ""
            if source.startswith(("http://", "https://")):
                schema = _from_url(source)
                root, reason = _url_base(source, schema, base_url)
                transport: Transport = HTTPTransport(root)
            elif _MODULE_ATTR.match(source) and not Path(source).exists():
                app = import_app(source)
                schema, transport = _from_app(app, source, openapi_path)
                if base_url:
                    transport = HTTPTransport(base_url)
            else:
                path = Path(source)
                if not path.is_file():
                    raise SchemaLoadError(
                        f"API description file not found: {source!r} (resolved to {path.absolute()}). "
                        "Check the path, or pass a URL (http://...) or `module:attr` naming an app."
                    )
                schema = sts.load_path(path)
                declared = base_url or sts.declared_base_url(schema)
                if not declared or not declared.startswith(("http://", "https://")):
                    raise SchemaLoadError(
                        f"The API description {source!r} is a file, so the harness needs to know where the API runs"
                        + (
                            f" (the document's `servers` gives {declared!r}, not an http(s) URL). "
                            if declared
                            else ", and the document declares no `servers`. "
                        )
                        + "Pass --isolation-base-url=http://127.0.0.1:8000 (or set ISOLATION_BASE_URL)."
                    )
                transport = HTTPTransport(declared)
    except sts.LoaderFailure as exc:
        raise SchemaLoadError(_loader_message(source, exc)) from None
    check_operations(schema, source)
    return LoadedApi(schema=schema, transport=transport, source=source, base_url_reason=reason)


def load_app(app: Any, *, openapi_path: str | None = None, source: str | None = None) -> LoadedApi:
    """Load an ASGI or WSGI application object to test in-process."""
    label = source or f"<{type(app).__name__} app>"
    try:
        schema, transport = _from_app(app, label, openapi_path)
    except Exception as exc:
        if isinstance(exc, SchemaLoadError):
            raise
        raise SchemaLoadError(_loader_message(label, exc)) from None
    check_operations(schema, label)
    return LoadedApi(schema=schema, transport=transport, source=label)


def import_app(spec: str) -> Any:
    """Import ``module:attr`` (the current directory is importable, as with uvicorn)."""
    module_name, _, attr_path = spec.partition(":")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise SchemaLoadError(
                f"Cannot import module {module_name!r} from {spec!r}: {exc}. "
                "Run pytest from the directory that contains the module, or install its package."
            ) from None
        raise SchemaLoadError(_import_failure(module_name, spec, exc)) from None
    except Exception as exc:
        raise SchemaLoadError(_import_failure(module_name, spec, exc)) from None
    target: Any = module
    for part in attr_path.split("."):
        if not hasattr(target, part):
            names = [name for name in dir(target) if not name.startswith("_")]
            raise SchemaLoadError(
                f"Module {module_name!r} has no attribute {part!r} (from {spec!r}).{did_you_mean(part, names)} "
                "Name the ASGI or WSGI application object, e.g. `package.module:app`."
            )
        target = getattr(target, part)
    if not callable(target):
        raise SchemaLoadError(f"{spec!r} is a {type(target).__name__}, not an ASGI or WSGI application.")
    return target


def _import_failure(module_name: str, spec: str, exc: BaseException) -> str:
    """The user's own module raised while it was imported: its error's last line, and where."""
    libraries = tuple(
        str(Path(path).resolve())
        for key, path in sysconfig.get_paths().items()
        if key in ("stdlib", "purelib", "platlib")
    )
    # The innermost line of the user's own code: not Python's, an installed package's or importlib's.
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<")
        and not str(Path(frame.filename).resolve()).startswith(libraries)
    ]
    where = f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    detail = _last_line(f"{type(exc).__name__}: {exc}")
    return (
        f"Importing {module_name!r} (from {spec!r}) failed: {detail}{where}. Fix that error in your code; "
        f"`python -c 'import {module_name}'` shows the whole traceback."
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"


def is_asgi_app(app: Any) -> bool:
    """ASGI apps are async callables ``(scope, receive, send)``; WSGI apps are sync ``(environ, start)``."""
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", app)  # noqa: B004
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app)


def _from_app(app: Any, source: str, openapi_path: str | None) -> tuple[Any, Transport]:
    asgi = is_asgi_app(app)
    transport: Transport = ASGITransport(app) if asgi else WSGITransport(app)
    candidates = (openapi_path,) if openapi_path else OPENAPI_PATHS
    last: sts.LoaderFailure | None = None
    for candidate in candidates:
        try:
            return sts.load_app(candidate, app, asgi=asgi), transport
        except sts.LoaderFailure as exc:
            last = exc
    tried = ", ".join(candidates)
    detail = f" Last error: {_first_line(str(last))}" if last else ""
    raise SchemaLoadError(
        f"The app {source!r} serves no OpenAPI document at {tried}.{detail} "
        + (
            "Check `openapi_path` in the [api] table of the isolation config."
            if openapi_path
            else "Set `openapi_path` in the [api] table of the isolation config to where it serves its description."
        )
    )


def _from_url(url: str) -> Any:
    import requests

    try:
        return sts.load_url(url, timeout=10)
    except sts.LoaderFailure as exc:
        if exc.kind.startswith(("connection", "network")):
            raise TargetUnreachableError(
                f"Cannot reach {url!r}: {_first_line(exc.message)}. "
                "Check that the API server is running and the URL is right, or pass the description as a file "
                "with --isolation-base-url."
            ) from None
        raise
    except requests.RequestException as exc:
        raise TargetUnreachableError(
            f"Cannot reach {url!r}: {exc}. Check that the API server is running."
        ) from None


def _loader_message(source: str, exc: Exception) -> str:
    return (
        f"{source!r} is not a usable OpenAPI description: {_first_line(str(exc))}. "
        "Point the harness at an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML)."
    )


def broken_references(document: Any) -> list[tuple[str, str]]:
    """Every local ``$ref`` in a document that points at nothing, with where it appears."""
    broken: list[tuple[str, str]] = []

    def resolves(ref: str) -> bool:
        target: Any = document
        for part in ref[2:].split("/") if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                return False
        return True

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and not resolves(ref):
                broken.append((where or "/", ref))
            for key, value in node.items():
                walk(value, f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(document, "")
    return broken


def check_operations(schema: Any, source: str) -> None:
    """Fail loudly on unresolvable references and on an API with nothing to test."""
    broken = broken_references(sts.raw_document(schema))
    if broken:
        shown = "; ".join(f"{ref!r} at {where}" for where, ref in broken[:3])
        more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
        raise SchemaLoadError(
            f"The API description {source!r} has {len(broken)} unresolvable reference(s): {shown}{more}. "
            "Fix each `$ref` so it points at a component that exists in the document."
        )

    count = 0
    problems: list[str] = []
    try:
        for entry in sts.iter_operations(schema):
            if isinstance(entry, sts.OperationError):
                problems.append(f"{entry.method} {entry.path}: {_first_line(entry.message)}".strip())
            else:
                count += 1
    except Exception as exc:
        raise SchemaLoadError(
            f"The API description {source!r} could not be read: {_first_line(str(exc))}. Fix the document."
        ) from None
    if problems:
        listed = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise SchemaLoadError(
            f"The API description {source!r} has {len(problems)} operation(s) that cannot be read: {listed}. "
            "Fix each `$ref` so it points at a component that exists in the document."
        )
    if count == 0:
        raise SchemaLoadError(
            f"The API description {source!r} declares no operations (its `paths` is empty). "
            "Point the harness at the document that describes the API's endpoints."
        )


def _url_base(source: str, schema: Any, base_url: str | None) -> tuple[str, str]:
    """Where the API fetched from ``source`` runs, and why (empty when nothing had to be chosen).

    A description whose ``servers`` name another origin (the production host, say) is tested at the
    origin it was fetched from, under the path its server names: the harness never sends its
    probes to a host it was not pointed at.
    """
    origin = _origin(source)
    if base_url:
        return base_url, ""
    declared = sts.declared_base_url(schema)
    if declared and _origin(declared) == origin:
        return declared, ""
    if declared:
        path = urlsplit(declared).path.rstrip("/")
        return origin + path, (
            f"the origin the description was fetched from; its `servers` names {declared}, another origin "
            f"(pass --isolation-base-url={declared} to test that one)"
        )
    relative = _relative_server(sts.raw_document(schema))
    if relative:
        return (
            origin + relative,
            f"the origin the description was fetched from, under its relative server {relative!r}",
        )
    return origin, ""


def _relative_server(document: Any) -> str:
    """The path of an OpenAPI 3 document's first server when it is relative (``/api/v1``)."""
    servers = document.get("servers") if isinstance(document, dict) else None
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = servers[0].get("url")
        if isinstance(url, str) and url.startswith("/"):
            return url.rstrip("/")
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else "unknown error"
