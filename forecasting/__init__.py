"""The stage-based forecast, quotas, manager adjustments and weekly snapshots.

Not built yet: issue #5. The app exists so the project's map is stable from the start.
"""
