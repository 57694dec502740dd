"""Territory, account, partner and opportunity (TAS) plans and their quarterly review.

Not built yet: issue #4. The app exists so the project's map is stable from the start.
"""
