"""Sync with Siebel-style systems (issue #6): the contract is in the README ("Sync API").

- models.py: integration clients (hashed, revocable tokens), the change feed, stored
  responses for idempotent replays;
- feed.py: writes every change of a synced record to the feed, in commit order, and reads
  it back as a client may see it;
- records.py: what a synced record looks like over the wire, per type;
- services.py: upsert (one or a batch), soft delete, client tokens;
- api.py: the /api/v1/sync/ endpoints, problem+json errors, rate limits;
- siebel.py: the published Siebel field and sales-stage mapping;
- management/commands/sync_siebel.py: the reference client.
"""
