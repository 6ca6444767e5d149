"""The training skeleton every model run shares: the run folder, the epoch loop with early
stopping, resumable checkpoints and the flat-parameter Adam of the hand-written steps.
"""
