"""The Dispatch FastAPI application: a multi-tenant shipping service."""

import asyncio
import html
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Cookie,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    Security,
    status,
)
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .caching import (
    CACHE_CONTROL,
    PRIVATE,
    PUBLIC_CATALOGUE,
    PUBLIC_PRIVATE_DATA,
    Caches,
    cache_control_doc,
    request_key,
)
from .catalogue import SERVICES
from .headers import ResponseHeaders, document_headers
from .models import (
    Account,
    AccountCreate,
    Customer,
    CustomerCreate,
    CustomerIn,
    ErrorDetail,
    ExportCreate,
    ExportedOrder,
    ExportJob,
    ExportStatus,
    Invoice,
    Label,
    LabelCreate,
    LoginRequest,
    Me,
    Order,
    OrderCreate,
    OrderLookup,
    OrderStatus,
    OrderUpdate,
    Parcel,
    ParcelCreate,
    Preferences,
    Receipt,
    Service,
    Share,
    ShareCreate,
    Token,
    Tracking,
    Webhook,
    WebhookCreate,
)
from .store import DuplicateEmailError, Store
from .vulnerabilities import (
    BODY_REFERENCE_UNCHECKED,
    BULK_IDS_UNCHECKED,
    CACHE_BEFORE_AUTHZ,
    CACHE_WITHOUT_TENANT,
    CACHEABLE_PRIVATE_RESPONSE,
    DELETE_BY_ID,
    DELETE_THEN_REUSE,
    ENV_VAR,
    ERROR_MESSAGE_LEAK,
    EXPORT_JOB_UNCHECKED,
    HEADER_TENANT_SPOOF,
    LIST_UNFILTERED,
    MASS_ASSIGNMENT_CREATE,
    MASS_ASSIGNMENT_UPDATE,
    NESTED_CHILD_UNCHECKED,
    NESTED_PARENT_UNCHECKED,
    QUERY_TENANT_PARAM,
    READ_BY_ID,
    REQUEST_STATE_RACE,
    SEARCH_ACROSS_TENANTS,
    SEQUENTIAL_IDS,
    WEBHOOK_SECRET_LEAK,
    WRITE_BY_ID,
    validate_vulnerabilities,
    vulnerabilities_from_env,
)

DESCRIPTION = """\
Dispatch lets businesses create shipment orders, add parcels, buy postage labels and keep an address book.
Orders can be searched, exported, and shared read-only with other Dispatch accounts; webhooks report
events in your account to your own systems.

Sign up with `POST /accounts`, exchange your credentials for a token with `POST /auth/login`, then send it
as `Authorization: Bearer <token>`. The service catalogue (`GET /services`) is public, and so are the
web pages `GET /login` and `GET /dashboard`, which use a browser session instead of the token.

Every response carries an `X-Request-Id` header; a GET of a single object also carries an `ETag`.
"""
SESSION_COOKIE = "dispatch_session"
AUDIT_WRITE_SECONDS = 0.005  # how long recording a read in the audit trail takes

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", description="Access token from `POST /auth/login`."
)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorDetail} for code in codes}


def get_store(request: Request) -> Store:
    """The store of the application serving the request."""
    store: Store = request.app.state.store
    return store


def current_account(
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Account:
    """The account authenticated by the bearer token; 401 without a valid one."""
    account = store.account_for_token(credentials.credentials) if credentials is not None else None
    if account is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return account


def get_caches(request: Request) -> Caches:
    """The response caches of the application serving the request."""
    caches: Caches = request.app.state.caches
    return caches


def _vulnerable(request: Request, name: str) -> bool:
    return name in request.app.state.vulnerabilities


def _forbidden(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=detail)


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


StoreDep = Annotated[Store, Depends(get_store)]
CurrentAccount = Annotated[Account, Depends(current_account)]
CachesDep = Annotated[Caches, Depends(get_caches)]

public = APIRouter()
router = APIRouter(responses=_errors(401))


# --- accounts ----------------------------------------------------------------------------------


@public.post(
    "/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=Account,
    responses=_errors(409),
    tags=["accounts"],
)
def create_account(body: AccountCreate, store: StoreDep) -> Account:
    """Sign up a new company account."""
    try:
        return store.create_account(body)
    except DuplicateEmailError:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="An account with this email already exists"
        ) from None


