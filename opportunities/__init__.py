"""Opportunities and the selling cycle.

models: Opportunity (the stage is a protected django-fsm-2 field), its partners, team,
competitors and activities, ExchangeRate; the cycle's records (StageChange, Attestation,
ApprovalRequest/ApprovalDecision, FinanceRecord: append-only), WinLossAnalysis,
ServicesHandover, StepGuide/SalesTool (guidance); models/deal_plan.py: the deal's plan
(OpportunityPlan, versioned), its required depth (DealPlanSettings) and the opportunity
assessment, all of which feed the stage-3 gate. criteria: the gate catalogue;
selling_cycle: its services; services: edits of the record itself, its plan and
assessment; selectors: the page's reads; risks: the deal risk flags;
views/cycle_views/api/api_cycle: browser and API; tasks/reminders: scheduled work.
"""
