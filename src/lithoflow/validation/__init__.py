"""Rules in workflow/rules/validate.smk: hierarchy and reconstruction validation and figures."""
