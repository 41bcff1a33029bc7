"""Checks for chapter 02's exercises."""
__all__ = []
