"""Pydantic request and response models of the Dispatch API."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field


def _check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or any(char.isspace() for char in value)
    ):
        raise ValueError("value is not a valid email address")
    return value


# A string with `format: email` in the schema, checked without the `email-validator` package.
Email = Annotated[
    str,
    AfterValidator(_check_email),
    Field(min_length=3, max_length=254, json_schema_extra={"format": "email"}, examples=["ops@example.com"]),
]


def _check_web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(char.isspace() for char in value):
        raise ValueError("value is not an absolute http(s) URL")
    return value


# A string with `format: uri` in the schema; only absolute http(s) URLs are accepted.
WebUrl = Annotated[
    str,
    AfterValidator(_check_web_url),
    Field(
        min_length=10,
        max_length=2000,
        json_schema_extra={"format": "uri"},
        examples=["https://hooks.example.com/dispatch"],
    ),
]
Phone = Annotated[
    str,
    Field(min_length=6, max_length=32, pattern=r"^\+?[0-9][0-9 ()-]*$", examples=["+44 20 7946 0958"]),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class ServiceCode(str, Enum):
    """Code of a shipping service in the catalogue."""

    STANDARD = "standard"
    EXPRESS = "express"
    ECONOMY = "economy"
    SIGNED = "signed"


class OrderStatus(str, Enum):
    """Lifecycle state of an order."""

    DRAFT = "draft"
    LABELLED = "labelled"


class TrackingStatus(str, Enum):
    """Status of a tracking event."""

    REGISTERED = "registered"
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class ExportKind(str, Enum):
    """What an export contains."""

    ORDERS = "orders"


class ExportStatus(str, Enum):
    """Progress of an export job."""

    PENDING = "pending"
    DONE = "done"


class WebhookEvent(str, Enum):
    """An event a webhook can subscribe to."""

    ORDER_CREATED = "order.created"
    ORDER_UPDATED = "order.updated"
    ORDER_DELETED = "order.deleted"
    LABEL_CREATED = "label.created"


class ErrorDetail(BaseModel):
    """Error body returned with every 4xx status except validation errors."""

    detail: str


# --- Accounts and authentication ---------------------------------------------------------------


class AccountCreate(BaseModel):
    """Signup request."""

    company_name: Name
    email: Email
    password: str = Field(min_length=8, max_length=128)


class Account(BaseModel):
    """A customer account of Dispatch (a tenant)."""

    id: str
    company_name: str
    email: str = Field(json_schema_extra={"format": "email"})
    created_at: datetime


class Me(Account):
    """The caller's account, as seen at the time of the request."""

    server_time: datetime = Field(description="The server's current time; different on every call")
    request_nonce: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="A fresh random value for this call; different on every call"
    )


class LoginRequest(BaseModel):
    """Credentials exchanged for an access token."""

    email: Email
    password: str = Field(min_length=1, max_length=128)


class Token(BaseModel):
    """Bearer access token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"


# --- Catalogue ---------------------------------------------------------------------------------


class Service(BaseModel):
    """A shipping service offered by Dispatch."""

    code: ServiceCode
    name: str
    description: str
    price_cents: int = Field(ge=0)
    max_weight_grams: int = Field(ge=1)


# --- Orders ------------------------------------------------------------------------------------


class Address(BaseModel):
    """A postal address."""

    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=1, max_length=16)
    country: str = Field(
        min_length=2, max_length=2, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code"
    )


class OrderItem(BaseModel):
    """One line of an order."""

    description: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=1000)
    weight_grams: int = Field(ge=1, le=70_000, description="Weight of a single unit")


class OrderCreate(BaseModel):
    """Request to create an order."""

    recipient_name: Name
    recipient_phone: Phone
    recipient_address: Address
    reference: str | None = Field(default=None, max_length=200, description="Free text for your own records")
    items: list[OrderItem] = Field(min_length=1, max_length=50)


class OrderUpdate(BaseModel):
    """Partial update of an order; omitted fields are left unchanged.

    `null` clears `reference`; for the other fields it leaves them unchanged.
    """

    recipient_name: Name | None = None
    recipient_phone: Phone | None = None
    recipient_address: Address | None = None
    reference: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(
        default=None, description="The account the order belongs to; only your own account is allowed"
    )


class Order(BaseModel):
    """A shipment order."""

    id: str
    status: OrderStatus
    recipient_name: str
    recipient_phone: str
    recipient_address: Address
    reference: str | None
    items: list[OrderItem]
    created_at: datetime
    updated_at: datetime


# --- Parcels and tracking ----------------------------------------------------------------------


class ParcelCreate(BaseModel):
    """Request to add a parcel to an order."""

    weight_grams: int = Field(ge=1, le=70_000)
    length_cm: int = Field(ge=1, le=300)
    width_cm: int = Field(ge=1, le=300)
    height_cm: int = Field(ge=1, le=300)
    contents_description: str = Field(min_length=1, max_length=200)


class Parcel(BaseModel):
    """A physical parcel belonging to an order."""

    id: str
    order_id: str
    tracking_number: str = Field(pattern=r"^TRK[0-9]+$")
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    contents_description: str
    created_at: datetime


class TrackingEvent(BaseModel):
    """One step in a parcel's journey."""

    status: TrackingStatus
    location: str
    timestamp: datetime


