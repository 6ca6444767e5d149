# Rules: ingest (being written)
