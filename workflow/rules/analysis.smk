# Rules: analysis (being written)
