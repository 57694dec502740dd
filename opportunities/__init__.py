"""Opportunities: the deals that move through the selling cycle.

models: Opportunity (the stage is a protected django-fsm-2 field; only transitions,
issue #3, may change it), its partners, team, competitors and activities, and
ExchangeRate (amounts are also kept in the base currency for rollups).
services: every write; views/api: thin wrappers that call them.
"""
