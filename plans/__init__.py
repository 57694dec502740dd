"""Plans (step 1 and step 3 of the process).

models: Plan (territory, account or partner plan) with PlanVersion and ActionItem;
OpportunityPlan (versioned TAS plan) and the opportunity assessment (AssessmentQuestion,
Assessment, AssessmentAnswer); PlanSettings (depth thresholds, review grace). services:
every write (submit, decide, the assessment...); selectors: the live figures and version
compare; forms: the plan pages' forms; assessment_questions: the shipped question bank
(assessment_questions.json) and its loader; reminders/tasks: the quarterly review and
action items.
"""