class Tracking(BaseModel):
    """Tracking history of a parcel, oldest event first."""

    parcel_id: str
    tracking_number: str = Field(pattern=r"^TRK[0-9]+$")
    events: list[TrackingEvent]


# --- Labels and invoices -----------------------------------------------------------------------


class OrderLookup(BaseModel):
    """Several orders fetched at once, by id."""

    order_ids: list[str] = Field(min_length=1, max_length=100)


class LabelCreate(BaseModel):
    """Request to buy a postage label for an order."""

    order_id: str = Field(min_length=1, max_length=64)
    service_code: ServiceCode


class Label(BaseModel):
    """A purchased postage label."""

    id: str
    order_id: str
    service_code: ServiceCode
    tracking_number: str = Field(pattern=r"^TRK[0-9]+$")
    recipient_name: str
    recipient_address: Address
    price_cents: int
    receipt_id: int = Field(description="The proof-of-postage receipt issued for the label")
    created_at: datetime


class Receipt(BaseModel):
    """Proof of postage for a label. Receipts are numbered in one sequence across the whole service."""

    id: int
    label_id: str
    tracking_number: str
    recipient_name: str
    recipient_address: Address
    amount_cents: int
    currency: str = Field(min_length=3, max_length=3)
    issued_at: datetime


class Invoice(BaseModel):
    """The charge for a label, billed to the account that bought it."""

    id: str
    label_id: str
    amount_cents: int
    currency: str = Field(min_length=3, max_length=3)
    billing_company: str
    issued_at: datetime
    created_at: datetime


# --- Address book ------------------------------------------------------------------------------


class CustomerIn(BaseModel):
    """Body to create or fully replace an address-book entry."""

    name: Name
    email: Email
    phone: Phone
    company: str | None = Field(default=None, max_length=100)
    address: Address
    notes: str | None = Field(default=None, max_length=1000)


class CustomerCreate(CustomerIn):
    """Body to create an address-book entry."""

    account_id: str | None = Field(
        default=None, description="The account the contact belongs to; only your own account is allowed"
    )


class Customer(BaseModel):
    """An entry of the account's address book."""

    id: str
    name: str
    email: str = Field(json_schema_extra={"format": "email"})
    phone: str
    company: str | None
    address: Address
    notes: str | None
    created_at: datetime
    updated_at: datetime


# --- Sharing -----------------------------------------------------------------------------------


class ShareCreate(BaseModel):
    """Request to let another Dispatch account read one of your orders."""

    account_email: Email = Field(description="Sign-in email of the account to share the order with")


class Share(BaseModel):
    """Read access to an order granted to another account."""

    id: str
    order_id: str
    account_email: str = Field(json_schema_extra={"format": "email"})


# --- Exports -----------------------------------------------------------------------------------


class ExportCreate(BaseModel):
    """Request to export your data."""

    kind: ExportKind


class ExportJob(BaseModel):
    """An asynchronous export; poll it until `status` is `done`, then download it."""

    id: str
    kind: ExportKind
    status: ExportStatus
    requested_by: str = Field(
        json_schema_extra={"format": "email"}, description="Email of the account that requested the export"
    )
    row_count: int = Field(ge=0, description="Number of rows in the export")
    created_at: datetime


class ExportedOrder(BaseModel):
    """One row of an orders export: an order as it was when the export was requested."""

    order_id: str
    status: OrderStatus
    recipient_name: str
    recipient_phone: str
    recipient_address: Address
    reference: str | None
    item_count: int = Field(ge=1, description="Total number of units in the order")
    created_at: datetime


# --- Webhooks ----------------------------------------------------------------------------------


class WebhookCreate(BaseModel):
    """Request to register a webhook; duplicate events are ignored."""

    url: WebUrl
    events: list[WebhookEvent] = Field(min_length=1, max_length=20)


class Webhook(BaseModel):
    """A URL Dispatch calls when one of the subscribed events happens in your account."""

    id: str
    url: str = Field(json_schema_extra={"format": "uri"})
    events: list[WebhookEvent]
    signing_secret: str = Field(
        description="Secret that signs every delivery (HMAC-SHA256); shown only to the webhook's owner"
    )
    created_at: datetime


# --- Preferences -------------------------------------------------------------------------------


class Preferences(BaseModel):
    """Display and notification preferences of a user."""

    locale: str = Field(pattern=r"^[a-z]{2}-[A-Z]{2}$", examples=["en-GB"], description="BCP 47 locale")
    timezone: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z]+(/[A-Za-z_]+){0,2}$",
        examples=["Europe/London"],
        description="IANA time zone name",
    )
    marketing_emails: bool
