"""Instructor-only grading machinery of the lrcourse course (not installed with lrcourse)."""
