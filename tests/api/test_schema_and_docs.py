import re


def test_schema_is_openapi_3_and_public(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/datasets/{dataset_id}/next/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert all(a.startswith("/static/") or a.startswith("/api/") for a in assets), assets
