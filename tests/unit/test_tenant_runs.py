"""Every run's tenants are new accounts; the seed still fixes everything else they generate."""

from __future__ import annotations

import re
from dataclasses import asdict

from isolation_harness.operations import ApiModel
from isolation_harness.provisioning import CallableProvisioner, ProvisionContext
from isolation_harness.redaction import Redactor
from isolation_harness.tenant_factory import TenantFactory
from isolation_harness.tenants import Tenant
from isolation_harness.transport import HTTPTransport

# Fields whose patterns are common in signup forms.
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,19}$")
EMAIL = re.compile(r"^[a-z]+@[a-z0-9-]+\.example\.com$")


def _factory(*, seed: int = 3, run: str | None = None) -> TenantFactory:
    context = ProvisionContext(
        api=ApiModel(operations=[]), transport=HTTPTransport("http://127.0.0.1:9"), redactor=Redactor()
    )
    provisioner = CallableProvisioner(lambda tenant, context: f"token-{tenant.name}")
    return TenantFactory(context=context, provisioner=provisioner, seed=seed, run=run)


def _generated(tenant: Tenant) -> list[str]:
    """Values a tenant's Faker gives after its identity: what its requests are generated from."""
    return [tenant.fake.sentence(), tenant.fake.user_name(), str(tenant.fake.random_int())]


def test_two_runs_with_one_seed_sign_up_new_accounts_with_the_same_other_values() -> None:
    first, second = _factory().provision("tenant-a"), _factory().provision("tenant-a")

    one, two = asdict(first.identity), asdict(second.identity)
    new = {"email", "username", "company"}
    assert {key for key in one if one[key] != two[key]} == new
    assert first.canary != second.canary
    assert _generated(first) == _generated(second)
    for tenant in (first, second):
        identity = tenant.identity
        assert re.fullmatch(r"ih[a-z]{10}", tenant.canary)
        assert USERNAME.fullmatch(identity.username) and identity.username == tenant.canary
        assert EMAIL.fullmatch(identity.email) and identity.email.startswith(tenant.canary + "@")
        assert identity.company.endswith(" " + tenant.canary)
        assert tenant.markers() == [tenant.canary, identity.email]


def test_the_tenants_of_one_run_share_its_part_and_differ_from_each_other() -> None:
    factory = _factory()
    a, b = factory.provision("tenant-a"), factory.provision("tenant-b")

    assert re.fullmatch(r"[a-z]{8}", factory.run)
    assert a.run == b.run == factory.run
    assert a.canary != b.canary and a.identity.email != b.identity.email


def test_a_fixed_run_gives_the_same_identities_again() -> None:
    first, second = _factory(run="").provision("tenant-a"), _factory(run="").provision("tenant-a")
    pinned = _factory(run="ci").provision("tenant-a")

    assert first.identity == second.identity and first.canary == second.canary
    assert pinned.identity != first.identity
    assert pinned.identity == _factory(run="ci").provision("tenant-a").identity
    # Another seed: other identities, whatever the run.
    assert _factory(seed=4, run="").provision("tenant-a").identity.first_name != first.identity.first_name
