"""The transparent example's models (app label "tracker"): Django's default table
names (tracker_project, ...), the tables themselves, no soft-delete code. managed =
False only because ../example_transparent.py creates the tables with SQL (ON DELETE
CASCADE foreign keys, as a migration's RunSQL would)."""

from django.db import models


class Project(models.Model):
    slug = models.TextField(unique=True)
    name = models.TextField()
    # Written by the extension; mapped so that a restore can be update(deleted_at=None).
    deleted_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        managed = False


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.TextField()

    class Meta:
        managed = False


class Comment(models.Model):
    # Django leaves comments alone: the database's ON DELETE CASCADE handles them.
    task = models.ForeignKey(Task, on_delete=models.DO_NOTHING, related_name="comments")
    body = models.TextField()

    class Meta:
        managed = False
