"""Backups, verify, locks and the audit export."""
