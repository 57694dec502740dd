"""The reference client of the sync API: push a Siebel-style export into OSP, pull OSP's
changes back out in Siebel's terms.

    python manage.py sync_siebel push --url https://osp.example.com --token osp_...
        [--source siebel-demo] [--dir sync/siebel_export] [--batch-size 200]
    python manage.py sync_siebel pull --url https://osp.example.com --token osp_...
        [--dir sync/siebel_export] [--state var/sync_siebel_state.json]

The token may also come from the OSP_SYNC_TOKEN environment variable.

push reads <dir>/partners.json, accounts.json, contacts.json and opportunities.json (each
a list of records with Siebel field names), translates them with the mapping the server
publishes (GET /api/v1/sync/mapping/) and sends them in batches to
POST /api/v1/sync/<type>/batch/, in dependency order: partners, accounts, contacts
(without their manager first, then a second pass that sets "Manager Id", because a
reference must exist before it is used), opportunities. Every batch carries its own
Idempotency-Key; a batch whose answer is lost (network error, timeout, 502/503/504) is sent
again with the same key, so the server answers from its stored response and never writes
twice. A 429 waits for Retry-After.

pull follows GET /api/v1/sync/changes/ from the cursor saved in --state, merges the
changes into <dir>/from_osp/<type>.json (Siebel field names, keyed by "Id"; a deletion
removes the record and adds a tombstone to <type>.deleted.json) and saves the cursor after
every page, so an interrupted pull resumes where it stopped. When the cursor is older than
the server keeps changes (410), it reads every record again (GET /api/v1/sync/<type>/)
and continues from the head of the feed.

The client talks to OSP over HTTP only (urllib, standard library); it imports no model and
no service. The one project module it reads is sync.siebel, for the date fields and as the
mapping of last resort when a server does not publish one.
"""

import http.client
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sync import siebel

API = "/api/v1/sync"
PUSH_ORDER = ("partners", "accounts", "contacts", "opportunities")
MAX_BATCH = 500
PAGE = 500
RETRY_STATUSES = {502, 503, 504}
NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, TimeoutError,
                  http.client.HTTPException)
# References to other synced records: OSP field -> the record type it points to.
REFERENCES = {"account": "accounts", "reports_to": "contacts", "partner": "partners"}
# Read-only OSP values shown in a Siebel column that is never written.
READ_BACK = {"opportunities": {"Primary Revenue Win Probability": "probability"}}
OSP_ID = "OSP Id"
OSP_VERSION = "OSP Version"


# --- HTTP ---------------------------------------------------------------------------------

@dataclass
class HttpResponse:
    status: int
    headers: dict  # lower-case names
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


