"""Reusable UI pieces: the layout shell and shared widgets. No SQL here."""
