"""The fixed catalogue of shipping services."""

from __future__ import annotations

from .models import Service, ServiceCode

SERVICES: tuple[Service, ...] = (
    Service(
        code=ServiceCode.ECONOMY,
        name="Economy",
        description="Delivery in 4-7 working days with basic tracking.",
        price_cents=295,
        max_weight_grams=2_000,
    ),
    Service(
        code=ServiceCode.STANDARD,
        name="Standard",
        description="Tracked delivery in 2-3 working days.",
        price_cents=495,
        max_weight_grams=20_000,
    ),
    Service(
        code=ServiceCode.EXPRESS,
        name="Express",
        description="Tracked next-working-day delivery.",
        price_cents=1_295,
        max_weight_grams=20_000,
    ),
    Service(
        code=ServiceCode.SIGNED,
        name="Signed For",
        description="Tracked delivery in 1-2 working days with a signature on delivery.",
        price_cents=895,
        max_weight_grams=10_000,
    ),
)

SERVICES_BY_CODE: dict[ServiceCode, Service] = {service.code: service for service in SERVICES}
