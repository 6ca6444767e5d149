"""Rules in workflow/rules/vae.smk and classify.smk: scaling, the training skeleton, the VAE,
the classifiers, their checkpoints, embeddings and metrics."""
