"""Rules in workflow/rules/ingest.smk: raw tables read, binned and merged into one dataset."""
