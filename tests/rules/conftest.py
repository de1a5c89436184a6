import pytest

import rules


@pytest.fixture(scope="session")
def national():
    return rules.load_profile("national")


@pytest.fixture(scope="session")
def nanjing():
    return rules.load_profile("nanjing")


@pytest.fixture(scope="session")
def xuanwu():
    return rules.load_profile("nanjing-xuanwu")
