"""Indexes of the LRS tables, after measuring them over 1,000,000 statements
(bench/xapi.py, docs/performance.md): drop the two indexes no query uses
(agent and activity filters read the relation table) and the single-column
foreign key indexes that a composite index or the unique constraint already
starts with. Fewer indexes to maintain on every stored batch.

The foreign keys change in the state only; in the database just their
indexes go (Django's AlterField would also drop and re-validate each foreign
key constraint, a full scan of a table of millions of rows, for nothing)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The names Django gave the foreign keys' indexes (migrations 0003 and 0004).
DROPPED_FK_INDEXES = [
    ("progress_xapistatement_actor_user_id_79062436", "progress_xapistatement", "actor_user_id"),
    ("progress_xapistatement_client_id_025b12da", "progress_xapistatement", "client_id"),
    (
        "progress_xapistatementrelation_statement_id_344a552e",
        "progress_xapistatementrelation",
        "statement_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0004_xapi_documents_attachments_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="xapistatement", name="xapi_stmt_actor"),
        migrations.RemoveIndex(model_name="xapistatement", name="xapi_stmt_activity"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="xapistatement",
                    name="actor_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="xapistatement",
                    name="client",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="statements",
                        to="progress.xapiclient",
                    ),
                ),
                migrations.AlterField(
                    model_name="xapistatementrelation",
                    name="statement",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations",
                        to="progress.xapistatement",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in DROPPED_FK_INDEXES
            ],
        ),
    ]
