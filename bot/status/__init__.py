"""/status: where a unit, a task or the whole campaign stands (services, text, chart)."""
