"""Checks for chapter 04's exercises."""
__all__ = []
