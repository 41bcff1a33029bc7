"""Checks for chapter 05's exercises."""
__all__ = []
