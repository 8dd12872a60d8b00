"""Schema versions, applied in order at start-up; a released migration is never edited.

Times are UTC ISO-8601 text (`2026-11-26T09:00:00+00:00`), so they sort as they compare.
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE customers (
        user_id     INTEGER PRIMARY KEY,
        first_name  TEXT NOT NULL DEFAULT '',
        last_name   TEXT,
        username    TEXT,
        language    TEXT,
        phone       TEXT,
        created_at  TEXT NOT NULL,
        seen_at     TEXT NOT NULL
    );

    CREATE TABLE cases (
        id           INTEGER PRIMARY KEY,
        customer_id  INTEGER NOT NULL REFERENCES customers(user_id),
        category     TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        outcome      TEXT NOT NULL DEFAULT 'open'
                     CHECK (outcome IN ('open', 'self_resolved', 'booked', 'abandoned')),
        path         TEXT NOT NULL DEFAULT '[]',
        closed_at    TEXT
    );
    CREATE INDEX cases_started ON cases(started_at);
    CREATE INDEX cases_customer ON cases(customer_id, started_at);

    CREATE TABLE tickets (
        id             INTEGER PRIMARY KEY,
        code           TEXT NOT NULL UNIQUE,
        customer_id    INTEGER REFERENCES customers(user_id),
        workshop_code  TEXT NOT NULL,
        category       TEXT NOT NULL,
        slot_start     TEXT,
        status         TEXT NOT NULL,
        phone          TEXT,
        case_id        INTEGER REFERENCES cases(id),
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
    );
    CREATE INDEX tickets_customer ON tickets(customer_id, created_at);
    CREATE INDEX tickets_slot ON tickets(workshop_code, slot_start, status);
    CREATE INDEX tickets_workshop_status ON tickets(workshop_code, status, created_at);

    CREATE TABLE ticket_events (
        id           INTEGER PRIMARY KEY,
        ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
        at           TEXT NOT NULL,
        actor_id     INTEGER,
        actor_role   TEXT NOT NULL,
        kind         TEXT NOT NULL,
        from_status  TEXT,
        to_status    TEXT,
        note         TEXT
    );
    CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

    CREATE TABLE conversations (
        name   TEXT NOT NULL,
        key    TEXT NOT NULL,
        state  TEXT NOT NULL,
        PRIMARY KEY (name, key)
    );

    CREATE TABLE user_data (
        user_id  INTEGER PRIMARY KEY,
        data     TEXT NOT NULL
    );
    """,
]
