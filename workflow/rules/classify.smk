# Rules: classify (being written)
