"""The example's models (app label "projects"). managed = False everywhere: the
tables are created with SQL and softdelete.enable() makes the active views."""

from django.db import models


# --- the application's models: the active views ------------------------------------
class Project(models.Model):
    slug = models.TextField(unique=True)
    name = models.TextField()

    class Meta:
        db_table = "projects_active"
        managed = False


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.TextField()

    class Meta:
        db_table = "tasks_active"
        managed = False


class Comment(models.Model):
    # Django leaves comments alone: the database's ON DELETE CASCADE handles them.
    task = models.ForeignKey(Task, on_delete=models.DO_NOTHING, related_name="comments")
    body = models.TextField()

    class Meta:
        db_table = "comments_active"
        managed = False


# --- admin side: the base tables ------------------------------------------------------
class ProjectRecord(models.Model):
    slug = models.TextField()
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "projects"
        managed = False


class TaskRecord(models.Model):
    project_id = models.IntegerField()
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "tasks"
        managed = False


class CommentRecord(models.Model):
    task_id = models.IntegerField()
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "comments"
        managed = False
