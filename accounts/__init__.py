"""Territories, customer accounts with their org charts (contacts), and partners.

models: Territory (a tree), Account, Contact (of an account or a partner), Partner.
services: every write; views/api: thin wrappers that call them.
"""
