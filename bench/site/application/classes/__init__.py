"""Data shared by the jetpy site and the Flask and floor implementations."""
