# The host's own Celery app, loaded with Django as its docs say: Renown's shared tasks bind
# to it, and Renown makes no app of its own.
from hostsite.celery import app as celery_app

__all__ = ["celery_app"]
