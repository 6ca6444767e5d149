# Rules: validate (being written)
