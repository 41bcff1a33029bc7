"""Checks for chapter 06's exercises."""
__all__ = []
