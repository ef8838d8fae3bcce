"""The isolation matrix (DESIGN §9): generated from the URL resolver; see registry.py to add routes."""

import json

import pytest
from django.core.management import call_command

from .registry import AUTH_KINDS, load_route_modules, resolver_routes, route_methods, url_for
from .world import build_world, identifiers, snapshot

CASES = load_route_modules()
ROLES = ("admin", "annotator", "reviewer")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module and committed; each case runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


def _params():
    for case in CASES:
        for kind in case.auth_kinds:
            for role in ROLES:
                yield pytest.param(case, kind, role, id=f"{case.id} {kind} {role}")


@pytest.mark.parametrize(("case", "kind", "role"), list(_params()))
def test_workspace_b_is_out_of_reach(world, db, case, kind, role):
    client = AUTH_KINDS[kind](world.callers[role])
    url = url_for(case.route, case.kwargs(world) if case.kwargs else {})
    if case.query:
        url = f"{url}?{case.query(world)}"
    before = snapshot(world)
    body = case.body(world) if case.body else None
    response = client.generic(case.method, url, data="" if body is None else json.dumps(body),
                              content_type="application/json")
    after = snapshot(world)

    assert after == before, f"{case.id} as {role} ({kind}) changed workspace B"
    if case.names_b:
        assert response.status_code == 404, f"{case.id} as {role} ({kind}): {response.status_code}"
        assert response.json()["error"]["code"] == "not_found"
    else:
        assert response.status_code < 500
        content = response.content.decode(errors="replace")
        leaked = [token for token in identifiers(before) if token in content]
        assert not leaked, f"{case.id} as {role} ({kind}) mentions workspace B: {leaked}"


def test_every_route_is_in_the_matrix():
    """Every route × method under the matrix's prefixes has a case, and every case names a real route."""
    routes = resolver_routes()
    known = {(case.route, case.method) for case in CASES}
    expected = {(route, method) for route, callback in routes.items() for method in route_methods(route, callback)}
    missing, stale = sorted(expected - known), sorted(known - expected)
    assert not missing, "routes missing from tests/isolation (see registry.py to add them):\n" + "\n".join(map(str, missing))
    assert not stale, "cases for routes or methods that do not exist:\n" + "\n".join(map(str, stale))
