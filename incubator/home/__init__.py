"""The signed-in home page per role, and the language switch."""
