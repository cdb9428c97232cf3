"""Commit statuses back to the SCM a build came from, and chat notifications on failure and
recovery: the watcher's second consumer of ``build.*``, outside the record path (docs/reporting.md).
"""
