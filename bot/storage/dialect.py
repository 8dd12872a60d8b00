"""The few spellings SQLite and PostgreSQL do not share, each named once.

Every other statement in `bot/storage/` is written once, in SQL both engines run, with `?`
placeholders (PostgreSQL's engine numbers them). A repository asks its executor's `dialect`
for these fragments instead of testing which engine it is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class SqliteDialect:
    name = "sqlite"

    def skip_locked(self) -> str:
        """The end of a SELECT of rows to claim that leaves out those another transaction is
        claiming; nothing on SQLite, where one write at a time already keeps claims apart."""
        return ""

    def json_items(self, column: str, alias: str) -> str:
        """A FROM item with one row per element of the JSON array in `column`; its element
        is `alias.value`."""
        return f"json_each({column}) AS {alias}"

    def json_text(self, item: str, key: str) -> str:
        """The text at `key` of the JSON object `item`, NULL when absent."""
        return f"json_extract({item}, '$.{key}')"

    def ticket_words(self, words: Iterable[str]) -> tuple[str, list[object]]:
        """A condition on `id` keeping tickets whose customer's name or fault description has
        a word starting with each of `words`, in any case, and its parameters.

        The full-text index `ticket_words` folds case in every alphabet; each word is quoted
        (its own quotes doubled), so nothing typed is FTS syntax.
        """
        match = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
        return "id IN (SELECT rowid FROM ticket_words WHERE ticket_words MATCH ?)", [match]


class PostgresDialect:
    name = "postgresql"

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def json_items(self, column: str, alias: str) -> str:
        return f"jsonb_array_elements(CAST({column} AS jsonb)) AS {alias}(value)"

    def json_text(self, item: str, key: str) -> str:
        return f"({item} ->> '{key}')"

    def ticket_words(self, words: Iterable[str]) -> tuple[str, list[object]]:
        """As SQLite's, by a case-insensitive regular expression per word.

        ICU's root collation makes the match fold case, and find word starts, in every
        alphabet whatever the database's locale. Like SQLite's tokenizer, only a word's letters
        and digits count (typed quotes and stars are not syntax), and a word of several parts
        (`wi-fi`) is those parts in a row. Unlike it, accents are not folded (`ё` is not `е`).
        The search reads every ticket: an index for it is a later slice's.
        """
        patterns = [
            r"\m" + r"\W+".join(re.escape(part) for part in parts)
            for parts in (re.findall(r"\w+", word) for word in words)
            if parts
        ]
        if not patterns:
            return "FALSE", []
        text = (
            "(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || ' '"
            ' || coalesce(t.description, \'\')) COLLATE "und-x-icu"'
        )
        matches = " AND ".join(f"{text} ~* ?" for _ in patterns)
        return (
            "id IN (SELECT t.id FROM tickets AS t LEFT JOIN customers AS c"
            f" ON c.user_id = t.customer_id WHERE {matches})",
            patterns,
        )


Dialect = SqliteDialect | PostgresDialect
SQLITE = SqliteDialect()
POSTGRES = PostgresDialect()
