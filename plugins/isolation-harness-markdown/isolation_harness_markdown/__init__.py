"""Markdown report for isolation-harness campaigns."""

from .render import render_markdown

__all__ = ["render_markdown"]
