"""The forecast. For now the quotas (per rep and per territory per quarter) that plans
compute their attainment against; the stage-based forecast, adjustments and snapshots are
issue #5.
"""
