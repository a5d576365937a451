"""Base for Celery tasks that work on one force's data.

Tasks take ids, never model instances, and run inside the force's scope, as a request does.
"""

from celery import Task
from django_scopes import scope


class ForceTask(Task):
    """Pass `force_id=` as a keyword argument; the task body runs inside that force's scope."""

    abstract = True

    def __call__(self, *args, **kwargs):
        force_id = kwargs.get("force_id")
        if force_id is None:
            raise TypeError(f"{self.name} needs force_id= to enter the force's scope.")
        with scope(force=force_id):
            return super().__call__(*args, **kwargs)
