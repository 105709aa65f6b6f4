"""Domain operations. Each takes an SQLAlchemy session and knows nothing of HTTP."""
