"""`python -m lithoflow`: run the workflow with the recovering runner (`lithoflow.core.runner`)."""

from lithoflow.core.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
