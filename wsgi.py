"""WSGI entry point: ``gunicorn wsgi:app``."""
from incubator import create_app

app = create_app()
