"""The Dispatch FastAPI application: a multi-tenant shipping service."""

import os
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Security, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .catalogue import SERVICES
from .models import (
    Account,
    AccountCreate,
    Customer,
    CustomerIn,
    ErrorDetail,
    Invoice,
    Label,
    LabelCreate,
    LoginRequest,
    Order,
    OrderCreate,
    OrderStatus,
    OrderUpdate,
    Parcel,
    ParcelCreate,
    Service,
    Token,
    Tracking,
)
from .store import DuplicateEmailError, Store
from .vulnerabilities import (
    BODY_REFERENCE_UNCHECKED,
    DELETE_BY_ID,
    ENV_VAR,
    LIST_UNFILTERED,
    NESTED_CHILD_UNCHECKED,
    READ_BY_ID,
    WRITE_BY_ID,
    validate_vulnerabilities,
    vulnerabilities_from_env,
)

DESCRIPTION = """\
Dispatch lets businesses create shipment orders, add parcels, buy postage labels and keep an address book.

Sign up with `POST /accounts`, exchange your credentials for a token with `POST /auth/login`, then send it
as `Authorization: Bearer <token>`. The service catalogue (`GET /services`) is public.
"""

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


def _vulnerable(request: Request, name: str) -> bool:
    return name in request.app.state.vulnerabilities


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


StoreDep = Annotated[Store, Depends(get_store)]
CurrentAccount = Annotated[Account, Depends(current_account)]

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


@router.get("/me", response_model=Account, tags=["accounts"])
def get_me(account: CurrentAccount) -> Account:
    """The account of the caller."""
    return account


# --- catalogue ---------------------------------------------------------------------------------


@public.get("/services", response_model=list[Service], tags=["catalogue"])
def list_services() -> list[Service]:
    """The shipping services on offer, with prices."""
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


@router.get("/orders/{order_id}", response_model=Order, responses=_errors(404), tags=["orders"])
def get_order(order_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> Order:
    """Get one of your orders."""
    owner = None if _vulnerable(request, READ_BY_ID) else account.id
    order = store.get_order(order_id, owner)
    if order is None:
        raise _not_found("Order")
    return order


@router.patch("/orders/{order_id}", response_model=Order, responses=_errors(404), tags=["orders"])
def update_order(
    order_id: str, body: OrderUpdate, request: Request, account: CurrentAccount, store: StoreDep
) -> Order:
    """Update the recipient or reference of an order."""
    owner = None if _vulnerable(request, WRITE_BY_ID) else account.id
    order = store.update_order(order_id, owner, body)
    if order is None:
        raise _not_found("Order")
    return order


@router.delete(
    "/orders/{order_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_errors(404), tags=["orders"]
)
def delete_order(order_id: str, account: CurrentAccount, store: StoreDep) -> None:
    """Delete an order and its parcels."""
    if not store.delete_order(order_id, account.id):
        raise _not_found("Order")


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
def list_parcels(order_id: str, account: CurrentAccount, store: StoreDep) -> list[Parcel]:
    """List the parcels of an order."""
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
def create_label(body: LabelCreate, request: Request, account: CurrentAccount, store: StoreDep) -> Label:
    """Buy a postage label for an order; the order becomes `labelled` and you are invoiced."""
    order_owner = None if _vulnerable(request, BODY_REFERENCE_UNCHECKED) else account.id
    label = store.create_label(account, body.order_id, body.service_code, order_owner)
    if label is None:
        raise _not_found("Order")
    return label


@router.get("/labels/{label_id}", response_model=Label, responses=_errors(404), tags=["labels"])
def get_label(label_id: str, account: CurrentAccount, store: StoreDep) -> Label:
    """Get a label you bought."""
    label = store.get_label(label_id, account.id)
    if label is None:
        raise _not_found("Label")
    return label


@router.get("/invoices", response_model=list[Invoice], tags=["invoices"])
def list_invoices(account: CurrentAccount, store: StoreDep) -> list[Invoice]:
    """List your invoices, oldest first."""
    return store.list_invoices(account.id)


@router.get("/invoices/{invoice_id}", response_model=Invoice, responses=_errors(404), tags=["invoices"])
def get_invoice(invoice_id: str, account: CurrentAccount, store: StoreDep) -> Invoice:
    """Get one of your invoices."""
    invoice = store.get_invoice(invoice_id, account.id)
    if invoice is None:
        raise _not_found("Invoice")
    return invoice


# --- address book ------------------------------------------------------------------------------


@router.post("/customers", status_code=status.HTTP_201_CREATED, response_model=Customer, tags=["customers"])
def create_customer(body: CustomerIn, account: CurrentAccount, store: StoreDep) -> Customer:
    """Add a contact to your address book."""
    return store.create_customer(account.id, body)


@router.get("/customers", response_model=list[Customer], tags=["customers"])
def list_customers(account: CurrentAccount, store: StoreDep) -> list[Customer]:
    """List your address book, oldest first."""
    return store.list_customers(account.id)


@router.get("/customers/{customer_id}", response_model=Customer, responses=_errors(404), tags=["customers"])
def get_customer(customer_id: str, account: CurrentAccount, store: StoreDep) -> Customer:
    """Get a contact from your address book."""
    customer = store.get_customer(customer_id, account.id)
    if customer is None:
        raise _not_found("Customer")
    return customer


@router.put("/customers/{customer_id}", response_model=Customer, responses=_errors(404), tags=["customers"])
def replace_customer(
    customer_id: str, body: CustomerIn, account: CurrentAccount, store: StoreDep
) -> Customer:
    """Replace every field of a contact."""
    customer = store.replace_customer(customer_id, account.id, body)
    if customer is None:
        raise _not_found("Customer")
    return customer


@router.delete(
    "/customers/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(404),
    tags=["customers"],
)
def delete_customer(customer_id: str, request: Request, account: CurrentAccount, store: StoreDep) -> None:
    """Remove a contact from your address book."""
    owner = None if _vulnerable(request, DELETE_BY_ID) else account.id
    if not store.delete_customer(customer_id, owner):
        raise _not_found("Customer")


# --- application -------------------------------------------------------------------------------


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(vulnerabilities: Iterable[str] = ()) -> FastAPI:
    """Build a Dispatch application with its own empty database.

    `vulnerabilities` names the isolation bugs to switch on (see `VULNERABILITIES`); unknown names raise
    ValueError.
    """
    enabled = validate_vulnerabilities(vulnerabilities)
    app = FastAPI(
        title="Dispatch",
        version="1.0.0",
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
    )
    app.state.store = Store()
    app.state.vulnerabilities = enabled
    app.include_router(public)
    app.include_router(router)
    return app


app = create_app(vulnerabilities_from_env(os.environ.get(ENV_VAR)))
