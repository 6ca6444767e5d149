# Rules: report (being written)
