"""Migration operations the project's migrations share."""

from django.db.migrations.operations.base import Operation


class AddTrigramIndex(Operation):
    """A pg_trgm GIN index on UPPER(column), what `icontains` compares
    (UPPER(col) LIKE UPPER('%...%')), so a search for any part of a text is an index scan.
    Built CONCURRENTLY: writes go on while a large table is indexed (about 10 s for
    1,000,000 rows), so the migration must say `atomic = False`. PostgreSQL only; other
    databases have no such index and get nothing."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, table: str, column: str, name: str):
        self.table, self.column, self.name = table, column, name

    def deconstruct(self):
        return self.__class__.__name__, [self.table, self.column, self.name], {}

    def state_forwards(self, app_label, state):
        pass  # not part of the models' state: makemigrations never sees it

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {self.name} ON {self.table} "
            f"USING gin (UPPER({self.column}::text) gin_trgm_ops)")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {self.name}")

    def describe(self):
        return f"Trigram index {self.name} on {self.table}.{self.column} (PostgreSQL)"
