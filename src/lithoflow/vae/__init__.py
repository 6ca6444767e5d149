"""The variational autoencoders: config, network, objectives, training steps, fitting, loading and
their embeddings.
"""
