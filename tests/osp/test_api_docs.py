def test_the_openapi_schema_is_served(people, api):
    response = api(people.rep_a).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/opportunities/", "/api/v1/accounts/", "/api/v1/contacts/",
                 "/api/v1/partners/", "/api/v1/territories/", "/api/v1/users/",
                 "/api/v1/sync/{type}/batch/", "/api/v1/sync/{type}/{source}/{external_id}/",
                 "/api/v1/sync/changes/"):
        assert path in paths


def test_the_docs_work_offline(people, client):
    client.force_login(people.rep_a)
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_the_schema_validates_without_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/sync/changes/" in (tmp_path / "schema.yml").read_text()
