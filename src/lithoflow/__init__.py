"""lithoflow: IODP LILY core physical properties to lithology datasets, models and reports."""

__version__ = "0.1.0"
