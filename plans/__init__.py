"""Territory, account and partner plans (step 1 of the process) and action items.

models: Plan with PlanVersion (what was submitted and decided) and ActionItem (on a plan or
a deal); PlanSettings (the quarterly review's grace and escalation). services: every write
(create, save, submit, decide, action items); selectors: the live figures and version
compare; forms: the plan pages' forms; reminders/tasks: the quarterly review and action
items. The deal's own plan and its assessment feed the stage-3 gate and live in
opportunities (models/deal_plan.py).
"""
