"""A plan for people: the summary in words and small tables, and the plan's folder."""

from coprod.report.summary import summary_markdown

__all__ = ["summary_markdown"]