@public.post("/auth/login", response_model=Token, responses=_errors(401), tags=["accounts"])
def login(body: LoginRequest, store: StoreDep) -> Token:
    """Exchange email and password for a bearer access token."""
    token = store.login(body.email, body.password)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Incorrect email or password")
    return Token(access_token=token)


@router.get("/me", response_model=Me, tags=["accounts"])
async def get_me(request: Request, account: CurrentAccount) -> Me:
    """The account of the caller, with the server's current time."""
    # The account is kept while the read is recorded in the audit trail (the sleep stands for that write);
    # `app.state` is shared by every request the application serves at once, `request.state` is not.
    holder = request.app.state if _vulnerable(request, REQUEST_STATE_RACE) else request.state
    holder.current_account = account
    await asyncio.sleep(AUDIT_WRITE_SECONDS)
    current: Account = holder.current_account
    return Me(**current.model_dump(), server_time=datetime.now(UTC), request_nonce=uuid.uuid4().hex)


@router.get("/me/preferences", response_model=Preferences, tags=["accounts"])
def get_preferences(
    request: Request, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> Preferences:
    """Your display and notification preferences (defaults until you set them)."""
    key = (account.id, request_key(request))
    preferences = caches.preferences.get(key)
    if preferences is None:
        preferences = store.get_preferences(account.id)
        caches.preferences.put(key, preferences)
    return preferences


@router.put(
    "/users/{username}/preferences",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["accounts"],
)
def set_preferences(
    username: Annotated[
        str,
        Path(
            min_length=1,
            max_length=254,
            description="Username of the user, which is the email they sign in with. Kept for clients of "
            "API v0; the preferences changed are always the caller's own.",
        ),
    ],
    body: Preferences,
    account: CurrentAccount,
    store: StoreDep,
    caches: CachesDep,
) -> None:
    """Replace the preferences of the signed-in user.

    A Dispatch account has a single user, so this always changes the caller's own preferences, whatever
    `username` says; read them back with `GET /me/preferences`.
    """
    store.set_preferences(account.id, body)
    caches.preferences.clear()


# --- web pages ---------------------------------------------------------------------------------


@public.get("/login", response_class=HTMLResponse, tags=["web"])
def login_page() -> HTMLResponse:
    """The sign-in page of the web app."""
    return HTMLResponse("<html>Log in</html>")


@public.get(
    "/dashboard",
    response_class=HTMLResponse,
    responses={
        302: {
            "description": "No valid session cookie: redirect to the sign-in page",
            "headers": {"Location": {"description": "`/login`", "schema": {"type": "string"}}},
        }
    },
    tags=["web"],
)
def dashboard(
    store: StoreDep,
    session: Annotated[
        str | None,
        Cookie(alias=SESSION_COOKIE, description="Browser session of the web app (not the API token header)"),
    ] = None,
) -> Response:
    """The web dashboard; browsers without a session are sent to the sign-in page."""
    account = store.account_for_token(session) if session else None
    if account is None:
        return RedirectResponse("/login", status_code=status.HTTP_302_FOUND)
    return HTMLResponse(f"<html>Dashboard of {html.escape(account.company_name)}</html>")


# --- catalogue ---------------------------------------------------------------------------------


@public.get(
    "/services",
    response_model=list[Service],
    responses=cache_control_doc("The catalogue is public: any cache may keep it for five minutes."),
    tags=["catalogue"],
)
def list_services(response: Response) -> list[Service]:
    """The shipping services on offer, with prices."""
    response.headers[CACHE_CONTROL] = PUBLIC_CATALOGUE
    return list(SERVICES)


# --- orders ------------------------------------------------------------------------------------


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=Order, tags=["orders"])
def create_order(body: OrderCreate, account: CurrentAccount, store: StoreDep) -> Order:
    """Create a draft order."""
    return store.create_order(account.id, body)


