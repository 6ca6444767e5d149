# Rules: simulate (being written)
