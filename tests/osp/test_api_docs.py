def test_the_openapi_schema_is_served(people, api):
    response = api(people.rep_a).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/opportunities/", "/api/v1/accounts/", "/api/v1/contacts/",
                 "/api/v1/partners/", "/api/v1/territories/", "/api/v1/users/",
                 "/api/v1/auth/token/"):
        assert path in paths


def test_the_docs_work_offline(people, client):
    client.force_login(people.rep_a)
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_a_token_is_issued_for_username_and_password(people, api):
    response = api().post("/api/v1/auth/token/", {"username": "rep_a", "password": "pw"})
    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/opportunities/").status_code == 200
    bad = api().post("/api/v1/auth/token/", {"username": "rep_a", "password": "nope"})
    assert bad.status_code == 400
