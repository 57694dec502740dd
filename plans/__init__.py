"""Plans. For now the opportunity (TAS) plan that the stage-3 gate checks: versioned, with
the sections the deal's size requires. Territory, account and partner plans, the
20-question assessment and the quarterly review come with issue #4.
"""
