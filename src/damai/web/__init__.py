"""The web layer. For now a minimal page; the dashboard (issue #4) grows here."""
