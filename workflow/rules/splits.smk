# Rules: splits (being written)
