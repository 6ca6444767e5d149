# Rules: hierarchy (being written)
