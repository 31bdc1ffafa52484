"""Django ORM on softdelete: Model.delete() on a model whose db_table is the active view.

No project scaffolding: settings.configure() and django.setup() in this script, and
one app, projects/ (just models.py: Django's collector only follows relations of
installed apps), no migrations (managed = False: the tables are created with SQL and
softdelete.enable(), which makes the views).

What it asserts (exiting non-zero on the first wrong value):

* project.delete() returns Django's exact counts, (3, {'projects.Task': 2,
  'projects.Project': 1}): Django's collector deletes the tasks (on_delete=CASCADE)
  and the project through the active views, and each DELETE reports its rows.
* The rows leave the views (Project.objects, Task.objects) and stay in the base tables
  (ProjectRecord / TaskRecord, two unmanaged models on projects / tasks) with one
  deletion timestamp: Django deleted them in one transaction, one deletion event.
* A DELETE Django does not cascade itself (Comment.task is DO_NOTHING) is cascaded by
  the database: the ON DELETE CASCADE foreign key, soft-deleted by the extension.
* QuerySet.delete() reports the exact count (also on Django's fast path: a single
  DELETE ... WHERE on the view); a second delete of the same rows, none.
* The unique slug is free again once its project is deleted (partial unique index).
* Restore: ProjectRecord.objects.filter(pk=...).update(deleted_at=None) returns 1 and
  brings back the tasks and comments deleted in the same event.

Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import os
import sys

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["PGDATABASE"],
        "USER": os.environ.get("PGUSER", "app"),
        "HOST": os.environ["PGHOST"],          # a unix socket directory
        "PORT": os.environ.get("PGPORT", "5432"),
    }},
    INSTALLED_APPS=["projects"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import IntegrityError, connection, transaction  # noqa: E402

from projects.models import (Comment, CommentRecord, Project, ProjectRecord,  # noqa: E402
                             Task, TaskRecord)

SCHEMA = """
CREATE TABLE projects (
    id   serial PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    name text NOT NULL
);
CREATE TABLE tasks (
    id         serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects ON DELETE CASCADE,
    title      text NOT NULL
);
CREATE TABLE comments (
    id      serial PRIMARY KEY,
    task_id integer NOT NULL REFERENCES tasks ON DELETE CASCADE,
    body    text NOT NULL
);
SELECT softdelete.enable('projects');   -- and tasks, comments (cascade => true)
"""


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


def deleted_at(record_model):
    return dict(record_model.objects.order_by("id").values_list("id", "deleted_at"))


def ids(model):
    return list(model.objects.order_by("id").values_list("id", flat=True))


def main():
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)

    web = Project.objects.create(slug="web", name="Website")
    app = Project.objects.create(slug="app", name="Mobile app")
    t1 = Task.objects.create(project=web, title="landing page")
    t2 = Task.objects.create(project=web, title="blog")
    t3 = Task.objects.create(project=app, title="login")
    Comment.objects.create(task=t1, body="needs a hero image")
    Comment.objects.create(task=t2, body="use markdown")
    Comment.objects.create(task=t3, body="add passkeys")
    check("created", (ids(Project), ids(Task), ids(Comment)), ([1, 2], [1, 2, 3], [1, 2, 3]))

    # Model.delete(): Django collects the tasks and deletes them, then the project,
    # each a DELETE on a view; the counts are what the views report.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            event = cursor.fetchone()[0]
        result = web.delete()
    check("project.delete() counts", result,
          (3, {"projects.Task": 2, "projects.Project": 1}))
    check("Project.objects after the delete", ids(Project), [app.pk])
    check("Task.objects", ids(Task), [t3.pk])
    check("Comment.objects (cascaded by the database)", ids(Comment), [3])
    check("projects table: deleted_at = the transaction's now()",
          deleted_at(ProjectRecord), {1: event, 2: None})
    check("tasks table: the same deletion event", deleted_at(TaskRecord),
          {1: event, 2: event, 3: None})
    check("comments table: the same deletion event", deleted_at(CommentRecord),
          {1: event, 2: event, 3: None})
    check("Project.objects.filter(pk=1).exists()", Project.objects.filter(pk=1).exists(),
          False)

    # The unique slug is free again; its new owner blocks the old project's restore.
    newweb = Project.objects.create(slug="web", name="New website")
    check("a new project takes the deleted project's slug", newweb.pk, 3)
    try:
        with transaction.atomic():
            ProjectRecord.objects.filter(pk=1).update(deleted_at=None)
        check("restore while the slug is taken raises IntegrityError", False, True)
    except IntegrityError as exc:
        check("restore while the slug is taken fails with SQLSTATE",
              exc.__cause__.pgcode, "23505")
    check("QuerySet.delete() counts", Project.objects.filter(slug="web").delete(),
          (1, {"projects.Project": 1}))
    # Comment has no relations Django follows: QuerySet.delete() is one
    # DELETE ... WHERE on comments_active, and its count is what the view reports.
    check("Comment QuerySet.delete() (one DELETE statement)",
          Comment.objects.filter(task_id=t3.pk).delete(), (1, {"projects.Comment": 1}))
    check("the same delete again: nothing",
          Comment.objects.filter(task_id=t3.pk).delete(), (0, {}))
    check("comment 3 stays in the comments table",
          CommentRecord.objects.filter(pk=3, deleted_at__isnull=False).count(), 1)

    # Restore: an UPDATE of the base table; the tasks and comments of the same event
    # come back with it.
    check("restore: update() count",
          ProjectRecord.objects.filter(pk=1).update(deleted_at=None), 1)
    restored = Project.objects.get(pk=1)
    check("project 1 is back", (restored.slug, restored.name), ("web", "Website"))
    check("with its tasks", list(restored.tasks.order_by("id").values_list(
        "title", flat=True)), ["landing page", "blog"])
    check("and their comments", list(Comment.objects.filter(
        task__project=restored).order_by("id").values_list("body", flat=True)),
        ["needs a hero image", "use markdown"])
    check("projects table", deleted_at(ProjectRecord)[1], None)
    check("Project.objects", ids(Project), [1, 2])
    print("django example: all assertions passed")


if __name__ == "__main__":
    main()
