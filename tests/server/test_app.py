"""The app's frame: OpenAPI, one error shape for everything, and the command helper."""

from __future__ import annotations

import uuid

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from desktopdesk.domain.commands import CreateCompany
from desktopdesk.domain.errors import DomainError
from desktopdesk.models import Company
from desktopdesk.server.app import NotAnAuthorityError, create_app
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.deps import ClockDep, CurrentUser, StoreDep, execute
from desktopdesk.server.errors import ApiError
from desktopdesk.store.workspace import Workspace
from tests.server.conftest import API, DEMO_TODAY, login


def test_the_openapi_document_describes_the_api(client: TestClient) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert {f"{API}/auth/token", f"{API}/auth/logout", f"{API}/me"} <= set(document["paths"])
    token = document["paths"][f"{API}/auth/token"]["post"]
    assert set(token["requestBody"]["content"]) == {"application/json",
                                                    "application/x-www-form-urlencoded"}
    assert set(token["responses"]) >= {"200", "401", "422", "429"}
    assert "ErrorBody" in document["components"]["schemas"]
    scheme = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == f"{API}/auth/token"


def test_the_interactive_docs_are_served_under_the_api(client: TestClient) -> None:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
    assert client.get("/docs").status_code == 404


def test_unknown_routes_and_methods_answer_in_the_error_shape(client: TestClient) -> None:
    missing = client.get(f"{API}/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong_method = client.get(f"{API}/auth/token")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"code": "method_not_allowed",
                                   "message": "Method Not Allowed", "field": None}


@pytest.mark.parametrize(("code", "status"), [
    ("not_found", 404), ("forbidden", 403), ("not_owner", 409),
    ("invalid_transition", 409), ("locked", 409), ("group_limit", 409), ("duplicate", 409),
    ("validation", 422), ("something_new", 400),
])
def test_domain_errors_map_to_http_statuses(code: str, status: int) -> None:
    error = ApiError.from_domain(DomainError(code, "Because.", "title"))
    assert (error.status, error.code, error.message, error.field) == (
        status, code, "Because.", "title")


def test_not_visible_is_indistinguishable_from_not_found() -> None:
    error = ApiError.from_domain(DomainError("not_visible", "Ticket #12 is Acme's.", "ticket"))
    assert (error.status, error.code, error.message) == (404, "not_found", "Not found.")


class NewCompany(BaseModel):
    name: str


def company_router() -> APIRouter:
    """The shape the REST routes take: thin, one command through ``execute``."""
    router = APIRouter()

    @router.post("/companies")
    def create_company(body: NewCompany, store: StoreDep, user: CurrentUser,
                       clock: ClockDep) -> dict[str, str]:
        result = execute(store, CreateCompany(name=body.name), user, now=clock())
        return {"id": str(result.created_id)}

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    return router


@pytest.fixture
def extended_app(app: FastAPI) -> FastAPI:
    app.include_router(company_router(), prefix=f"{API}/test")
    return app


def test_commands_run_through_execute_with_errors_as_json(
    extended_app: FastAPI, server_store: Workspace, client: TestClient
) -> None:
    url = f"{API}/test/companies"
    forbidden = client.post(url, json={"name": "Initech"}, headers=login(client, "tomas"))
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"

    admin = login(client, "admin")
    created = client.post(url, json={"name": "Initech"}, headers=admin)
    assert created.status_code == 200
    with server_store.read() as session:
        company = session.get(Company, uuid.UUID(created.json()["id"]))
        assert company is not None
        assert company.created_at == DEMO_TODAY  # the server's clock dated it

    again = client.post(url, json={"name": "Initech"}, headers=admin)
    assert (again.status_code, again.json()["code"], again.json()["field"]) == (
        422, "validation", "name")
    blank = client.post(url, json={"name": "  "}, headers=admin)
    assert (blank.status_code, blank.json()["code"], blank.json()["field"]) == (
        422, "validation", "name")
    wrong_type = client.post(url, json={"name": 7}, headers=admin)
    assert (wrong_type.status_code, wrong_type.json()["field"]) == (422, "name")


def test_a_bug_answers_500_in_the_error_shape_without_details(extended_app: FastAPI) -> None:
    with TestClient(extended_app, raise_server_exceptions=False) as client:
        response = client.get(f"{API}/test/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "a bug" not in response.text


def test_a_desktop_replica_is_never_served(server_config: ServerConfig) -> None:
    with Workspace.open(server_config.data_dir, server_config.database_url) as workspace:
        workspace.set_info("role", "replica")
    with pytest.raises(NotAnAuthorityError), TestClient(create_app(server_config)):
        pass
