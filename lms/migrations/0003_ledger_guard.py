"""Ledger checkpoints, and on PostgreSQL triggers that keep ledger rows append-only.

UPDATE and DELETE of a row and TRUNCATE of the table raise. The one escape
hatch is for TRUNCATE only: a transaction that has run
``SET LOCAL jiangxue.ledger_maintenance = 'on'`` may empty the tables. Only the
flush of the test database sets it (tests/conftest.py); no application code
does (docs/operations.md). Someone who can disable triggers (the table's owner
or a superuser) can still tamper: that is what ``verify_ledger`` and the signed
checkpoints are for.
"""

from django.db import migrations, models

GUARDED_TABLES = ("lms_ledgerentry", "lms_ledgercheckpoint")

# One statement per execute(), without parameters: the RAISE formats use "%".
CREATE_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION lms_ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Append a correcting entry instead.';
END
$$""",
    """
CREATE OR REPLACE FUNCTION lms_ledger_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Escape hatch for emptying a test database; see migration lms 0003.
    IF current_setting('jiangxue.ledger_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'ledger rows are append-only: TRUNCATE of % refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$""",
]

CREATE_TRIGGERS = [
    "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
    " FOR EACH ROW EXECUTE FUNCTION lms_ledger_refuse_change()",
    "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION lms_ledger_refuse_truncate()",
]
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
    "DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
]
DROP_FUNCTIONS = [
    "DROP FUNCTION IF EXISTS lms_ledger_refuse_change()",
    "DROP FUNCTION IF EXISTS lms_ledger_refuse_truncate()",
]


def create_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in CREATE_FUNCTIONS:
        schema_editor.execute(sql, params=None)
    for table in GUARDED_TABLES:
        for sql in CREATE_TRIGGERS:
            schema_editor.execute(sql.format(table=table), params=None)


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in GUARDED_TABLES:
        for sql in DROP_TRIGGERS:
            schema_editor.execute(sql.format(table=table), params=None)
    for sql in DROP_FUNCTIONS:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('lms', '0002_ledger'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=32, verbose_name='chain')),
                ('tree_size', models.BigIntegerField(verbose_name='tree size')),
                ('root_hash', models.CharField(max_length=64, verbose_name='root hash')),
                ('signed_at', models.DateTimeField(verbose_name='signed at')),
                ('signature', models.CharField(max_length=128, verbose_name='signature')),
                ('key_id', models.CharField(max_length=16, verbose_name='key id')),
            ],
            options={
                'verbose_name': 'ledger checkpoint',
                'verbose_name_plural': 'ledger checkpoints',
                'constraints': [models.UniqueConstraint(fields=('chain', 'tree_size'), name='ledger_checkpoint_size')],
            },
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
