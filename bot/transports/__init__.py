"""Chat platforms at the edge of coordbot (issue 14 moves Telegram here too)."""
