"""Factories for tenants and staff; tests of every app build on these."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.accounts.models import Membership, Organisation, User
from hygie.accounts.roles import Role

PASSWORD = "correct horse battery staple 42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Union régionale {n}")
    slug = factory.Sequence(lambda n: f"union-{n}")
    sender_name = factory.LazyAttribute(lambda o: o.name)
    sender_email = factory.Sequence(lambda n: f"securite@union-{n}.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN


def confirmed_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)
