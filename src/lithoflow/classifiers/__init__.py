"""Lithology classifiers: the model-kind registry, the MLP and gradient boosting, the run spec, its
data, its evaluation and its saved input pipeline.
"""