def urllib_send(method: str, url: str, body: bytes | None, headers: dict, *,
                timeout: float = 60) -> HttpResponse:
    """One HTTP exchange. An HTTP error status is an answer, not an exception; a network
    failure raises (URLError, ConnectionError, TimeoutError, HTTPException)."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return HttpResponse(r.status, {k.lower(): v for k, v in r.headers.items()},
                                r.read())
    except urllib.error.HTTPError as e:
        with e:
            return HttpResponse(e.code, {k.lower(): v for k, v in e.headers.items()},
                                e.read())


class ApiError(Exception):
    """The server refused the request (4xx, or 5xx other than 502/503/504)."""

    def __init__(self, method: str, url: str, response: HttpResponse):
        self.status = response.status
        try:
            self.problem = response.json() or {}
        except ValueError:
            self.problem = {}
        if not isinstance(self.problem, dict):
            self.problem = {}
        code = self.problem.get("code", "")
        detail = self.problem.get("detail") or self.problem.get("title") or \
            response.body[:200].decode("utf-8", "replace")
        errors = self.problem.get("errors")
        super().__init__(f"{method} {url}: HTTP {self.status} {code}: {detail}"
                         + (f" {json.dumps(errors, ensure_ascii=False)}" if errors else ""))


class GaveUp(Exception):
    """The network kept failing."""


def retry_after(headers: dict) -> float:
    try:
        return max(0.0, float(headers.get("retry-after", "1")))
    except ValueError:  # an HTTP date: rare enough to just wait a little
        return 5.0


class OspClient:
    """The sync API over HTTP. `transport(method, url, body, headers)` does one exchange
    (replace it to inject faults); `request` adds the token, retries network failures and
    502/503/504 with backoff (the same body and Idempotency-Key each time) and waits
    Retry-After on 429."""

    def __init__(self, base_url: str, token: str, *, transport=None, sleep=time.sleep,
                 timeout: float = 60, max_tries: int = 5, max_throttled: int = 20,
                 backoff: float = 0.5, log=None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.transport = transport or self._send
        self.sleep = sleep
        self.timeout = timeout
        self.max_tries, self.max_throttled, self.backoff = max_tries, max_throttled, backoff
        self.log = log or (lambda message: None)

    def _send(self, method, url, body, headers) -> HttpResponse:
        return urllib_send(method, url, body, headers, timeout=self.timeout)

    def request(self, method: str, path: str, *, params: dict | None = None, body=None,
                idempotency_key: str | None = None) -> HttpResponse:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self.token}",
                   "Accept": "application/json, application/problem+json",
                   "User-Agent": "osp-sync-siebel/1"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        failures = throttled = 0
        while True:
            try:
                response = self.transport(method, url, data, headers)
            except NETWORK_ERRORS as e:
                trouble = f"{type(e).__name__}: {e}"
            else:
                if response.status == 429 and throttled < self.max_throttled:
                    throttled += 1
                    wait = retry_after(response.headers)
                    self.log(f"{method} {path}: rate limited, waiting {wait:g} s")
                    self.sleep(wait)
                    continue
                if response.status not in RETRY_STATUSES:
                    if response.status >= 400:
                        raise ApiError(method, url, response)
                    return response
                trouble = f"HTTP {response.status}"
            failures += 1
            if failures >= self.max_tries:
                raise GaveUp(f"{method} {url}: gave up after {failures} tries ({trouble}).")
            wait = self.backoff * 2 ** (failures - 1)
            same_key = " with the same Idempotency-Key" if idempotency_key else ""
            self.log(f"{method} {path}: {trouble}; trying again{same_key} in {wait:g} s "
                     f"({failures + 1} of {self.max_tries})")
            self.sleep(wait)

    # The endpoints.

    def mapping(self) -> dict:
        return self.request("GET", f"{API}/mapping/").json()

    def push_batch(self, rtype: str, records: list[dict]) -> tuple[list[dict], bool]:
        """The row results, in order, and whether the server replayed a stored answer."""
        response = self.request("POST", f"{API}/{rtype}/batch/",
                                body={"records": records, "all_or_none": False},
                                idempotency_key=str(uuid.uuid4()))
        results = response.json()["results"]
        if len(results) != len(records):
            raise ApiError("POST", f"{API}/{rtype}/batch/", HttpResponse(
                500, {}, b"The server answered for another number of records."))
        return results, response.headers.get("idempotent-replayed") == "true"

    def changes(self, cursor: int, limit: int | None = None, types=None) -> dict:
        params = {"cursor": cursor, "limit": limit or PAGE}
        if types:
            params["types"] = ",".join(types)
        return self.request("GET", f"{API}/changes/", params=params).json()

    def records(self, rtype: str, after: int = 0, limit: int | None = None) -> dict:
        return self.request("GET", f"{API}/{rtype}/",
                            params={"after": after, "limit": limit or PAGE}).json()


# --- The mapping --------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Mapping:
    """Siebel <-> OSP, from the published mapping (sync.siebel.mapping()'s shape)."""

    def __init__(self, published: dict):
        self.stages = published["sales_stages"]
        self.fields = published["fields"]
        self.partner_types = published["partner_types"]
        self.industries = published["industries"]
        self.date_fields = set(siebel.DATE_FIELDS)
        self.date_format = siebel.SIEBEL_DATE_FORMAT
        self.values = {"stage": self.stages, "type": self.partner_types,
                       "industry": self.industries}
        self.inverse = {name: {osp: s for s, osp in table.items()}
                        for name, table in self.values.items()}
        self.reference_columns = {column: REFERENCES[name]
                                  for fields in self.fields.values()
                                  for column, name in fields.items() if name in REFERENCES}

    # Siebel -> OSP

    def to_osp(self, rtype: str, row: dict, source: str) -> tuple[dict, set[str]]:
        """The sync record for a Siebel row, and the columns the mapping does not know."""
        fields = self.fields[rtype]
        record = {"source": source}
        for column, value in row.items():
            if column not in fields:
                continue
            name = fields[column]
            if name is None:
                continue
            record[name] = self._osp_value(name, value)
        if _blank(record.get("owner")):
            record.pop("owner", None)  # keep the current owner (a new record: the client)
        return record, set(row) - set(fields)

    def _osp_value(self, name: str, value):
        if name == "external_id":
            return value if not isinstance(value, int | float) else str(value)
        if name in REFERENCES:
            return None if _blank(value) else str(value)
        if name in self.values:
            return self.values[name].get(value, value)
        if name in self.date_fields:
            if _blank(value):
                return None
            try:
                return datetime.strptime(value.strip(), self.date_format).date().isoformat()
            except (AttributeError, ValueError):
                return value  # the server says what is wrong with it
        if name in ("amount", "po_amount"):
            if _blank(value):
                return None
            return str(value).replace(",", "").strip() if isinstance(value, str) else str(value)
        if value is None:
            return ""
        return value

    # OSP -> Siebel

    def siebel_id(self, wire: dict, source: str) -> str:
        if wire.get("source") == source and wire.get("external_id"):
            return wire["external_id"]
        return f"OSP-{wire['id']}"

    def to_siebel(self, rtype: str, wire: dict, source: str, ids: dict) -> dict:
        """The Siebel row for a record as the API shows it. `ids`: type -> {OSP id: Siebel
        Id} of the records known so far, to name references."""
        row = {}
        for column, name in self.fields[rtype].items():
            if name == "external_id":
                row[column] = self.siebel_id(wire, source)
            elif name is None:
                read_back = READ_BACK.get(rtype, {}).get(column)
                if read_back:
                    row[column] = wire.get(read_back)
            elif name in REFERENCES:
                row[column] = self._reference(name, wire, source, ids)
            elif name in self.values:
                value = wire.get(name)
                row[column] = self.inverse[name].get(value, value or "")
            elif name in self.date_fields:
                value = wire.get(name)
                row[column] = (date.fromisoformat(value).strftime(self.date_format)
                               if value else "")
            else:
                value = wire.get(name)
                row[column] = "" if value is None else value
        row[OSP_ID] = wire["id"]
        row[OSP_VERSION] = wire.get("version")
        return row

    @staticmethod
    def _reference(name: str, wire: dict, source: str, ids: dict) -> str:
        target = wire.get(f"{name}_id")
        if target is None:
            return ""
        if wire.get("source") == source and wire.get(name):
            return wire[name]  # the other record's key in our own source
        return ids.get(REFERENCES[name], {}).get(target, f"OSP-{target}")


# --- Local files --------------------------------------------------------------------------

def write_json(path: Path, data) -> None:
    """Atomically: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path, default):
    if not path.exists():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise CommandError(f"{path} is not valid JSON: {e}") from None


@dataclass
class Store:
    """<dir>/from_osp: per type, the live records (by OSP id) and the tombstones."""

    folder: Path
    reference_columns: dict  # Siebel column naming another record -> that record's type
    records: dict = field(default_factory=dict)     # type -> {osp id: row}
    tombstones: dict = field(default_factory=dict)  # type -> {osp id: tombstone}

    def path(self, rtype, deleted=False) -> Path:
        return self.folder / (f"{rtype}.deleted.json" if deleted else f"{rtype}.json")

    def load(self) -> "Store":
        for rtype in PUSH_ORDER:
            self.records[rtype] = {r[OSP_ID]: r for r in read_json(self.path(rtype), [])
                                   if isinstance(r, dict) and OSP_ID in r}
            self.tombstones[rtype] = {t[OSP_ID]: t for t in read_json(self.path(rtype, True),
                                                                      [])
                                      if isinstance(t, dict) and OSP_ID in t}
        return self

    def ids(self) -> dict:
        return {rtype: {pk: row["Id"] for pk, row in rows.items()}
                for rtype, rows in self.records.items()}

    def upsert(self, rtype: str, row: dict) -> bool:
        current = self.records[rtype].get(row[OSP_ID]) or self.tombstones[rtype].get(
            row[OSP_ID])
        if current and (current.get(OSP_VERSION) or 0) > (row[OSP_VERSION] or 0):
            return False  # older than what we have (a resync read it later)
        self.records[rtype][row[OSP_ID]] = row
        self.tombstones[rtype].pop(row[OSP_ID], None)
        return True

    def delete(self, rtype: str, tombstone: dict) -> bool:
        current = self.records[rtype].get(tombstone[OSP_ID])
        if current and (current.get(OSP_VERSION) or 0) > (tombstone[OSP_VERSION] or 0):
            return False
        self.records[rtype].pop(tombstone[OSP_ID], None)
        self.tombstones[rtype][tombstone[OSP_ID]] = tombstone
        return True

    def save(self) -> None:
        ids = self.ids()
        for rtype in PUSH_ORDER:
            rows = [self._resolve(row, ids) for _, row in sorted(self.records[rtype].items())]
            write_json(self.path(rtype), rows)
            write_json(self.path(rtype, True),
                       [t for _, t in sorted(self.tombstones[rtype].items())])

    def _resolve(self, row: dict, ids: dict) -> dict:
        """References written as OSP-<id> before their target arrived, now named by the
        target's Id."""
        for column, rtype in self.reference_columns.items():
            value = row.get(column)
            if isinstance(value, str) and value.startswith("OSP-") and value[4:].isdigit():
                row[column] = ids.get(rtype, {}).get(int(value[4:]), value)
        return row


# --- Push ---------------------------------------------------------------------------------

@dataclass
class Tally:
    sent: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0

    def add(self, status: str) -> None:
        self.sent += 1
        if status == "error":
            self.errors += 1
        else:
            setattr(self, status, getattr(self, status) + 1)

    def __str__(self):
        return (f"created {self.created}, updated {self.updated}, "
                f"unchanged {self.unchanged}, errors {self.errors}")


def describe(error: dict) -> str:
    text = f"{error.get('code')}: {error.get('message')}"
    if error.get("fields"):
        text += " " + "; ".join(f"{k}: {' '.join(map(str, v))}"
                                for k, v in error["fields"].items())
    if error.get("unmet"):
        text += " Unmet: " + "; ".join(str(u.get("text") or u.get("code"))
                                       for u in error["unmet"])
    return text


class Command(BaseCommand):
    help = ("Push a Siebel-style export to OSP's sync API, or pull OSP's changes back "
            "(reference client).")
    # For tests: call_command("sync_siebel", ..., transport=..., sleep=...).
    stealth_options = ("transport", "sleep")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["push", "pull"])
        parser.add_argument("--url", required=True, help="the OSP server, e.g. "
                                                         "http://127.0.0.1:8000")
        parser.add_argument("--token", default=os.environ.get("OSP_SYNC_TOKEN"),
                            help="an integration client's token (or OSP_SYNC_TOKEN)")
        parser.add_argument("--source", default="siebel-demo",
                            help="this system's name in OSP (default: siebel-demo)")
        parser.add_argument("--dir", default="sync/siebel_export",
                            help="the export to push; pull writes <dir>/from_osp/")
        parser.add_argument("--state", default="var/sync_siebel_state.json",
                            help="where pull keeps its cursor")
        parser.add_argument("--batch-size", type=int, default=200,
                            help=f"records per request, 1..{MAX_BATCH}")

    def handle(self, action, *, url, token, source, dir, state, batch_size, **options):
        if not token:
            raise CommandError("Give a token: --token or OSP_SYNC_TOKEN.")
        if not 1 <= batch_size <= MAX_BATCH:
            raise CommandError(f"--batch-size must be 1..{MAX_BATCH}.")
        self.client = OspClient(url, token, transport=options.get("transport"),
                                sleep=options.get("sleep") or time.sleep,
                                log=lambda m: self.stderr.write(m))
        self.source, self.folder = source, Path(dir)
        try:
            self.mapping = Mapping(self._published_mapping())
            if action == "push":
                self.push(batch_size)
            else:
                self.pull(Path(state))
        except (ApiError, GaveUp) as e:
            raise CommandError(str(e)) from None

    def _published_mapping(self) -> dict:
        try:
            return self.client.mapping()
        except ApiError as e:
            if e.status != 404:
                raise
            self.stderr.write("The server publishes no mapping; using sync.siebel's.")
            return siebel.mapping()

    # --- push ---

    def push(self, batch_size: int):
        tallies: dict[str, Tally] = {}
        for rtype in PUSH_ORDER:
            rows = self._read_export(rtype)
            if rows is None:
                continue
            records, ignored = [], set()
            for row in rows:
                record, unknown = self.mapping.to_osp(rtype, row, self.source)
                records.append(record)
                ignored |= unknown
            if ignored:
                self.stderr.write(f"{rtype}: ignoring columns the mapping does not know: "
                                  f"{', '.join(sorted(ignored))}")
            if rtype != "contacts":
                tallies[rtype] = self._push(rtype, rtype, records, batch_size)
                continue
            # A manager must exist before anyone reports to them: first everyone without
            # their manager (clearing one is safe), then the managers.
            first = [{k: v for k, v in r.items() if k != "reports_to" or v is None}
                     for r in records]
            failed: set[str] = set()
            tallies[rtype] = self._push(rtype, rtype, first, batch_size, failed)
            second = [{"source": r["source"], "external_id": r["external_id"],
                       "reports_to": r["reports_to"]} for r in records
                      if r.get("reports_to") and r["external_id"] not in failed]
            if second:
                tallies["contacts (managers)"] = self._push(
                    "contacts (managers)", rtype, second, batch_size)
        self.stdout.write("Summary:")
        for label, tally in tallies.items():
            self.stdout.write(f"  {label}: {tally.sent} sent: {tally}")
        errors = sum(t.errors for t in tallies.values())
        if errors:
            raise CommandError(f"{errors} record(s) were refused; see the errors above.")
        self.stdout.write("Done: every record is in OSP.")

    def _read_export(self, rtype: str) -> list | None:
        path = self.folder / f"{rtype}.json"
        if not path.exists():
            self.stdout.write(f"{rtype}: no {path}, skipped")
            return None
        rows = read_json(path, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CommandError(f"{path} must hold a JSON list of records.")
        return rows

    def _push(self, label: str, rtype: str, records: list, batch_size: int,
              failed: set | None = None) -> Tally:
        tally = Tally()
        for start in range(0, len(records), batch_size):
            chunk = records[start:start + batch_size]
            results, replayed = self.client.push_batch(rtype, chunk)
            for result in results:
                tally.add(result["status"])
                if result["status"] == "error":
                    if failed is not None:
                        failed.add(result["external_id"])
                    for error in result["errors"]:
                        self.stderr.write(f"  {rtype} {result['external_id']}: "
                                          f"{describe(error)}")
            note = " [answer replayed by the server]" if replayed else ""
            self.stdout.write(f"{label}: {tally.sent}/{len(records)} ({tally}){note}")
        return tally

    # --- pull ---

    def pull(self, state_path: Path):
        state = read_json(state_path, {})
        cursor = state.get("cursor", 0) if isinstance(state, dict) else 0
        if not isinstance(cursor, int) or cursor < 0:
            raise CommandError(f"{state_path}: the cursor must be a whole number.")
        store = Store(self.folder / "from_osp", self.mapping.reference_columns).load()
        received = 0
        self.stdout.write(f"Pulling changes after cursor {cursor}")
        while True:
            try:
                page = self.client.changes(cursor)
            except ApiError as e:
                if e.status != 410:
                    raise
                cursor = self._resync(store, e.problem, state_path)
                continue
            ids = store.ids()
            for change in page["changes"]:
                self._apply(store, change, ids)
            received += len(page["changes"])
            store.save()
            cursor = page["next_cursor"]
            write_json(state_path, {"cursor": cursor})
            self.stdout.write(f"changes: {received} received, cursor {cursor}")
            if not page["has_more"]:
                break
        self.stdout.write(f"Done: {received} change(s); cursor {cursor} saved in "
                          f"{state_path}; files in {store.folder}")

    def _apply(self, store: Store, change: dict, ids: dict) -> None:
        rtype = change["type"]
        if rtype not in store.records:
            return
        if change["op"] == "delete":
            store.delete(rtype, {"Id": self.mapping.siebel_id(change, self.source),
                                 OSP_ID: change["id"], OSP_VERSION: change["version"],
                                 "Deleted At": change["changed_at"]})
        else:
            row = self.mapping.to_siebel(rtype, change["data"], self.source, ids)
            if store.upsert(rtype, row):
                ids.setdefault(rtype, {})[row[OSP_ID]] = row["Id"]

    def _resync(self, store: Store, problem: dict, state_path: Path) -> int:
        head = problem.get("head")
        if not isinstance(head, int):
            raise CommandError("The server expired the cursor but named no head to resume "
                               "from.")
        self.stdout.write(f"The cursor is older than the server keeps changes "
                          f"({problem.get('detail', '')}); reading every record again.")
        fresh = {rtype: {} for rtype in PUSH_ORDER}
        ids: dict = {rtype: {} for rtype in PUSH_ORDER}
        for rtype in PUSH_ORDER:
            after = 0
            while True:
                page = self.client.records(rtype, after=after)
                for wire in page["records"]:
                    row = self.mapping.to_siebel(rtype, wire, self.source, ids)
                    fresh[rtype][row[OSP_ID]] = row
                    ids[rtype][row[OSP_ID]] = row["Id"]
                self.stdout.write(f"resync {rtype}: {len(fresh[rtype])} records")
                if not page["has_more"] or page["next_after"] is None:
                    break
                after = page["next_after"]
        for rtype in PUSH_ORDER:
            # Known before, gone now: deleted while the feed was out of reach.
            for pk, row in store.records[rtype].items():
                if pk not in fresh[rtype]:
                    store.tombstones[rtype][pk] = {"Id": row["Id"], OSP_ID: pk,
                                                   OSP_VERSION: row.get(OSP_VERSION),
                                                   "Deleted At": None}
            for pk in fresh[rtype]:
                store.tombstones[rtype].pop(pk, None)
            store.records[rtype] = fresh[rtype]
        store.save()
        write_json(state_path, {"cursor": head})
        self.stdout.write(f"Resynced; following the feed from cursor {head}")
        return head
