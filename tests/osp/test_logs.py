import json
import logging

from osp.logs import JsonFormatter, RequestIdFilter, request_id


def test_every_response_carries_a_request_id_and_keeps_the_proxys(client, db):
    made = client.get("/login/")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/login/", HTTP_X_REQUEST_ID="edge-42")["X-Request-ID"] == "edge-42"
    # Anything that could forge a log line is replaced.
    forged = client.get("/login/", HTTP_X_REQUEST_ID='x"\ninjected')["X-Request-ID"]
    assert forged != 'x"\ninjected' and len(forged) == 32


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord("osp", logging.ERROR, __file__, 1, "sync failed: %s", ("x",),
                               None)
    token = request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123" and line["message"] == "sync failed: x"
    assert line["level"] == "ERROR"
