"""HTML report for isolation-harness campaigns."""

from .render import render_html

__all__ = ["render_html"]
