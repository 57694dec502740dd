"""Opportunities and the selling cycle.

models: Opportunity (the stage is a protected django-fsm-2 field), its partners, team,
competitors and activities, ExchangeRate; the cycle's records (StageChange, Attestation,
ApprovalRequest/ApprovalDecision, FinanceRecord: append-only), WinLossAnalysis,
ServicesHandover, StepGuide/SalesTool (guidance; the shipped text is step_guides.json,
loaded by step_guides and `manage.py load_step_guides`). criteria: the gate catalogue;
selling_cycle: its services; services: edits of the record itself; selectors: the page's
reads; views/cycle_views/api/api_cycle: browser and API; tasks/reminders: scheduled work.
"""
