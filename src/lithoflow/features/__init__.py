"""Features built from the inputs before a model sees them: depth context along each borehole,
rolling windows, scaling, missing values, and smoothing of predictions along depth.
"""
