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
    """
    ALTER TABLE customers ADD COLUMN client_language TEXT;
    ALTER TABLE customers ADD COLUMN blocked_at TEXT;

    CREATE TABLE staff (
        user_id        INTEGER PRIMARY KEY,
        workshop_code  TEXT NOT NULL,
        added_by       INTEGER,
        added_at       TEXT NOT NULL
    );
    CREATE INDEX staff_workshop ON staff(workshop_code);

    CREATE TABLE admins (
        user_id   INTEGER PRIMARY KEY,
        added_by  INTEGER,
        added_at  TEXT NOT NULL
    );

    ALTER TABLE tickets ADD COLUMN eta TEXT;
    ALTER TABLE tickets ADD COLUMN description TEXT;
    ALTER TABLE tickets ADD COLUMN status_since TEXT;
    UPDATE tickets SET status_since = updated_at;
    CREATE INDEX tickets_status_since ON tickets(status, status_since);
    CREATE INDEX tickets_created ON tickets(created_at);

    -- Amounts in minor units (kopecks): exact, never a float.
    CREATE TABLE estimates (
        id            INTEGER PRIMARY KEY,
        ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
        amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
        currency      TEXT NOT NULL,
        comment       TEXT,
        created_by    INTEGER NOT NULL,
        created_at    TEXT NOT NULL,
        answer        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (answer IN ('pending', 'approved', 'declined', 'superseded')),
        answered_at   TEXT
    );
    CREATE INDEX estimates_ticket ON estimates(ticket_id, id);
    CREATE INDEX estimates_created ON estimates(created_at);
    CREATE INDEX estimates_answered ON estimates(answered_at);
    CREATE INDEX ticket_events_to_status_at ON ticket_events(to_status, at);

    -- Single-use links that bind a walk-in ticket to the customer who opens them.
    CREATE TABLE claim_links (
        token      TEXT PRIMARY KEY,
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        created_at TEXT NOT NULL,
        used_at    TEXT,
        used_by    INTEGER
    );

    -- Every message the bot sends on its own initiative; the source of truth for delivery.
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        key         TEXT NOT NULL UNIQUE,
        chat_id     INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        params      TEXT NOT NULL,
        ticket_id   INTEGER REFERENCES tickets(id),
        due_at      TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        created_at  TEXT NOT NULL,
        done_at     TEXT
    );
    CREATE INDEX outbox_pending ON outbox(status, due_at);
    """,
    """
    CREATE INDEX outbox_ticket ON outbox(ticket_id, status);
    CREATE INDEX customers_seen ON customers(seen_at);

    CREATE TABLE feedback (
        ticket_id          INTEGER PRIMARY KEY REFERENCES tickets(id),
        customer_id        INTEGER NOT NULL,
        rating             INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment            TEXT,
        prompt_message_id  INTEGER,
        created_at         TEXT NOT NULL
    );

    CREATE TABLE broadcasts (
        id               INTEGER PRIMARY KEY,
        created_by       INTEGER NOT NULL,
        body             TEXT NOT NULL,
        segment          TEXT NOT NULL CHECK (segment IN ('all', 'workshop', 'category')),
        segment_value    TEXT,
        status           TEXT NOT NULL
                         CHECK (status IN ('draft', 'scheduled', 'running', 'done', 'cancelled')),
        scheduled_at     TEXT,
        created_at       TEXT NOT NULL,
        started_at       TEXT,
        finished_at      TEXT,
        report_chat_id   INTEGER NOT NULL,
        report_message_id INTEGER
    );
    CREATE INDEX broadcasts_status ON broadcasts(status, scheduled_at);

    -- One row per recipient: a broadcast resumes after a crash without sending twice.
    CREATE TABLE broadcast_deliveries (
        broadcast_id  INTEGER NOT NULL REFERENCES broadcasts(id),
        chat_id       INTEGER NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'blocked', 'failed', 'cancelled')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        done_at       TEXT,
        PRIMARY KEY (broadcast_id, chat_id)
    );
    CREATE INDEX broadcast_deliveries_pending ON broadcast_deliveries(broadcast_id, status);
    """,
    """
    -- Updates whose handling finished: one re-delivered after a crash is not applied twice.
    CREATE TABLE processed_updates (
        update_id   INTEGER PRIMARY KEY,
        handled_at  TEXT NOT NULL
    );
    """,
    """
    -- Head office's /jobs over every workshop: open tickets, oldest first, without a sort.
    CREATE INDEX tickets_status_created ON tickets(status, created_at, id);
    """,
    """
    -- Why an update was skipped: the library could not read it, or handling it failed.
    -- NULL for an update handled normally.
    ALTER TABLE processed_updates ADD COLUMN failure TEXT;
    """,
    """
    -- What each update created: the same update handled again after a crash finds it there.
    CREATE TABLE update_effects (
        update_id  INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        ref        TEXT NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (update_id, kind)
    );
    CREATE INDEX update_effects_at ON update_effects(at);
    """,
    """
    -- A customer's plain message may be the comment on their latest rating: found by person.
    CREATE INDEX feedback_customer ON feedback(customer_id, created_at);
    """,
    """
    -- Customers' questions and the answers of workshops and head office, one thread per
    -- customer and ticket (ticket_id NULL: a general question to head office).
    CREATE TABLE question_threads (
        id             INTEGER PRIMARY KEY,
        customer_id    INTEGER NOT NULL,
        ticket_id      INTEGER REFERENCES tickets(id),
        workshop_code  TEXT,  -- who answers; NULL: head office
        waiting_since  TEXT,  -- the oldest unanswered question; NULL: all answered
        created_at     TEXT NOT NULL
    );
    CREATE INDEX question_threads_customer ON question_threads(customer_id, ticket_id);
    CREATE INDEX question_threads_waiting ON question_threads(waiting_since)
        WHERE waiting_since IS NOT NULL;

    CREATE TABLE question_messages (
        id             INTEGER PRIMARY KEY,
        thread_id      INTEGER NOT NULL REFERENCES question_threads(id),
        author_id      INTEGER NOT NULL,
        author_role    TEXT NOT NULL CHECK (author_role IN ('customer', 'staff', 'head_office')),
        workshop_code  TEXT,  -- the workshop an answer is signed with; NULL: head office
        body           TEXT NOT NULL DEFAULT '',
        photo          TEXT,  -- a Telegram file_id, passed on as it is, never downloaded
        at             TEXT NOT NULL
    );
    CREATE INDEX question_messages_thread ON question_messages(thread_id, id);

    -- Which bot message belongs to which thread: answering it with Telegram's reply goes on.
    CREATE TABLE question_deliveries (
        chat_id     INTEGER NOT NULL,
        message_id  INTEGER NOT NULL,
        thread_id   INTEGER NOT NULL REFERENCES question_threads(id),
        PRIMARY KEY (chat_id, message_id)
    );
    """,
    """
    -- The customer's photos and video of the fault: Telegram's file ids, never the files.
    CREATE TABLE ticket_attachments (
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        position   INTEGER NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
        file_id    TEXT NOT NULL,
        added_at   TEXT NOT NULL,
        PRIMARY KEY (ticket_id, position)
    );
    """,
    """
    -- A broadcast's Russian text, NULL when none was given; `body` holds the English one,
    -- '' when only the Russian was given. Each customer gets their language, else the other.
    ALTER TABLE broadcasts ADD COLUMN body_ru TEXT;
    """,
    """
    -- /jobs of one workshop: open tickets by how long they have been in their status (all
    -- workshops read tickets_status_since). /find: tickets by the customer's phone.
    CREATE INDEX tickets_workshop_status_since ON tickets(workshop_code, status, status_since);
    CREATE INDEX tickets_phone ON tickets(phone) WHERE phone IS NOT NULL;
    CREATE INDEX customers_phone ON customers(phone) WHERE phone IS NOT NULL;
    """,
    """
    -- /find by words: the customer's name and the fault description of each ticket, as a
    -- full-text index (rowid = tickets.id) that folds case in every alphabet. Triggers keep
    -- it current; a customer's name is re-indexed only when it really changed.
    CREATE VIRTUAL TABLE ticket_words USING fts5(words, tokenize = 'unicode61');
    INSERT INTO ticket_words (rowid, words)
        SELECT t.id, coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || ' '
                     || coalesce(t.description, '')
        FROM tickets t LEFT JOIN customers c ON c.user_id = t.customer_id;
    CREATE TRIGGER ticket_words_insert AFTER INSERT ON tickets BEGIN
        INSERT INTO ticket_words (rowid, words)
            SELECT new.id, coalesce((SELECT coalesce(first_name, '') || ' '
                                            || coalesce(last_name, '')
                                     FROM customers WHERE user_id = new.customer_id), '')
                           || ' ' || coalesce(new.description, '');
    END;
    CREATE TRIGGER ticket_words_update AFTER UPDATE OF customer_id, description ON tickets
    BEGIN
        DELETE FROM ticket_words WHERE rowid = new.id;
        INSERT INTO ticket_words (rowid, words)
            SELECT new.id, coalesce((SELECT coalesce(first_name, '') || ' '
                                            || coalesce(last_name, '')
                                     FROM customers WHERE user_id = new.customer_id), '')
                           || ' ' || coalesce(new.description, '');
    END;
    CREATE TRIGGER ticket_words_delete AFTER DELETE ON tickets BEGIN
        DELETE FROM ticket_words WHERE rowid = old.id;
    END;
    CREATE TRIGGER ticket_words_name AFTER UPDATE OF first_name, last_name ON customers
    WHEN old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
    BEGIN
        DELETE FROM ticket_words
            WHERE rowid IN (SELECT id FROM tickets WHERE customer_id = new.user_id);
        INSERT INTO ticket_words (rowid, words)
            SELECT id, coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')
                       || ' ' || coalesce(description, '')
            FROM tickets WHERE customer_id = new.user_id;
    END;
    """,
    """
    -- Each fix of the tree a customer was shown, once per fault report, so /treestats also
    -- counts the customers who left without saying whether the fix helped.
    CREATE TABLE fix_views (
        case_id  INTEGER NOT NULL REFERENCES cases(id),
        fix      TEXT NOT NULL,
        at       TEXT NOT NULL,
        PRIMARY KEY (case_id, fix)
    );
    """,
    """
    -- The inbox: every update stored (its raw JSON) before Telegram is told it arrived, then
    -- handled from here; handled rows stay a day so a re-delivered update is recognised.
    -- Updates recorded as handled before there was an inbox come along without their JSON.
    CREATE TABLE inbox (
        update_id    INTEGER PRIMARY KEY,
        raw          TEXT,
        received_at  TEXT NOT NULL,
        handled_at   TEXT,
        failure      TEXT
    );
    INSERT INTO inbox (update_id, received_at, handled_at, failure)
        SELECT update_id, handled_at, handled_at, failure FROM processed_updates;
    DROP TABLE processed_updates;
    CREATE INDEX inbox_unhandled ON inbox(update_id) WHERE handled_at IS NULL;
    CREATE INDEX inbox_handled_at ON inbox(handled_at);
    """,
    """
    -- Warranty and cause, one row per ticket once anything of it is known: the customer's
    -- answer to when the product was bought, staff's confirmation after seeing the receipt
    -- or serial (1 yes, 0 no, NULL not yet), and staff's judgement of why it broke.
    CREATE TABLE ticket_warranty (
        ticket_id     INTEGER PRIMARY KEY REFERENCES tickets(id),
        purchase_age  TEXT,
        confirmed     INTEGER,
        reason        TEXT,
        confirmed_by  INTEGER,
        confirmed_at  TEXT,
        cause         TEXT,
        cause_by      INTEGER,
        cause_at      TEXT
    );
    """,
    """
    -- Spare parts. Every movement is a row of the ledger; part_stock holds what the ledger
    -- adds up to per location, kept in the same transaction, and can never go below zero.
    -- A location is 'HQ' or a workshop code; 'TRANSIT' between them, NULL outside the
    -- network (a supplier, a local purchase, or the device the part went into).
    CREATE TABLE part_requests (
        id             INTEGER PRIMARY KEY,
        code           TEXT NOT NULL UNIQUE,
        workshop_code  TEXT NOT NULL,
        ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
        sku            TEXT NOT NULL,
        quantity       INTEGER NOT NULL CHECK (quantity > 0),
        status         TEXT NOT NULL CHECK (status IN ('open', 'shipped', 'arrived')),
        eta            TEXT,  -- YYYY-MM-DD, given when shipped
        requested_by   INTEGER NOT NULL,
        created_at     TEXT NOT NULL,
        shipped_at     TEXT,
        arrived_at     TEXT
    );
    CREATE INDEX part_requests_status ON part_requests(status, created_at);
    CREATE INDEX part_requests_ticket ON part_requests(ticket_id);

    CREATE TABLE part_movements (
        id                INTEGER PRIMARY KEY,
        at                TEXT NOT NULL,
        actor_id          INTEGER NOT NULL,
        sku               TEXT NOT NULL,
        from_location     TEXT,
        to_location       TEXT,
        quantity          INTEGER NOT NULL CHECK (quantity > 0),
        ticket_id         INTEGER REFERENCES tickets(id),
        request_id        INTEGER REFERENCES part_requests(id),
        reason            TEXT NOT NULL
            CHECK (reason IN ('receive', 'reserve', 'release', 'use', 'ship', 'arrive')),
        unit_price_minor  INTEGER  -- what a part used cost, as the parts file said then
    );
    CREATE INDEX part_movements_ticket ON part_movements(ticket_id, reason);

    CREATE TABLE part_stock (
        location   TEXT NOT NULL,
        sku        TEXT NOT NULL,
        on_hand    INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
        reserved   INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
        min_stock  INTEGER CHECK (min_stock >= 0),  -- set by /minstock; NULL: the parts file's
        PRIMARY KEY (location, sku)
    );

    -- What is set aside for a ticket at its workshop, until it goes into the device.
    CREATE TABLE part_reservations (
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        sku        TEXT NOT NULL,
        location   TEXT NOT NULL,
        quantity   INTEGER NOT NULL CHECK (quantity >= 0),
        PRIMARY KEY (ticket_id, sku)
    );
    """,
    """
    -- Claims on outbox messages, so that of several bot instances on one database only one
    -- sends each: the instance that claimed it, until the claim runs out (a crashed
    -- instance's messages then go to another). NULL: nobody holds it.
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
    CREATE INDEX outbox_claims ON outbox(due_at, claimed_until) WHERE status = 'pending';
    """,
    """
    -- Flood control's token buckets when several instances share one database (bot.flood):
    -- written only by whoever read the `version` a row still carries, and deleted once
    -- `full_at` has passed, when the bucket is as good as new. One instance on SQLite keeps
    -- its buckets in memory and leaves this table empty.
    CREATE TABLE flood_buckets (
        user_id      INTEGER PRIMARY KEY,
        tokens       REAL NOT NULL,
        at           TEXT NOT NULL,
        warned       INTEGER NOT NULL CHECK (warned IN (0, 1)),
        album        TEXT,
        album_items  INTEGER NOT NULL,
        full_at      TEXT NOT NULL,
        version      TEXT NOT NULL
    );
    CREATE INDEX flood_buckets_full ON flood_buckets(full_at);
    """,
    """
    -- Several instances on one database: the chat (else the person; 0 for neither) each update
    -- belongs to, so whichever instance holds a chat's lease handles all of its updates in
    -- order, those another instance received included.
    ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
    CREATE INDEX inbox_unhandled_by_chat ON inbox(chat_id, update_id) WHERE handled_at IS NULL;
    -- Who handles a chat's updates now, until when; a holder that died loses it then.
    CREATE TABLE chat_leases (
        chat_id     INTEGER PRIMARY KEY,
        holder      TEXT NOT NULL,
        expires_at  TEXT NOT NULL
    );
    """,
    """
    -- The inbox moved to a file of its own (`INBOX_MIGRATIONS`), where a webhook's write never
    -- waits for the bot's transactions. Its rows were copied there just before
    -- (`bot.storage.database.Database._move_inbox`).
    DROP TABLE inbox;
    """,
]

INBOX_MOVED = len(MIGRATIONS)
"""The schema version whose migration drops the main file's inbox, its rows moved first."""

INBOX_MIGRATIONS: list[str] = [
    """
    -- SQLite's inbox, in a file of its own: every update stored (its raw JSON) before Telegram
    -- is told it arrived, then handled from here; handled rows stay a day so a re-delivered
    -- update is recognised. The same table as PostgreSQL's, which keeps it in its one database.
    CREATE TABLE inbox (
        update_id    INTEGER PRIMARY KEY,
        raw          TEXT,
        received_at  TEXT NOT NULL,
        handled_at   TEXT,
        failure      TEXT,
        chat_id      INTEGER
    );
    CREATE INDEX inbox_unhandled ON inbox(update_id) WHERE handled_at IS NULL;
    CREATE INDEX inbox_handled_at ON inbox(handled_at);
    CREATE INDEX inbox_unhandled_by_chat ON inbox(chat_id, update_id) WHERE handled_at IS NULL;
    """,
]
