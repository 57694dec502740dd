"""Opportunities and the selling cycle.

models: Opportunity (the stage is a protected django-fsm-2 field), its partners, team,
competitors and activities, ExchangeRate; the cycle's records (StageChange, Attestation,
ApprovalRequest/ApprovalDecision, FinanceRecord: append-only), WinLossAnalysis,
ServicesHandover, StepGuide/SalesTool (guidance; the shipped text is step_guides.json,
loaded by step_guides and `manage.py load_step_guides`); models/deal_plan.py: the deal's
plan (OpportunityPlan, versioned), its required depth (DealPlanSettings) and the
opportunity assessment (the shipped questions: assessment_questions.json, `manage.py
load_assessment_questions`), all of which feed the stage-3 gate; models/stage_categories.py:
the forecast category of each stage. criteria: the gate catalogue; selling_cycle: its
services; services: edits of the record itself, its plan and assessment; selectors: the
page's reads; risks: the deal risk flags; views/cycle_views/api/api_cycle: browser and
API; tasks/reminders: scheduled work.
"""
