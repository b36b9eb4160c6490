"""Record the holders, items, users and grants that a database holds already in the records chain.

From this revision on, the services record each of these rows in the same transaction as the
row (``wam.services.facts``) and ``wam verify`` compares every row with its last record. A
database made before has rows without records: this migration records each of them once, as
it stands at the upgrade (actor ``migration 0008_records_facts``), so that verify starts from
them. What was changed before the upgrade cannot be told from here; what is changed after is.

Revision ID: 0008_records_facts
Revises: 0008_records (and needs 0002_auth's users and grants)
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from wam.domain.facts import GRANT, HOLDER, ITEM, ITEM_FIELDS, USER, grant_body, holder_body, item_body_text, user_body
from wam.domain.records import canonical_json, chain_rows

revision = "0008_records_facts"
down_revision = "0008_records"
branch_labels = None
depends_on = "0002_auth"

ACTOR = "migration 0008_records_facts"


def upgrade() -> None:
    conn = op.get_bind()
    rows: list[tuple[str, str, str, str | None]] = []
    codes = dict(conn.execute(sa.text("SELECT id, code FROM holders")).all())
    for _id, code, name, kind, parent_id, country, lat, lon, external in conn.execute(sa.text(
            "SELECT id, code, name, kind, parent_id, country, latitude, longitude, external FROM holders ORDER BY id")):
        body = holder_body(name=name, kind=kind, parent=codes.get(parent_id), country=country, latitude=lat,
                           longitude=lon, external=external)
        rows.append((HOLDER, code, canonical_json(body), ACTOR))
    columns = ", ".join(f'"{c}"' for c in ("key", *ITEM_FIELDS))
    for row in conn.execute(sa.text(f"SELECT {columns} FROM items ORDER BY id")):
        rows.append((ITEM, row[0], item_body_text(tuple(row[1:])), ACTOR))
    names = {}
    for user_id, name, active, password_hash in conn.execute(sa.text(
            "SELECT id, name, active, password_hash FROM users ORDER BY id")):
        names[user_id] = name
        rows.append((USER, name, canonical_json(user_body(active=active, password_hash=password_hash)), ACTOR))
    for grant_id, user_id, role, holder_id, country, created_by in conn.execute(sa.text(
            "SELECT id, user_id, role, holder_id, country, created_by FROM grants ORDER BY id")):
        body = grant_body(user=names[user_id], role=role, holder=codes.get(holder_id), country=country,
                          created_by=created_by)
        rows.append((GRANT, str(grant_id), canonical_json(body), ACTOR))
    if not rows:
        return
    head = conn.execute(sa.text("SELECT seq, hash FROM records_head WHERE id = 1")).first()
    seq, prev = (head[0], bytes(head[1])) if head is not None else (0, bytes(32))
    now = int(datetime.now(UTC).timestamp() * 1_000_000)
    chained = chain_rows(rows, seq=seq, prev=prev, recorded_at=now)
    records = sa.table("records", *(sa.column(c) for c in
                                    ("seq", "kind", "ref", "body", "actor", "recorded_at", "prev_hash", "hash")))
    op.bulk_insert(records, [dict(zip(("seq", "kind", "ref", "body", "actor", "recorded_at", "prev_hash", "hash"), r,
                                      strict=True)) for r in chained])
    last = chained[-1]
    if head is None:
        conn.execute(sa.text("INSERT INTO records_head (id, seq, hash) VALUES (1, :seq, :hash)"),
                     {"seq": last[0], "hash": last[7]})
    else:
        conn.execute(sa.text("UPDATE records_head SET seq = :seq, hash = :hash WHERE id = 1"),
                     {"seq": last[0], "hash": last[7]})


def downgrade() -> None:
    pass  # records are never removed
