"""SQLite persistence of the Dispatch API.

Every lookup of a tenant-owned row takes an `owner` account id; passing `None` skips the ownership check
(only the deliberately vulnerable code paths do that). Deleted orders are kept with a `deleted_at` time and
are invisible to every read, except `get_deleted_order`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from .catalogue import SERVICES_BY_CODE
from .models import (
    Account,
    AccountCreate,
    Address,
    Customer,
    CustomerIn,
    ExportCreate,
    ExportedOrder,
    ExportJob,
    ExportStatus,
    Invoice,
    Label,
    Order,
    OrderCreate,
    OrderStatus,
    OrderUpdate,
    Parcel,
    ParcelCreate,
    Preferences,
    Receipt,
    ServiceCode,
    Share,
    Tracking,
    TrackingEvent,
    TrackingStatus,
    Webhook,
    WebhookCreate,
)

# Kept low so the example starts tenants quickly; a production service needs a much higher cost.
PASSWORD_HASH_ITERATIONS = 20_000
CURRENCY = "GBP"
ONLINE_LOCATION = "Dispatch online"
DEFAULT_PREFERENCES = Preferences(locale="en-GB", timezone="Europe/London", marketing_emails=False)

_SCHEMA = """
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    company_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    recipient_phone TEXT NOT NULL,
    recipient_address TEXT NOT NULL,
    reference TEXT,
    items TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE parcels (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    tracking_number TEXT NOT NULL UNIQUE,
    weight_grams INTEGER NOT NULL,
    length_cm INTEGER NOT NULL,
    width_cm INTEGER NOT NULL,
    height_cm INTEGER NOT NULL,
    contents_description TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE tracking_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    parcel_id TEXT NOT NULL REFERENCES parcels(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    location TEXT NOT NULL,
    timestamp TEXT NOT NULL
);
CREATE TABLE labels (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    order_id TEXT NOT NULL,
    service_code TEXT NOT NULL,
    tracking_number TEXT NOT NULL UNIQUE,
    recipient_name TEXT NOT NULL,
    recipient_address TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    receipt_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    label_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    label_id TEXT NOT NULL REFERENCES labels(id),
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    billing_company TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    company TEXT,
    address TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE shares (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    account_email TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL
);
CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    rows TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    signing_secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE preferences (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    locale TEXT NOT NULL,
    timezone TEXT NOT NULL,
    marketing_emails INTEGER NOT NULL
);
CREATE INDEX orders_by_account ON orders(account_id);
CREATE INDEX parcels_by_order ON parcels(order_id);
CREATE INDEX customers_by_account ON customers(account_id);
CREATE INDEX invoices_by_account ON invoices(account_id);
CREATE INDEX receipts_by_account ON receipts(account_id);
CREATE INDEX shares_by_email ON shares(account_email);
CREATE INDEX webhooks_by_account ON webhooks(account_id);
"""


class DuplicateEmailError(Exception):
    """An account with this email already exists."""


def new_id(prefix: str) -> str:
    """Return an opaque identifier such as `ord_1f0c...` (prefix + 16 hex characters)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _tracking_number() -> str:
    return f"TRK{secrets.randbelow(10**12):012d}"


def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PASSWORD_HASH_ITERATIONS)
    return f"{salt.hex()}${digest.hex()}"


def _verify_password(password: str, stored: str) -> bool:
    salt_hex, _, _ = stored.partition("$")
    return hmac.compare_digest(_hash_password(password, bytes.fromhex(salt_hex)), stored)


# Compared against when the email is unknown, so both failure paths cost the same.
_DUMMY_HASH = _hash_password("not-a-real-password")


def _scope_clause(value: str | None, column: str = "account_id") -> tuple[str, tuple[str, ...]]:
    return ("", ()) if value is None else (f" AND {column} = ?", (value,))


# The condition that an order (aliased `o` where needed) has not been deleted.
_LIVE = "deleted_at IS NULL"


class Store:
    """All state of one Dispatch application, in a private in-memory SQLite database."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        weakref.finalize(self, self._conn.close)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._conn:
            yield self._conn

    # --- accounts ---

    def create_account(self, body: AccountCreate) -> Account:
        """Create an account; raise DuplicateEmailError if the email is taken."""
        row = {
            "id": new_id("acc"),
            "company_name": body.company_name,
            "email": body.email,
            "password_hash": _hash_password(body.password),
            "created_at": _now(),
        }
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO accounts VALUES (:id, :company_name, :email, :password_hash, :created_at)",
                    row,
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateEmailError(body.email) from exc
        return Account.model_validate(row)

    def login(self, email: str, password: str) -> str | None:
        """Return a new access token, or None if the credentials are wrong."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, password_hash FROM accounts WHERE email = ?", (email,)
            ).fetchone()
        if row is None:
            _verify_password(password, _DUMMY_HASH)
            return None
        if not _verify_password(password, row["password_hash"]):
            return None
        token = secrets.token_urlsafe(32)
        with self._transaction() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (token, row["id"], _now()))
        return token

    def get_account(self, account_id: str) -> Account | None:
        """Return an account by id."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, company_name, email, created_at FROM accounts WHERE id = ?", (account_id,)
            ).fetchone()
        return None if row is None else Account.model_validate(dict(row))

    def account_for_token(self, token: str) -> Account | None:
        """Return the account an access token belongs to."""
        with self._lock:
            row = self._conn.execute(
                "SELECT a.id, a.company_name, a.email, a.created_at FROM sessions s "
                "JOIN accounts a ON a.id = s.account_id WHERE s.token = ?",
                (token,),
            ).fetchone()
        return None if row is None else Account.model_validate(dict(row))

    # --- orders ---

    @staticmethod
    def _order(row: sqlite3.Row) -> Order:
        data = dict(row)
        data["recipient_address"] = json.loads(data["recipient_address"])
        data["items"] = json.loads(data["items"])
        return Order.model_validate(data)

    def create_order(self, owner: str, body: OrderCreate) -> Order:
        """Create a draft order for `owner`."""
        now = _now()
        order_id = new_id("ord")
        row = {
            "id": order_id,
            "account_id": owner,
            "status": OrderStatus.DRAFT.value,
            "recipient_name": body.recipient_name,
            "recipient_phone": body.recipient_phone,
            "recipient_address": body.recipient_address.model_dump_json(),
            "reference": body.reference,
            "items": json.dumps([item.model_dump() for item in body.items]),
            "created_at": now,
            "updated_at": now,
        }
        with self._transaction() as db:
            db.execute(
                "INSERT INTO orders (id, account_id, status, recipient_name, recipient_phone, "
                "recipient_address, reference, items, created_at, updated_at) VALUES (:id, :account_id, "
                ":status, :recipient_name, :recipient_phone, :recipient_address, :reference, :items, "
                ":created_at, :updated_at)",
                row,
            )
        return self._order_row(order_id, owner)

    def _order_row(self, order_id: str, owner: str | None) -> Order:
        order = self.get_order(order_id, owner)
        assert order is not None
        return order

    def list_orders(self, owner: str | None, status: OrderStatus | None = None) -> list[Order]:
        """List orders, oldest first; `owner=None` lists every account's orders."""
        sql = f"SELECT * FROM orders WHERE {_LIVE}"
        params: list[str] = []
        if owner is not None:
            sql += " AND account_id = ?"
            params.append(owner)
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_at, rowid", params).fetchall()
        return [self._order(row) for row in rows]

    def get_orders(self, order_ids: list[str], owner: str | None) -> list[Order]:
        """Return the orders among `order_ids` that exist (and that `owner` owns), oldest first."""
        clause, params = _scope_clause(owner)
        marks = ", ".join("?" for _ in order_ids)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM orders WHERE id IN ({marks}) AND {_LIVE}"
                + clause
                + " ORDER BY created_at, rowid",
                (*order_ids, *params),
            ).fetchall()
        return [self._order(row) for row in rows]

    def get_order(self, order_id: str, owner: str | None) -> Order | None:
        """Return an order, or None if it does not exist (or `owner` does not own it)."""
        clause, params = _scope_clause(owner)
        with self._lock:
            row = self._conn.execute(
                f"SELECT * FROM orders WHERE id = ? AND {_LIVE}" + clause, (order_id, *params)
            ).fetchone()
        return None if row is None else self._order(row)

    def get_deleted_order(self, order_id: str) -> Order | None:
        """Return a deleted order, whoever owns it (only a deliberately vulnerable path uses this)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM orders WHERE id = ? AND deleted_at IS NOT NULL", (order_id,)
            ).fetchone()
        return None if row is None else self._order(row)

    def search_orders(self, owner: str | None, text: str) -> list[Order]:
        """Orders whose recipient name or reference contains `text` (case-insensitive), oldest first.

        `owner=None` searches every account's orders.
        """
        sql = (
            f"SELECT * FROM orders WHERE {_LIVE} AND (instr(lower(recipient_name), lower(?)) > 0 "
            "OR instr(lower(coalesce(reference, '')), lower(?)) > 0)"
        )
        params = [text, text]
        if owner is not None:
            sql += " AND account_id = ?"
            params.append(owner)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_at, rowid", params).fetchall()
        return [self._order(row) for row in rows]

    def update_order(self, order_id: str, owner: str | None, body: OrderUpdate) -> Order | None:
        """Apply a partial update; None if the order is not found."""
        changes: dict[str, Any] = {}
        fields = body.model_fields_set
        if body.recipient_name is not None:
            changes["recipient_name"] = body.recipient_name
        if body.recipient_phone is not None:
            changes["recipient_phone"] = body.recipient_phone
        if body.recipient_address is not None:
            changes["recipient_address"] = body.recipient_address.model_dump_json()
        if "reference" in fields:
            changes["reference"] = body.reference
        if body.account_id is not None:
            changes["account_id"] = body.account_id
        clause, params = _scope_clause(owner)
        with self._transaction() as db:
            row = db.execute(
                f"SELECT id FROM orders WHERE id = ? AND {_LIVE}" + clause, (order_id, *params)
            ).fetchone()
            if row is None:
                return None
            if changes:
                assignments = ", ".join(f"{column} = :{column}" for column in changes)
                db.execute(
                    f"UPDATE orders SET {assignments}, updated_at = :updated_at WHERE id = :id",
                    {**changes, "updated_at": _now(), "id": order_id},
                )
        return self._order_row(order_id, None)

    def delete_order(self, order_id: str, owner: str) -> bool:
        """Delete an order, which hides its parcels too; False if not found.

        The row is kept, marked with `deleted_at`.
        """
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE orders SET deleted_at = ? WHERE id = ? AND account_id = ? AND {_LIVE}",
                (_now(), order_id, owner),
            )
        return cursor.rowcount > 0

    # --- parcels ---

    @staticmethod
    def _parcel(row: sqlite3.Row) -> Parcel:
        return Parcel.model_validate(dict(row))

    def create_parcel(self, order_id: str, owner: str, body: ParcelCreate) -> Parcel | None:
        """Add a parcel to an order owned by `owner`; None if the order is not found."""
        row = {
            "id": new_id("prc"),
            "order_id": order_id,
            "tracking_number": _tracking_number(),
            **body.model_dump(),
            "created_at": _now(),
        }
        with self._transaction() as db:
            found = db.execute(
                f"SELECT 1 FROM orders WHERE id = ? AND account_id = ? AND {_LIVE}", (order_id, owner)
            ).fetchone()
            if found is None:
                return None
            db.execute(
                "INSERT INTO parcels VALUES (:id, :order_id, :tracking_number, :weight_grams, :length_cm, "
                ":width_cm, :height_cm, :contents_description, :created_at)",
                row,
            )
            db.execute(
                "INSERT INTO tracking_events (parcel_id, status, location, timestamp) VALUES (?, ?, ?, ?)",
                (row["id"], TrackingStatus.REGISTERED.value, ONLINE_LOCATION, row["created_at"]),
            )
        return Parcel.model_validate(row)

    def list_parcels(self, order_id: str) -> list[Parcel]:
        """List the parcels of an order (the caller checks ownership of the order)."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT p.* FROM parcels p JOIN orders o ON o.id = p.order_id WHERE p.order_id = ? AND o.{_LIVE} "
                "ORDER BY p.created_at, p.rowid",
                (order_id,),
            ).fetchall()
        return [self._parcel(row) for row in rows]

    def get_parcel(self, parcel_id: str, order_id: str | None) -> Parcel | None:
        """Return a parcel of `order_id`; `order_id=None` loads it by its own id alone."""
        clause, params = _scope_clause(order_id, column="p.order_id")
        with self._lock:
            row = self._conn.execute(
                f"SELECT p.* FROM parcels p JOIN orders o ON o.id = p.order_id WHERE p.id = ? AND o.{_LIVE}"
                + clause,
                (parcel_id, *params),
            ).fetchone()
        return None if row is None else self._parcel(row)

    def get_tracking(self, parcel_id: str, owner: str) -> Tracking | None:
        """Return the tracking history of a parcel whose order `owner` owns."""
        with self._lock:
            parcel = self._conn.execute(
                "SELECT p.id, p.tracking_number FROM parcels p JOIN orders o ON o.id = p.order_id "
                f"WHERE p.id = ? AND o.account_id = ? AND o.{_LIVE}",
                (parcel_id, owner),
            ).fetchone()
            if parcel is None:
                return None
            events = self._conn.execute(
                "SELECT status, location, timestamp FROM tracking_events WHERE parcel_id = ? ORDER BY seq",
                (parcel_id,),
            ).fetchall()
        return Tracking(
            parcel_id=parcel["id"],
            tracking_number=parcel["tracking_number"],
            events=[TrackingEvent.model_validate(dict(event)) for event in events],
        )

    # --- labels and invoices ---

    def create_label(
        self, account: Account, order_id: str, service_code: ServiceCode, order_owner: str | None
    ) -> Label | None:
        """Buy a label for an order and bill `account`; None if the order is not found.

        `order_owner` is the account that must own the order; None skips that check.
        """
        service = SERVICES_BY_CODE[service_code]
        now = _now()
        clause, params = _scope_clause(order_owner)
        with self._transaction() as db:
            order = db.execute(
                f"SELECT recipient_name, recipient_address FROM orders WHERE id = ? AND {_LIVE}" + clause,
                (order_id, *params),
            ).fetchone()
            if order is None:
                return None
            label_id = new_id("lbl")
            receipt = db.execute(
                "INSERT INTO receipts (account_id, label_id, amount_cents, currency, issued_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (account.id, label_id, service.price_cents, CURRENCY, now),
            )
            label = {
                "id": label_id,
                "account_id": account.id,
                "order_id": order_id,
                "service_code": service.code.value,
                "tracking_number": _tracking_number(),
                "recipient_name": order["recipient_name"],
                "recipient_address": order["recipient_address"],
                "price_cents": service.price_cents,
                "receipt_id": receipt.lastrowid,
                "created_at": now,
            }
            db.execute(
                "INSERT INTO labels VALUES (:id, :account_id, :order_id, :service_code, :tracking_number, "
                ":recipient_name, :recipient_address, :price_cents, :receipt_id, :created_at)",
                label,
            )
            db.execute(
                "INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id("inv"),
                    account.id,
                    label["id"],
                    service.price_cents,
                    CURRENCY,
                    account.company_name,
                    now,
                ),
            )
            db.execute(
                "UPDATE orders SET status = ?, updated_at = ? WHERE id = ?",
                (OrderStatus.LABELLED.value, now, order_id),
            )
            db.execute(
                "INSERT INTO tracking_events (parcel_id, status, location, timestamp) "
                "SELECT id, ?, ?, ? FROM parcels WHERE order_id = ?",
                (TrackingStatus.LABEL_CREATED.value, ONLINE_LOCATION, now, order_id),
            )
        return self._label(label)

    @staticmethod
    def _label(row: sqlite3.Row | dict[str, Any]) -> Label:
        data = dict(row)
        data["recipient_address"] = Address.model_validate_json(data["recipient_address"])
        return Label.model_validate(data)

    def get_label(self, label_id: str, owner: str) -> Label | None:
        """Return a label bought by `owner`."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM labels WHERE id = ? AND account_id = ?", (label_id, owner)
            ).fetchone()
        return None if row is None else self._label(row)

    _RECEIPT_QUERY = (
        "SELECT r.id, r.label_id, l.tracking_number, l.recipient_name, l.recipient_address, "
        "r.amount_cents, r.currency, r.issued_at FROM receipts r JOIN labels l ON l.id = r.label_id"
    )

    @staticmethod
    def _receipt(row: sqlite3.Row) -> Receipt:
        data = dict(row)
        data["recipient_address"] = Address.model_validate_json(data["recipient_address"])
        return Receipt.model_validate(data)

    def list_receipts(self, owner: str) -> list[Receipt]:
        """List the receipts of `owner`'s labels, oldest first."""
        with self._lock:
            rows = self._conn.execute(self._RECEIPT_QUERY + " WHERE r.account_id = ? ORDER BY r.id", (owner,))
            return [self._receipt(row) for row in rows.fetchall()]

    def get_receipt(self, receipt_id: int, owner: str | None) -> Receipt | None:
        """Return a receipt by number, or None if it does not exist (or `owner` does not own it)."""
        clause, params = _scope_clause(owner, "r.account_id")
        with self._lock:
            row = self._conn.execute(
                self._RECEIPT_QUERY + " WHERE r.id = ?" + clause, (receipt_id, *params)
            ).fetchone()
        return None if row is None else self._receipt(row)

    @staticmethod
    def _invoice(row: sqlite3.Row) -> Invoice:
        data = dict(row)
        data["created_at"] = data["issued_at"]
        return Invoice.model_validate(data)

    def list_invoices(self, owner: str) -> list[Invoice]:
        """List the invoices billed to `owner`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM invoices WHERE account_id = ? ORDER BY issued_at, rowid", (owner,)
            ).fetchall()
        return [self._invoice(row) for row in rows]

    def get_invoice(self, invoice_id: str, owner: str) -> Invoice | None:
        """Return an invoice billed to `owner`."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM invoices WHERE id = ? AND account_id = ?", (invoice_id, owner)
            ).fetchone()
        return None if row is None else self._invoice(row)

    # --- address book ---

    @staticmethod
    def _customer(row: sqlite3.Row) -> Customer:
        data = dict(row)
        data["address"] = json.loads(data["address"])
        return Customer.model_validate(data)

    @staticmethod
    def _customer_values(body: CustomerIn) -> dict[str, Any]:
        fields = body.model_dump(exclude={"address", "account_id"})
        return {**fields, "address": body.address.model_dump_json()}

    def create_customer(self, owner: str, body: CustomerIn) -> Customer:
        """Add an address-book entry for `owner`."""
        now = _now()
        row = {
            "id": new_id("cus"),
            "account_id": owner,
            **self._customer_values(body),
            "created_at": now,
            "updated_at": now,
        }
        with self._transaction() as db:
            db.execute(
                "INSERT INTO customers VALUES (:id, :account_id, :name, :email, :phone, :company, :address, "
                ":notes, :created_at, :updated_at)",
                row,
            )
        customer = self.get_customer(row["id"], owner)
        assert customer is not None
        return customer

    def list_customers(self, owner: str, limit: int, offset: int) -> list[Customer]:
        """List one page of `owner`'s address book, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM customers WHERE account_id = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?",
                (owner, limit, offset),
            ).fetchall()
        return [self._customer(row) for row in rows]

    def get_customer(self, customer_id: str, owner: str) -> Customer | None:
        """Return an address-book entry of `owner`."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM customers WHERE id = ? AND account_id = ?", (customer_id, owner)
            ).fetchone()
        return None if row is None else self._customer(row)

    def customer_owner(self, customer_id: str) -> Account | None:
        """The account whose address book holds an entry."""
        with self._lock:
            row = self._conn.execute(
                "SELECT account_id FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
        return None if row is None else self.get_account(row["account_id"])

    def replace_customer(self, customer_id: str, owner: str, body: CustomerIn) -> Customer | None:
        """Replace every field of an address-book entry; None if not found."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE customers SET name = :name, email = :email, phone = :phone, company = :company, "
                "address = :address, notes = :notes, updated_at = :updated_at "
                "WHERE id = :id AND account_id = :account_id",
                {**self._customer_values(body), "updated_at": _now(), "id": customer_id, "account_id": owner},
            )
        return self.get_customer(customer_id, owner) if cursor.rowcount else None

    def delete_customer(self, customer_id: str, owner: str | None) -> bool:
        """Delete an address-book entry; `owner=None` deletes it whoever owns it."""
        clause, params = _scope_clause(owner)
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM customers WHERE id = ?" + clause, (customer_id, *params))
        return cursor.rowcount > 0

    # --- sharing ---

    def share_order(self, order_id: str, owner: str, account_email: str) -> Share | None:
        """Let the account with `account_email` read an order of `owner`; None if the order is not found."""
        share = {
            "id": new_id("shr"),
            "order_id": order_id,
            "account_email": account_email,
            "created_at": _now(),
        }
        with self._transaction() as db:
            found = db.execute(
                f"SELECT 1 FROM orders WHERE id = ? AND account_id = ? AND {_LIVE}", (order_id, owner)
            ).fetchone()
            if found is None:
                return None
            db.execute("INSERT INTO shares VALUES (:id, :order_id, :account_email, :created_at)", share)
        return Share.model_validate(share)

    def list_shared_orders(self, account_email: str) -> list[Order]:
        """The orders shared with the account that signs in with `account_email`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM orders WHERE {_LIVE} AND id IN "
                "(SELECT order_id FROM shares WHERE account_email = ?) ORDER BY created_at, rowid",
                (account_email,),
            ).fetchall()
        return [self._order(row) for row in rows]

    # --- exports ---

    @staticmethod
    def _export(row: sqlite3.Row | dict[str, Any]) -> ExportJob:
        return ExportJob.model_validate(dict(row))

    def create_export(self, account: Account, body: ExportCreate) -> ExportJob:
        """Start an export of `account`'s orders as they are now."""
        rows = [
            ExportedOrder(
                order_id=order.id,
                status=order.status,
                recipient_name=order.recipient_name,
                recipient_phone=order.recipient_phone,
                recipient_address=order.recipient_address,
                reference=order.reference,
                item_count=sum(item.quantity for item in order.items),
                created_at=order.created_at,
            ).model_dump(mode="json")
            for order in self.list_orders(account.id)
        ]
        job = {
            "id": new_id("exp"),
            "account_id": account.id,
            "kind": body.kind.value,
            "status": ExportStatus.PENDING.value,
            "requested_by": account.email,
            "row_count": len(rows),
            "rows": json.dumps(rows),
            "created_at": _now(),
        }
        with self._transaction() as db:
            db.execute(
                "INSERT INTO exports VALUES (:id, :account_id, :kind, :status, :requested_by, :row_count, "
                ":rows, :created_at)",
                job,
            )
        return self._export(job)

    def poll_export(self, export_id: str, owner: str | None) -> ExportJob | None:
        """Return an export job, finishing it if it is still pending; `owner=None` skips the owner check."""
        clause, params = _scope_clause(owner)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE exports SET status = ? WHERE id = ?" + clause,
                (ExportStatus.DONE.value, export_id, *params),
            )
            if not cursor.rowcount:
                return None
            row = db.execute("SELECT * FROM exports WHERE id = ?", (export_id,)).fetchone()
        return self._export(row)

    def export_rows(self, export_id: str, owner: str | None) -> tuple[ExportJob, list[ExportedOrder]] | None:
        """An export job with its rows; `owner=None` skips the owner check."""
        clause, params = _scope_clause(owner)
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM exports WHERE id = ?" + clause, (export_id, *params)
            ).fetchone()
        if row is None:
            return None
        return self._export(row), [ExportedOrder.model_validate(item) for item in json.loads(row["rows"])]

    # --- webhooks ---

    @staticmethod
    def _webhook(row: sqlite3.Row | dict[str, Any]) -> Webhook:
        data = dict(row)
        data["events"] = json.loads(data["events"])
        return Webhook.model_validate(data)

    def create_webhook(self, owner: str, body: WebhookCreate) -> Webhook:
        """Register a webhook for `owner` with a new signing secret."""
        row = {
            "id": new_id("whk"),
            "account_id": owner,
            "url": body.url,
            "events": json.dumps([event.value for event in dict.fromkeys(body.events)]),
            "signing_secret": f"whsec_{secrets.token_hex(24)}",
            "created_at": _now(),
        }
        with self._transaction() as db:
            db.execute(
                "INSERT INTO webhooks VALUES (:id, :account_id, :url, :events, :signing_secret, :created_at)",
                row,
            )
        return self._webhook(row)

    def list_webhooks(self, owner: str) -> list[Webhook]:
        """List `owner`'s webhooks, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM webhooks WHERE account_id = ? ORDER BY created_at, rowid", (owner,)
            ).fetchall()
        return [self._webhook(row) for row in rows]

    def get_webhook(self, webhook_id: str, owner: str | None) -> Webhook | None:
        """Return a webhook of `owner`; `owner=None` loads it whoever owns it."""
        clause, params = _scope_clause(owner)
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM webhooks WHERE id = ?" + clause, (webhook_id, *params)
            ).fetchone()
        return None if row is None else self._webhook(row)

    def delete_webhook(self, webhook_id: str, owner: str) -> bool:
        """Delete a webhook of `owner`; False if not found."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM webhooks WHERE id = ? AND account_id = ?", (webhook_id, owner))
        return cursor.rowcount > 0

    # --- preferences ---

    def get_preferences(self, owner: str) -> Preferences:
        """`owner`'s preferences, or the defaults if never set."""
        with self._lock:
            row = self._conn.execute(
                "SELECT locale, timezone, marketing_emails FROM preferences WHERE account_id = ?", (owner,)
            ).fetchone()
        return DEFAULT_PREFERENCES if row is None else Preferences.model_validate(dict(row))

    def set_preferences(self, owner: str, body: Preferences) -> None:
        """Replace `owner`'s preferences."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO preferences VALUES (?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET "
                "locale = excluded.locale, timezone = excluded.timezone, "
                "marketing_emails = excluded.marketing_emails",
                (owner, body.locale, body.timezone, int(body.marketing_emails)),
            )