@router.get("/orders", response_model=list[Order], tags=["orders"])
def list_orders(
    request: Request,
    account: CurrentAccount,
    store: StoreDep,
    status_filter: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> list[Order]:
    """List your orders, oldest first, optionally only those with a given status."""
    owner = None if _vulnerable(request, LIST_UNFILTERED) else account.id
    return store.list_orders(owner, status_filter)


# Declared before `/orders/{order_id}`, which would otherwise take `search` for an order id.
@router.get("/orders/search", response_model=list[Order], tags=["orders"])
def search_orders(
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, description="Text to find in the recipient name or reference"),
    ],
    request: Request,
    account: CurrentAccount,
    store: StoreDep,
) -> list[Order]:
    """Search your orders by recipient name or reference (case-insensitive), oldest first."""
    owner = None if _vulnerable(request, SEARCH_ACROSS_TENANTS) else account.id
    return store.search_orders(owner, q)


# Declared before `/orders/{order_id}` for the same reason.
@router.post("/orders/lookup", response_model=list[Order], tags=["orders"])
def lookup_orders(
    body: OrderLookup, request: Request, account: CurrentAccount, store: StoreDep
) -> list[Order]:
    """Fetch several of your orders at once by id; ids that are not yours are left out."""
    owner = None if _vulnerable(request, BULK_IDS_UNCHECKED) else account.id
    return store.get_orders(body.order_ids, owner)


