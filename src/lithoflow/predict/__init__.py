"""Classifying new boreholes with a trained run: the model to apply (the run refitted on all its
labelled boreholes, or its evaluated replicates), each borehole's lithology log at its own depth
samples with probabilities and flags, LAS output, log plots, the summary over boreholes and the
model card."""
