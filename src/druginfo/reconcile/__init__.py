"""Reconciliation of claims across sources: agreement, conflict, single source, staleness."""

from druginfo.reconcile.report import ReconcileReport, TopicReport, reconcile

__all__ = ["ReconcileReport", "TopicReport", "reconcile"]
