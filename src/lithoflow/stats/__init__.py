"""Statistics shared by every model and report: classification metrics, intervals, bootstrap and
group folds.
"""
