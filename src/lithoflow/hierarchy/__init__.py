"""Rules in workflow/rules/hierarchy.smk: each lithology label mapped to a group."""
