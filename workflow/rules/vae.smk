# Rules: vae (being written)
