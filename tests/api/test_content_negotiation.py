"""The API answers in JSON whatever the client accepts, and says 406 only to a client that takes no
JSON at all; the shortcut for the common Accept headers (config.api.JsonNegotiation) changes none of it."""

import pytest


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html, */*;q=0.8"])
def test_clients_that_take_json_get_json(api_client_for, annotator, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = api_client_for(annotator).get("/api/me", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["username"] == "ann"


def test_an_indent_parameter_is_honoured(api_client_for, annotator):
    response = api_client_for(annotator).get("/api/me", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.startswith(b'{\n  "id"')


def test_a_client_that_takes_no_json_is_refused(api_client_for, annotator):
    response = api_client_for(annotator).get("/api/me", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


@pytest.mark.parametrize(("query", "status"), [("?format=json", 200), ("?format=xml", 404)])
def test_the_format_parameter_picks_among_the_renderers(api_client_for, annotator, query, status):
    assert api_client_for(annotator).get(f"/api/me{query}").status_code == status
