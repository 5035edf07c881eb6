"""`make demo` gets a newcomer in: the console sign-in and the admin token it prints work, and only the newest."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")


def printed(server: BatonServer) -> tuple[str, str, str]:
    """(email, password, token) as `baton demo` printed them."""
    output = server.output()
    sign_in = re.search(r"sign in as (\S+) / (\S+)", output)
    token = re.search(r"Admin token\s+(bt_\S+)", output)
    assert sign_in and token, output
    return sign_in.group(1), sign_in.group(2), token.group(1)


def sign_in(base_url: str, email: str, password: str) -> httpx.Response:
    """The console's sign-in form, as a browser fills it (cookies are Secure: sent by hand over loopback http)."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        form = http.get("/console/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status_code == 200 and csrf, form.text
        cookie = form.headers["set-cookie"].split(";", 1)[0]
        return http.post("/console/sign-in", data={"email": email, "password": password,
                                                   "csrf_token": csrf.group(1)}, headers={"Cookie": cookie})


def test_the_demo_prints_a_console_sign_in_and_an_admin_token_that_work(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = ["demo", "--orders", "15"]
    with BatonServer(url, command=demo, ready_within=120) as server:
        email, password, token = printed(server)
        orders = httpx.get(f"{server.base_url}/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
        assert orders.status_code == 200 and len(orders.json()["items"]) == 15
        signed_in = sign_in(server.base_url, email, password)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/", signed_in.text
    # A second `make demo` prints new credentials; the old ones stop working
    with BatonServer(url, command=demo, ready_within=120) as server:
        _email, new_password, new_token = printed(server)
        assert (new_password, new_token) != (password, token)
        old = httpx.get(f"{server.base_url}/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
        assert old.status_code == 401
        assert httpx.get(f"{server.base_url}/api/v1/orders",
                         headers={"Authorization": f"Bearer {new_token}"}).status_code == 200
        assert sign_in(server.base_url, email, password).status_code == 401
