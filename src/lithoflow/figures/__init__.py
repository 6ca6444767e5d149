"""Figures: one module per topic; `style` holds what they share."""
