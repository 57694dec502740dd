"""The stage-based forecast.

models: StageCategory (category and probability per stage), Quota, ForecastAdjustment,
ForecastSnapshot/SnapshotLine, RiskRuleSetting. selectors: rollups for any node and period;
changes: what changed between snapshots; risks: the risk-flag rules; export: the .xlsx;
services: adjustments and snapshots; views/api: the page and the API; tasks: the weekly
snapshot. Its benchmark is benchmarks/ (bench_forecast).
"""