@router.get("/orders/{order_id}", response_model=Order, responses=_errors(404), tags=["orders"])
def get_order(
    order_id: str, request: Request, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> Order:
    """Get one of your orders."""
    cached = _vulnerable(request, CACHE_BEFORE_AUTHZ)
    if cached and (hit := caches.orders.get(order_id)) is not None:
        return hit
    owner = None if _vulnerable(request, READ_BY_ID) else account.id
    order = store.get_order(order_id, owner)
    if order is None and _vulnerable(request, DELETE_THEN_REUSE):
        order = store.get_deleted_order(order_id)
    if order is None:
        raise _not_found("Order")
    if cached:
        caches.orders.put(order_id, order)
    return order


@router.patch("/orders/{order_id}", response_model=Order, responses=_errors(404), tags=["orders"])
def update_order(
    order_id: str,
    body: OrderUpdate,
    request: Request,
    account: CurrentAccount,
    store: StoreDep,
    caches: CachesDep,
) -> Order:
    """Update the recipient or reference of an order."""
    owner = None if _vulnerable(request, WRITE_BY_ID) else account.id
    if body.account_id not in (None, account.id) and not _vulnerable(request, MASS_ASSIGNMENT_UPDATE):
        raise _forbidden("An order can only belong to your own account")
    order = store.update_order(order_id, owner, body)
    if order is None:
        raise _not_found("Order")
    caches.orders.drop(order_id)
    return order


@router.delete(
    "/orders/{order_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_errors(404), tags=["orders"]
)
def delete_order(order_id: str, account: CurrentAccount, store: StoreDep, caches: CachesDep) -> None:
    """Delete an order and its parcels."""
    if not store.delete_order(order_id, account.id):
        raise _not_found("Order")
    caches.orders.drop(order_id)


# --- sharing -----------------------------------------------------------------------------------


@router.post(
    "/orders/{order_id}/shares",
    status_code=status.HTTP_201_CREATED,
    response_model=Share,
    responses=_errors(404),
    tags=["sharing"],
)
def share_order(order_id: str, body: ShareCreate, account: CurrentAccount, store: StoreDep) -> Share:
    """Let another Dispatch account, named by its sign-in email, read one of your orders."""
    share = store.share_order(order_id, account.id, body.account_email)
    if share is None:
        raise _not_found("Order")
    return share


@router.get("/shared-orders", response_model=list[Order], tags=["sharing"])
def list_shared_orders(account: CurrentAccount, store: StoreDep) -> list[Order]:
    """Orders other accounts have shared with you, oldest first."""
    return store.list_shared_orders(account.email)


# --- parcels -----------------------------------------------------------------------------------


def _owned_order(store: Store, order_id: str, account: Account) -> Order:
    order = store.get_order(order_id, account.id)
    if order is None:
        raise _not_found("Order")
    return order


@router.post(
    "/orders/{order_id}/parcels",
    status_code=status.HTTP_201_CREATED,
    response_model=Parcel,
    responses=_errors(404),
    tags=["parcels"],
)
def create_parcel(order_id: str, body: ParcelCreate, account: CurrentAccount, store: StoreDep) -> Parcel:
    """Add a parcel to an order."""
    parcel = store.create_parcel(order_id, account.id, body)
    if parcel is None:
        raise _not_found("Order")
    return parcel


@router.get(
    "/orders/{order_id}/parcels", response_model=list[Parcel], responses=_errors(404), tags=["parcels"]
)
def list_parcels(order_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> list[Parcel]:
    """List the parcels of an order."""
    if not _vulnerable(request, NESTED_PARENT_UNCHECKED):
        _owned_order(store, order_id, account)
    return store.list_parcels(order_id)


@router.get(
    "/orders/{order_id}/parcels/{parcel_id}", response_model=Parcel, responses=_errors(404), tags=["parcels"]
)
def get_parcel(
    order_id: str, parcel_id: str, request: Request, account: CurrentAccount, store: StoreDep
) -> Parcel:
    """Get one parcel of an order."""
    _owned_order(store, order_id, account)
    parcel = store.get_parcel(parcel_id, None if _vulnerable(request, NESTED_CHILD_UNCHECKED) else order_id)
    if parcel is None:
        raise _not_found("Parcel")
    return parcel


@router.get(
    "/parcels/{parcel_id}/tracking", response_model=Tracking, responses=_errors(404), tags=["parcels"]
)
def get_tracking(parcel_id: str, account: CurrentAccount, store: StoreDep) -> Tracking:
    """Tracking history of a parcel."""
    tracking = store.get_tracking(parcel_id, account.id)
    if tracking is None:
        raise _not_found("Parcel")
    return tracking


# --- labels and invoices -----------------------------------------------------------------------


@router.post(
    "/labels",
    status_code=status.HTTP_201_CREATED,
    response_model=Label,
    responses=_errors(404),
    tags=["labels"],
)
def create_label(
    body: LabelCreate, request: Request, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> Label:
    """Buy a postage label for an order; the order becomes `labelled` and you are invoiced."""
    order_owner = None if _vulnerable(request, BODY_REFERENCE_UNCHECKED) else account.id
    label = store.create_label(account, body.order_id, body.service_code, order_owner)
    if label is None:
        raise _not_found("Order")
    caches.orders.drop(body.order_id)
    return label


@router.get("/labels/{label_id}", response_model=Label, responses=_errors(404), tags=["labels"])
def get_label(label_id: str, account: CurrentAccount, store: StoreDep) -> Label:
    """Get a label you bought."""
    label = store.get_label(label_id, account.id)
    if label is None:
        raise _not_found("Label")
    return label


@router.get("/receipts", response_model=list[Receipt], tags=["labels"])
def list_receipts(account: CurrentAccount, store: StoreDep) -> list[Receipt]:
    """List the proof-of-postage receipts of your labels, oldest first."""
    return store.list_receipts(account.id)


@router.get("/receipts/{receipt_id}", response_model=Receipt, responses=_errors(404), tags=["labels"])
def get_receipt(receipt_id: int, request: Request, account: CurrentAccount, store: StoreDep) -> Receipt:
    """Get one of your receipts by its number."""
    owner = None if _vulnerable(request, SEQUENTIAL_IDS) else account.id
    receipt = store.get_receipt(receipt_id, owner)
    if receipt is None:
        raise _not_found("Receipt")
    return receipt


@router.get("/invoices", response_model=list[Invoice], tags=["invoices"])
def list_invoices(
    request: Request,
    account: CurrentAccount,
    store: StoreDep,
    account_id: Annotated[
        str | None, Query(description="The account whose invoices to list; only your own is allowed")
    ] = None,
) -> list[Invoice]:
    """List your invoices, oldest first."""
    owner = account_id or account.id
    if owner != account.id and not _vulnerable(request, QUERY_TENANT_PARAM):
        raise _forbidden("You can only list your own invoices")
    return store.list_invoices(owner)


@router.get(
    "/invoices/{invoice_id}",
    response_model=Invoice,
    responses=_errors(404) | cache_control_doc("How caches between you and Dispatch may keep the invoice."),
    tags=["invoices"],
)
def get_invoice(
    invoice_id: str, request: Request, response: Response, account: CurrentAccount, store: StoreDep
) -> Invoice:
    """Get one of your invoices."""
    invoice = store.get_invoice(invoice_id, account.id)
    if invoice is None:
        raise _not_found("Invoice")
    public_cache = _vulnerable(request, CACHEABLE_PRIVATE_RESPONSE)
    response.headers[CACHE_CONTROL] = PUBLIC_PRIVATE_DATA if public_cache else PRIVATE
    return invoice


# --- address book ------------------------------------------------------------------------------


@router.post("/customers", status_code=status.HTTP_201_CREATED, response_model=Customer, tags=["customers"])
def create_customer(
    body: CustomerCreate, request: Request, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> Customer:
    """Add a contact to your address book."""
    owner = body.account_id or account.id
    if owner != account.id and not _vulnerable(request, MASS_ASSIGNMENT_CREATE):
        raise _forbidden("A contact can only be added to your own address book")
    customer = store.create_customer(owner, body)
    caches.customers.clear()
    return customer


@router.get("/customers", response_model=list[Customer], tags=["customers"])
def list_customers(
    request: Request,
    account: CurrentAccount,
    store: StoreDep,
    caches: CachesDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Most contacts to return")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Contacts to skip")] = 0,
    x_account_id: Annotated[
        str | None,
        Header(alias="X-Account-Id", description="The account to act as; only your own is allowed"),
    ] = None,
) -> list[Customer]:
    """List your address book, oldest first, one page at a time."""
    owner = x_account_id or account.id
    if owner != account.id and not _vulnerable(request, HEADER_TENANT_SPOOF):
        raise _forbidden("You can only act as your own account")
    if not _vulnerable(request, CACHE_WITHOUT_TENANT):
        return store.list_customers(owner, limit, offset)
    key = request_key(request)
    page = caches.customers.get(key)
    if page is None:
        page = store.list_customers(owner, limit, offset)
        caches.customers.put(key, page)
    return page


@router.get("/customers/{customer_id}", response_model=Customer, responses=_errors(404), tags=["customers"])
def get_customer(customer_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> Customer:
    """Get a contact from your address book."""
    customer = store.get_customer(customer_id, account.id)
    if customer is None:
        owner = store.customer_owner(customer_id) if _vulnerable(request, ERROR_MESSAGE_LEAK) else None
        if owner is not None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail=f"Customer {customer_id} belongs to {owner.company_name} ({owner.email})",
            )
        raise _not_found("Customer")
    return customer


@router.put("/customers/{customer_id}", response_model=Customer, responses=_errors(404), tags=["customers"])
def replace_customer(
    customer_id: str, body: CustomerIn, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> Customer:
    """Replace every field of a contact."""
    customer = store.replace_customer(customer_id, account.id, body)
    if customer is None:
        raise _not_found("Customer")
    caches.customers.clear()
    return customer


@router.delete(
    "/customers/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(404),
    tags=["customers"],
)
def delete_customer(
    customer_id: str, request: Request, account: CurrentAccount, store: StoreDep, caches: CachesDep
) -> None:
    """Remove a contact from your address book."""
    owner = None if _vulnerable(request, DELETE_BY_ID) else account.id
    if not store.delete_customer(customer_id, owner):
        raise _not_found("Customer")
    caches.customers.clear()


# --- exports -----------------------------------------------------------------------------------


@router.post(
    "/exports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExportJob,
    responses={
        202: {"headers": {"Location": {"description": "Where to poll the job", "schema": {"type": "string"}}}}
    },
    tags=["exports"],
)
def create_export(
    body: ExportCreate, response: Response, account: CurrentAccount, store: StoreDep
) -> ExportJob:
    """Start exporting your orders; poll the job until it is `done`, then download it."""
    job = store.create_export(account, body)
    response.headers["Location"] = f"/exports/{job.id}"
    return job


@router.get("/exports/{export_id}", response_model=ExportJob, responses=_errors(404), tags=["exports"])
def get_export(export_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> ExportJob:
    """Poll an export job."""
    owner = None if _vulnerable(request, EXPORT_JOB_UNCHECKED) else account.id
    job = store.poll_export(export_id, owner)
    if job is None:
        raise _not_found("Export")
    return job


@router.get(
    "/exports/{export_id}/download",
    response_model=list[ExportedOrder],
    responses=_errors(404, 409),
    tags=["exports"],
)
def download_export(
    export_id: str, request: Request, account: CurrentAccount, store: StoreDep
) -> list[ExportedOrder]:
    """Download a finished export: your orders as they were when you requested it."""
    owner = None if _vulnerable(request, EXPORT_JOB_UNCHECKED) else account.id
    found = store.export_rows(export_id, owner)
    if found is None:
        raise _not_found("Export")
    job, rows = found
    if job.status is not ExportStatus.DONE:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="Export is not ready yet; poll GET /exports/{export_id} until its status is done",
        )
    return rows


# --- webhooks ----------------------------------------------------------------------------------


@router.post("/webhooks", status_code=status.HTTP_201_CREATED, response_model=Webhook, tags=["webhooks"])
def create_webhook(body: WebhookCreate, account: CurrentAccount, store: StoreDep) -> Webhook:
    """Register a URL to call when the chosen events happen; the response holds its signing secret."""
    return store.create_webhook(account.id, body)


@router.get("/webhooks", response_model=list[Webhook], tags=["webhooks"])
def list_webhooks(account: CurrentAccount, store: StoreDep) -> list[Webhook]:
    """List your webhooks, oldest first."""
    return store.list_webhooks(account.id)


@router.get("/webhooks/{webhook_id}", response_model=Webhook, responses=_errors(404), tags=["webhooks"])
def get_webhook(webhook_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> Webhook:
    """Get one of your webhooks."""
    owner = None if _vulnerable(request, WEBHOOK_SECRET_LEAK) else account.id
    webhook = store.get_webhook(webhook_id, owner)
    if webhook is None:
        raise _not_found("Webhook")
    return webhook


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(404),
    tags=["webhooks"],
)
def delete_webhook(webhook_id: str, account: CurrentAccount, store: StoreDep) -> None:
    """Delete one of your webhooks."""
    if not store.delete_webhook(webhook_id, account.id):
        raise _not_found("Webhook")


# --- application -------------------------------------------------------------------------------


def _operation_id(route: APIRoute) -> str:
    return route.name


class Dispatch(FastAPI):
    """A FastAPI application whose OpenAPI document also describes the headers of every response."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document_headers(super().openapi())
        return super().openapi()


def create_app(vulnerabilities: Iterable[str] = ()) -> FastAPI:
    """Build a Dispatch application with its own empty database.

    `vulnerabilities` names the isolation bugs to switch on (see `VULNERABILITIES`); unknown names raise
    ValueError.
    """
    enabled = validate_vulnerabilities(vulnerabilities)
    app = Dispatch(
        title="Dispatch",
        version="1.0.0",
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
    )
    app.state.store = Store()
    app.state.vulnerabilities = enabled
    app.state.caches = Caches()
    app.include_router(public)
    app.include_router(router)
    app.add_middleware(ResponseHeaders)
    return app


app = create_app(vulnerabilities_from_env(os.environ.get(ENV_VAR)))
