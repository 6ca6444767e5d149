"""Reports: the investigation summary (`summary` and its `sections`), the leaderboard of the
classifier runs, and the checks of the ``report`` config section (`settings`).

Nothing is imported here, so that the settings' checks, read on every workflow start, do not load
the report builders.
"""
