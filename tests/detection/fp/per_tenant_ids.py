"""Orders numbered per tenant: both tenants have order 1. Correctly isolated."""

import secrets

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()
accounts: dict[str, dict] = {}
tokens: dict[str, str] = {}
orders: dict[str, dict[int, dict]] = {}


class Signup(BaseModel):
    email: str
    password: str
    company: str


class Login(BaseModel):
    email: str
    password: str


class OrderIn(BaseModel):
    title: str
    note: str | None = None


class Order(OrderIn):
    id: int


def me(authorization: str | None) -> str:
    token = (authorization or "").removeprefix("Bearer ")
    if token not in tokens:
        raise HTTPException(401)
    return tokens[token]


@app.post("/signup", status_code=201)
def signup(body: Signup) -> dict:
    accounts[body.email] = body.model_dump()
    orders[body.email] = {}
    return {"email": body.email}


@app.post("/login")
def login(body: Login) -> dict:
    token = secrets.token_hex(16)
    tokens[token] = body.email
    return {"token": token}


@app.post("/orders", status_code=201, response_model=Order)
def create(body: OrderIn, authorization: str | None = Header(default=None)) -> Order:
    owner = me(authorization)
    oid = len(orders[owner]) + 1
    orders[owner][oid] = {"id": oid, **body.model_dump()}
    return Order(**orders[owner][oid])


@app.get("/orders/{order_id}", response_model=Order)
def get(order_id: int, authorization: str | None = Header(default=None)) -> Order:
    owner = me(authorization)
    if order_id not in orders[owner]:
        raise HTTPException(404)
    return Order(**orders[owner][order_id])


@app.put("/orders/{order_id}", response_model=Order)
def put(order_id: int, body: OrderIn, authorization: str | None = Header(default=None)) -> Order:
    owner = me(authorization)
    if order_id not in orders[owner]:
        raise HTTPException(404)
    orders[owner][order_id] = {"id": order_id, **body.model_dump()}
    return Order(**orders[owner][order_id])


@app.delete("/orders/{order_id}", status_code=204)
def delete(order_id: int, authorization: str | None = Header(default=None)) -> None:
    owner = me(authorization)
    if orders[owner].pop(order_id, None) is None:
        raise HTTPException(404)
