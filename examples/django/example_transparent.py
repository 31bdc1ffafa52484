"""Django ORM, transparent mode (0.3.0): models on the tables themselves.

softdelete.enable('tracker_project', hide_deleted => true) and nothing else: the
models of the app tracker/ keep Django's default table names (tracker_project,
tracker_task, tracker_comment), no view, no custom manager, no soft-delete code.
settings.configure() and django.setup() in this script, as in example.py.

What it asserts (exiting non-zero on the first wrong value):

* project.delete() returns Django's exact counts, (3, {'tracker.Task': 2,
  'tracker.Project': 1}): each DELETE on a table reports its rows (the library is
  preloaded). The database cascades to the comments (DO_NOTHING in Django).
* Project.objects.all() (and Task, Comment) no longer shows the deleted rows; get()
  raises DoesNotExist; the rows are still in the tables, with one deletion timestamp.
* A second instance of an already deleted comment: delete() returns (0, ...).
* The trash: the same managers under SET LOCAL softdelete.visibility = 'deleted'.
* The unique slug is free again (partial unique index); its new owner blocks the
  restore with 23505.
* Restore in transaction.atomic(): SET LOCAL softdelete.visibility = 'deleted' and
  Project.objects.filter(pk=...).update(deleted_at=None) returns 1; the tasks and
  comments of the same deletion event come back with it.

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
    INSTALLED_APPS=["tracker"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import IntegrityError, connection, transaction  # noqa: E402

from tracker.models import Comment, Project, Task  # noqa: E402

SCHEMA = """
CREATE TABLE tracker_project (
    id   serial PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    name text NOT NULL
);
CREATE TABLE tracker_task (
    id         serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES tracker_project ON DELETE CASCADE,
    title      text NOT NULL
);
CREATE TABLE tracker_comment (
    id      serial PRIMARY KEY,
    task_id integer NOT NULL REFERENCES tracker_task ON DELETE CASCADE,
    body    text NOT NULL
);
-- and tracker_task, tracker_comment (cascade => true), with the same setting
SELECT softdelete.enable('tracker_project', hide_deleted => true);
"""


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


def ids(model):
    return list(model.objects.order_by("id").values_list("id", flat=True))


def set_visibility(value):
    """SET LOCAL softdelete.visibility: call it inside transaction.atomic()."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL softdelete.visibility = %s", [value])


def deleted_at(table):
    with transaction.atomic():
        set_visibility("all")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, deleted_at FROM {table} ORDER BY id")
            return dict(cursor.fetchall())


def main():
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)

    web = Project.objects.create(slug="web", name="Website")
    app = Project.objects.create(slug="app", name="Mobile app")
    t1 = Task.objects.create(project=web, title="landing page")
    t2 = Task.objects.create(project=web, title="blog")
    t3 = Task.objects.create(project=app, title="login")
    for task, body in [(t1, "needs a hero image"), (t2, "use markdown"),
                       (t3, "add passkeys")]:
        Comment.objects.create(task=task, body=body)
    check("created", (ids(Project), ids(Task), ids(Comment)),
          ([1, 2], [1, 2, 3], [1, 2, 3]))

    # Model.delete() on the tables: Django's collector gets exact counts.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            event = cursor.fetchone()[0]
        result = web.delete()
    check("project.delete() counts", result, (3, {"tracker.Task": 2, "tracker.Project": 1}))
    check("Project.objects.all()", list(Project.objects.all()), [app])
    check("Task.objects, Comment.objects", (ids(Task), ids(Comment)), ([3], [3]))
    try:
        Project.objects.get(pk=1)
        check("Project.objects.get(pk=1) raises DoesNotExist", False, True)
    except Project.DoesNotExist:
        check("Project.objects.get(pk=1) raises DoesNotExist", True, True)
    check("tracker_project: deleted_at = the transaction's now()",
          deleted_at("tracker_project"), {1: event, 2: None})
    check("tracker_task: the same event", deleted_at("tracker_task"),
          {1: event, 2: event, 3: None})
    check("tracker_comment: cascaded by the database", deleted_at("tracker_comment"),
          {1: event, 2: event, 3: None})

    # Two instances of one comment: the second delete() finds nothing to delete.
    first, second = Comment.objects.get(pk=3), Comment.objects.get(pk=3)
    check("comment.delete()", first.delete(), (1, {"tracker.Comment": 1}))
    check("the same comment again, from a stale instance", second.delete(),
          (0, {"tracker.Comment": 0}))

    # The trash: the same managers under visibility 'deleted'.
    with transaction.atomic():
        set_visibility("deleted")
        check("trash: projects", list(Project.objects.values_list("id", "slug")),
              [(1, "web")])
        check("trash: tasks and comments", (ids(Task), ids(Comment)),
              ([1, 2], [1, 2, 3]))

    # The unique slug is free again; its new owner blocks the restore.
    newweb = Project.objects.create(slug="web", name="New website")
    check("a new project takes the deleted project's slug", newweb.pk, 3)
    try:
        with transaction.atomic():
            set_visibility("deleted")
            Project.objects.filter(pk=1).update(deleted_at=None)
        check("restore while the slug is taken raises IntegrityError", False, True)
    except IntegrityError as exc:
        check("restore while the slug is taken fails with SQLSTATE",
              exc.__cause__.pgcode, "23505")
    check("QuerySet.delete()", Project.objects.filter(slug="web").delete(),
          (1, {"tracker.Project": 1}))

    # Restore: the tasks and comments of the same event come back with the project.
    with transaction.atomic():
        set_visibility("deleted")
        check("restore: update(deleted_at=None)",
              Project.objects.filter(pk=1).update(deleted_at=None), 1)
    restored = Project.objects.get(pk=1)
    check("project 1 is back", (restored.slug, restored.name, restored.deleted_at),
          ("web", "Website", None))
    check("with its tasks", list(restored.tasks.order_by("id").values_list(
        "title", flat=True)), ["landing page", "blog"])
    check("and their comments", list(Comment.objects.filter(
        task__project=restored).order_by("id").values_list("body", flat=True)),
        ["needs a hero image", "use markdown"])
    check("Project.objects", ids(Project), [1, 2])
    check("Comment.objects (comment 3 was deleted on its own)", ids(Comment), [1, 2])
    print("django transparent example: all assertions passed")


if __name__ == "__main__":
    main()
