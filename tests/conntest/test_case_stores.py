"""A Connect test case's instance has Customer Profiles, Cases and Voice ID, as ``civicline call`` has."""

from __future__ import annotations

from civicline.conntest.runner import TestCenter
from civicline.engine.center import stores_of
from civicline.engine.stores import LocalStores


def test_a_test_contact_sees_the_three_features_enabled_and_empty() -> None:
    # Given the contact center a test case runs in (before: no stores, so every Customer Profiles,
    # Cases and Voice ID block took its error branch under `civicline test` but not `civicline call`)
    stores = stores_of(TestCenter())
    # Then the three features are enabled, with nothing in them
    assert stores.profiles is not None and stores.profiles.profiles == {}
    assert stores.cases is not None and stores.cases.cases == {}
    assert stores.voice_id is not None and stores.voice_id.speakers == {}


def test_each_test_center_has_its_own_stores() -> None:
    # Given two test contacts: a profile one creates is not seen by the other case
    first, second = TestCenter(), TestCenter()
    assert first.stores.profiles is not None
    first.stores.profiles.add({"FirstName": "A"})
    assert second.stores.profiles is not None and second.stores.profiles.profiles == {}
    assert stores_of(TestCenter(stores=LocalStores.disabled())).profiles is None
