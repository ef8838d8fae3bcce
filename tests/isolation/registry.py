"""Registry of the isolation matrix (DESIGN §9): every route × method × auth kind × role.

The matrix walks the URL resolver for every route under the prefixes in PREFIXES and runs each
registered case as an admin, an annotator and a reviewer of workspace A (owners see everything, so they are
not part of it) against objects of workspace B. A route or method the registry does not know fails
`test_every_route_is_in_the_matrix`, so a new endpoint cannot be missed.

How to add a route
------------------
Put your registrations in a module of this package named `routes_<area>.py` (it is imported
automatically), for example `tests/isolation/routes_exports.py`:

    from .registry import register, world_object

    @world_object("export_job")
    def _export_job(b):                      # b: the World (tests/isolation/world.py)
        return ExportJobFactory(workspace=b.workspace, requested_by=b.admin)

    register(
        "api/exports/<uuid:export_id>/",     # the resolver's route string, as the failure prints it
        kwargs=lambda b: {"export_id": b.export_job.pk},
    )
    register(
        "api/exports/",
        bodies={"POST": lambda b: {"datasets": [str(b.dataset.pk)], "format": "csv"}},
    )

- `kwargs` fills the URL's parameters with ids of B's objects; `bodies` / `query` give, per HTTP
  method, a request body / query string. Give VALID input, so that a missing tenancy check would
  write something and be caught, rather than bounce off validation.
- A case that names any object of B (in the URL, body or query) must answer 404 and change
  nothing. A case that names none (lists, `me`, creating something of one's own; pass
  `reaches_b=False` when it has a body or query) must answer without a 5xx, mention no
  identifier of B, and change nothing of B. A list filtered by a B id answers an empty list:
  register it with `reaches_b=False` too.
- Register a route several times with different `label`s to try several B references.
- Methods are read from the view class; pass `methods=(...)` for plain Django views.
- `auth_kinds` defaults to API key and session; register another kind (e.g. the Argilla key
  header) with `register_auth_kind("argilla", make_client)` and pass `auth_kinds=("argilla",)`.
  A new prefix (e.g. "argilla/") goes in with `register_prefix("argilla/")`.
- If your app adds models, register a snapshot of B's rows with `register_snapshot(fn)` where
  `fn(b)` returns a dict {name: list of row dicts}; the matrix compares it before and after.
"""

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rest_framework.test import APIClient

PREFIXES: list[str] = ["api/"]
CSRF = "isolationmatrixcsrftoken00000000"  # 32 characters: a valid unmasked CSRF secret


@dataclass(frozen=True)
class Case:
    route: str
    method: str
    label: str
    kwargs: Callable[[Any], dict] | None
    body: Callable[[Any], Any] | None
    query: Callable[[Any], str] | None
    auth_kinds: tuple[str, ...]
    reaches_b: bool

    @property
    def names_b(self) -> bool:
        return self.reaches_b

    @property
    def id(self) -> str:
        return f"{self.method} /{self.route}" + (f" [{self.label}]" if self.label else "")


CASES: list[Case] = []
DECLARED_METHODS: dict[str, tuple[str, ...]] = {}
WORLD_OBJECTS: dict[str, Callable] = {}
SNAPSHOTS: list[Callable] = []


def _token_client(user):
    from accounts.services import api_key_create

    _, secret = api_key_create(actor=None, user=user, name="isolation")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _session_client(user):
    """A logged-in browser session that passes CSRF, so a 403 from CSRF cannot hide a missing 404."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    client.credentials(HTTP_X_CSRFTOKEN=CSRF)
    return client


AUTH_KINDS: dict[str, Callable] = {"token": _token_client, "session": _session_client}


def register(route: str, *, kwargs=None, bodies: dict | None = None, query: dict | None = None,
             methods: tuple[str, ...] | None = None, auth_kinds: tuple[str, ...] = ("token", "session"),
             label: str = "", reaches_b: bool | None = None) -> None:
    """Register one route's cases (one per method); see the module docstring.

    `reaches_b` says whether the request names an object of B (then: 404); by default, whether it has
    kwargs, a body or a query string. Pass False for input that names only the caller's own things.
    """
    bodies, query = bodies or {}, query or {}
    if methods is not None:
        # A route registered several times (different labels, different methods) declares all of them.
        declared = DECLARED_METHODS.get(route, ()) + tuple(m.upper() for m in methods)
        DECLARED_METHODS[route] = tuple(dict.fromkeys(declared))
    for method in methods or _view_methods(route):
        method = method.upper()
        body, params = bodies.get(method), query.get(method)
        names_b = reaches_b if reaches_b is not None else (kwargs is not None or body is not None or params is not None)
        CASES.append(Case(route, method, label, kwargs, body, params, auth_kinds, names_b))


def register_auth_kind(name: str, make_client: Callable) -> None:
    AUTH_KINDS[name] = make_client


def register_prefix(prefix: str) -> None:
    if prefix not in PREFIXES:
        PREFIXES.append(prefix)


def register_snapshot(fn: Callable) -> Callable:
    SNAPSHOTS.append(fn)
    return fn


def world_object(name: str):
    """Declare an extra object of workspace B, built after the core world, available as `b.<name>`."""

    def decorate(fn):
        WORLD_OBJECTS[name] = fn
        return fn

    return decorate


def load_route_modules() -> list[Case]:
    """Import every `routes_*.py` of this package once; return all cases."""
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("routes_"):
            importlib.import_module(f"{__package__}.{module.name}")
    return CASES


def resolver_routes() -> dict[str, Any]:
    """{route string: callback} for every URL pattern under PREFIXES."""
    from django.urls import get_resolver

    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            elif any(route.startswith(p) for p in PREFIXES):
                found[route] = pattern.callback

    walk(get_resolver().url_patterns, "")
    return found


def _view_methods(route: str) -> tuple[str, ...]:
    callback = resolver_routes().get(route)
    if callback is None:
        raise LookupError(f"No URL pattern has the route {route!r}; check the resolver's spelling.")
    return route_methods(route, callback)


def route_methods(route: str, callback) -> tuple[str, ...]:
    """A view class's own methods (so a registration naming only some of them leaves the rest
    missing); for plain views, the methods their registrations declared."""
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is not None:
        return tuple(m.upper() for m in view.http_method_names if m not in ("options", "head") and hasattr(view, m))
    if route in DECLARED_METHODS:
        return DECLARED_METHODS[route]
    raise LookupError(f"{route!r} is a plain view: register it with methods=(...).")


def url_for(route: str, kwargs: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


@dataclass
class World:
    """Workspace A (the callers) and workspace B (the objects they must not reach)."""

    callers: dict
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None
