"""The endpoint inventory on the shapes real applications declare routes in.

Each tree is written for this test, modelled on shapes seen in real projects (Flask
extension APIs, blueprints made by factory functions, registration wrappers, FastAPI
routers built in functions, Django URLconfs under a ``manage.py`` source root with lists,
tuples and namespaces), never copied from them.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.model import Endpoint
from tests.test_api_rules import run_api


def routes(endpoints: tuple[Endpoint, ...]) -> set[tuple[str, str, str]]:
    """(methods, route, handler's last name) for every endpoint."""
    return {(",".join(e.methods), e.route, e.handler.rsplit(".", 1)[-1]) for e in endpoints}


FLASK_RESTFUL = """
from flask import Flask
from flask_restful import Api, Resource

from shop.auth import api_key_required

app = Flask(__name__)
api = Api(app, prefix="/api/v1")


class Basket(Resource):
    method_decorators = [api_key_required]

    def get(self, basket_id=None):
        return {}

    def delete(self, basket_id):
        store.delete_basket(basket_id)


class Checkout(Resource):
    def post(self):
        store.create_order()


api.add_resource(Basket, "/basket", "/basket/<basket_id>")
api.add_resource(Checkout, "/checkout", resource_class_kwargs={"store": None})
"""
FLASK_RESTFUL_AUTH = """
from functools import wraps
from flask import make_response, request


def api_key_required(view):
    @wraps(view)
    def checked(*args, **kwargs):
        if request.headers.get("x-api-key") != KEY:
            return make_response("bad key", 403)
        return view(*args, **kwargs)
    return checked
"""


def test_flask_restful_resources_one_endpoint_per_url_and_method(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"shop/api.py": FLASK_RESTFUL, "shop/auth.py": FLASK_RESTFUL_AUTH})
    assert routes(output.endpoints) == {
        ("GET", "/api/v1/basket", "get"),
        ("GET", "/api/v1/basket/<basket_id>", "get"),
        ("DELETE", "/api/v1/basket", "delete"),
        ("DELETE", "/api/v1/basket/<basket_id>", "delete"),
        ("POST", "/api/v1/checkout", "post"),
    }
    sources = {(e.route, e.methods): (e.auth_source, e.writes) for e in output.endpoints}
    # method_decorators name a project decorator whose body refuses with 403.
    assert sources[("/api/v1/basket/<basket_id>", ("DELETE",))] == ("decorator", True)
    assert sources[("/api/v1/checkout", ("POST",))] == ("none", True)
    flagged = {f.line for f in output.findings if f.tool_code == "unauthenticated-write"}
    assert flagged == {22}


FLASK_RESTX = """
from flask import Blueprint, Flask
from flask_restx import Api, Namespace, Resource

app = Flask(__name__)
blueprint = Blueprint("api", __name__, url_prefix="/api")
api = Api(blueprint)
pets = Namespace("pets", description="Pets")
owners = api.namespace("owners")


@pets.route("/<int:pet_id>")
class Pet(Resource):
    def get(self, pet_id):
        \"\"\"One pet.\"\"\"

    def put(self, pet_id):
        \"\"\"Replace a pet.\"\"\"


@owners.route("/")
class OwnerList(Resource):
    def get(self):
        \"\"\"Every owner.\"\"\"


api.add_namespace(pets, path="/animals")
app.register_blueprint(blueprint)
"""


def test_flask_restx_namespaces_mounted_on_an_api_on_a_blueprint(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"zoo/app.py": FLASK_RESTX})
    assert routes(output.endpoints) == {
        ("GET", "/api/animals/<int:pet_id>", "get"),
        ("PUT", "/api/animals/<int:pet_id>", "put"),
        ("GET", "/api/owners/", "get"),
    }


SMOREST = """
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint

app = Flask(__name__)
api = Api(app)
blp = Blueprint("books", __name__, url_prefix="/books")


@blp.route("/")
class Books(MethodView):
    def get(self):
        \"\"\"List books.\"\"\"

    def post(self):
        \"\"\"Add a book.\"\"\"


api.register_blueprint(blp)
"""


def test_flask_smorest_method_views(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"library/app.py": SMOREST})
    assert routes(output.endpoints) == {("GET", "/books/", "get"), ("POST", "/books/", "post")}


FLASK_FACTORIES = """
from flask import Blueprint, Flask

from site_app.settings_pages import build_settings_blueprint

app = Flask(__name__)


def build_reports_blueprint(store):
    reports = Blueprint("reports", __name__)

    @reports.route("/<report_id>")
    def show(report_id):
        return store.get(report_id)

    return reports


app.register_blueprint(build_reports_blueprint(None), url_prefix="/reports")
settings_blueprint = build_settings_blueprint(None)
app.register_blueprint(settings_blueprint, url_prefix="/settings")
"""
FLASK_FACTORY_MODULE = """
from flask import Blueprint

from site_app.settings_extra import add_extra_routes


def build_settings_blueprint(store):
    pages = Blueprint("settings", __name__)
    llm = Blueprint("llm", __name__)

    @pages.route("", methods=["GET", "POST"])
    def index():
        return ""

    @llm.post("/test")
    def test_model():
        return ""

    pages.register_blueprint(llm, url_prefix="/llm")
    add_extra_routes(pages, store)
    return pages
"""
FLASK_ROUTES_ON_A_PARAMETER = """
def add_extra_routes(blueprint, store):
    @blueprint.route("/export")
    def export():
        return store.dump()
"""


def test_flask_blueprints_made_by_factories_nested_and_routes_added_by_helpers(
    tmp_path: Path,
) -> None:
    files = {
        "site_app/app.py": FLASK_FACTORIES,
        "site_app/settings_pages.py": FLASK_FACTORY_MODULE,
        "site_app/settings_extra.py": FLASK_ROUTES_ON_A_PARAMETER,
    }
    output = run_api(tmp_path, files)
    assert routes(output.endpoints) == {
        ("GET", "/reports/<report_id>", "show"),
        ("GET,POST", "/settings", "index"),
        ("POST", "/settings/llm/test", "test_model"),
        ("GET", "/settings/export", "export"),
    }


FLASK_WRAPPER = """
from flask.views import MethodView


def register_view(bp_or_app, routes, view_func, *args, **kwargs):
    for route in routes:
        bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)


def register_api(bp, base, view):
    register_view(bp, routes=[base, base + "/<int:item_id>"], view_func=view)
"""
FLASK_WRAPPER_USE = """
from flask import Blueprint, Flask
from flask.views import MethodView

from board.helpers import register_api, register_view

app = Flask(__name__)
forum = Blueprint("forum", __name__)


class Topic(MethodView):
    def get(self, topic_id, slug=None):
        return ""

    def post(self, topic_id, slug=None):
        return ""


def mark_read(forum_id):
    return ""


class Posts(MethodView):
    def get(self, item_id=None):
        return ""


register_view(
    forum,
    routes=["/topic/<int:topic_id>", "/topic/<int:topic_id>-<slug>"],
    view_func=Topic.as_view("topic"),
)
register_view(forum, routes=["/<int:forum_id>/markread"], view_func=mark_read, methods=["POST"])
register_api(forum, "/posts", Posts.as_view("posts"))
app.register_blueprint(forum, url_prefix=app.config["FORUM_PREFIX"])
"""


def test_routes_registered_through_the_projects_own_wrappers(tmp_path: Path) -> None:
    files = {"board/helpers.py": FLASK_WRAPPER, "board/forum.py": FLASK_WRAPPER_USE}
    output = run_api(tmp_path, files)
    prefix = '{app.config["FORUM_PREFIX"]}'
    assert routes(output.endpoints) == {
        ("GET", f"{prefix}/topic/<int:topic_id>", "get"),
        ("GET", f"{prefix}/topic/<int:topic_id>-<slug>", "get"),
        ("POST", f"{prefix}/topic/<int:topic_id>", "post"),
        ("POST", f"{prefix}/topic/<int:topic_id>-<slug>", "post"),
        ("POST", f"{prefix}/<int:forum_id>/markread", "mark_read"),
        ("GET", f"{prefix}/posts", "get"),
        ("GET", f"{prefix}/posts/<int:item_id>", "get"),
    }


FASTAPI_APP = """
from fastapi import APIRouter, Depends, FastAPI

from relay.auth import verify_token
from relay.tokens import make_token_router
from relay.pubsub import Broker

app = FastAPI()
v2 = FastAPI()
items = APIRouter(prefix="/items")


@items.post("")
async def create_item(item: dict):
    await repository.insert_one(item)


@items.get("/")
async def list_items():
    return []


@v2.get("/ping")
def ping():
    return "pong"


class Server:
    def __init__(self):
        self.broker = Broker()

    def mount(self, app: FastAPI):
        app.include_router(self.broker.api_router, dependencies=[Depends(verify_token)])
        app.include_router(make_token_router("/auth"), prefix="/api")


app.include_router(items, prefix="/api")
app.mount("/v2", v2)
"""
FASTAPI_TOKENS = """
from fastapi import APIRouter


def make_token_router(base_path):
    router = APIRouter()

    async def issue_token(form: dict):
        return {}

    router.add_api_route(f"{base_path}/token", issue_token, methods=["POST"])
    router.add_api_route(f"{OTHER_BASE}/revoke", issue_token, methods=["POST"])
    return router
"""
FASTAPI_PUBSUB = """
from fastapi import APIRouter


class Broker:
    def __init__(self):
        self.api_router = APIRouter()

        @self.api_router.get("/clients")
        async def clients():
            return []
"""
FASTAPI_AUTH = """
from fastapi import HTTPException, Request


async def verify_token(request: Request):
    if not request.headers.get("authorization"):
        raise HTTPException(status_code=401)
"""


def test_fastapi_routers_factories_mounts_and_templates(tmp_path: Path) -> None:
    files = {
        "relay/app.py": FASTAPI_APP,
        "relay/tokens.py": FASTAPI_TOKENS,
        "relay/pubsub.py": FASTAPI_PUBSUB,
        "relay/auth.py": FASTAPI_AUTH,
    }
    output = run_api(tmp_path, files)
    assert routes(output.endpoints) == {
        # ``@router.post("")`` under a prefix is the prefix itself, with nothing invented.
        ("POST", "/api/items", "create_item"),
        ("GET", "/api/items/", "list_items"),
        ("GET", "/v2/ping", "ping"),
        ("GET", "/clients", "clients"),
        # The helper's parameter is bound at its call; an unknown name keeps its name.
        ("POST", "/api/auth/token", "issue_token"),
        ("POST", "/api/{OTHER_BASE}/revoke", "issue_token"),
    }
    by_handler = {e.handler.rsplit(".", 1)[-1]: e for e in output.endpoints}
    assert by_handler["clients"].auth_source == "router"
    assert by_handler["create_item"].writes
    assert all("{?}" not in e.route for e in output.endpoints)


DJANGO_MANAGE = "import sys\n"
DJANGO_SETTINGS = """
ROOT_URLCONF = "core.urls"
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
DJANGO_ROOT = """
from django.contrib import admin
from django.urls import include, path, re_path

from core import views

urlpatterns = [
    path("", views.home),
    re_path(r"^", include("boards.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("cards.urls")),
]
"""
DJANGO_CORE_VIEWS = """
def home(request):
    return None
"""
DJANGO_BOARDS = """
from django.urls import include, path

from boards import api, views

app_name = "boards"

_pages = [
    path("", views.board_list),
    path("<int:pk>/", views.board_detail),
]
_api = [
    path("", api.BoardList.as_view()),
    path("<int:pk>/", api.BoardDetail.as_view()),
]
_extra = [path("archive/", views.board_archive)]

urlpatterns = [
    path("boards/", include(_pages)),
    path("api/boards/", include((_api, app_name), namespace="api")),
] + _extra
urlpatterns += [path("stats/", views.stats)]
"""
DJANGO_BOARDS_VIEWS = """
from django.contrib.auth.decorators import login_required


@login_required
def board_list(request):
    return None


@login_required
def board_detail(request, pk):
    return None


def board_archive(request):
    Board.objects.filter(archived=False).update(archived=True)


def stats(request):
    return None
"""
DJANGO_BOARDS_API = """
from rest_framework import generics


class BoardList(generics.ListCreateAPIView):
    pagination_class = None


class BoardDetail(generics.RetrieveUpdateDestroyAPIView):
    pass
"""
DJANGO_CARDS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cards.api import CardViewSet, LabelViewSet

router = DefaultRouter()
router.register(r"cards", CardViewSet, basename="card")

urlpatterns = [
    path("", include(router.urls)),
    path("labels/", LabelViewSet.as_view({"get": "list", "post": "create"})),
]
"""
DJANGO_CARDS_API = """
from rest_framework import viewsets
from rest_framework.decorators import action


class CardViewSet(viewsets.ModelViewSet):
    @action(detail=True, methods=["post"], url_path="move-to")
    def move(self, request, pk=None):
        return None


class LabelViewSet(viewsets.ModelViewSet):
    pass
"""


def test_django_urlconfs_under_a_manage_py_source_root(tmp_path: Path) -> None:
    files = {
        "project/manage.py": DJANGO_MANAGE,
        "project/core/settings.py": DJANGO_SETTINGS,
        "project/core/urls.py": DJANGO_ROOT,
        "project/core/views.py": DJANGO_CORE_VIEWS,
        "project/boards/urls.py": DJANGO_BOARDS,
        "project/boards/views.py": DJANGO_BOARDS_VIEWS,
        "project/boards/api.py": DJANGO_BOARDS_API,
        "project/cards/urls.py": DJANGO_CARDS,
        "project/cards/api.py": DJANGO_CARDS_API,
    }
    output = run_api(tmp_path, files)
    found = {(e.route, e.handler.rsplit(".", 1)[-1]) for e in output.endpoints}
    assert found == {
        ("/", "home"),
        ("/boards/", "board_list"),
        ("/boards/<int:pk>/", "board_detail"),
        ("/api/boards/", "BoardList"),
        ("/api/boards/<int:pk>/", "BoardDetail"),
        ("/archive/", "board_archive"),
        ("/stats/", "stats"),
        ("/api/cards/", "CardViewSet"),
        ("/api/cards/{pk}/", "CardViewSet"),
        ("/api/cards/{pk}/move-to/", "move"),
        ("/api/labels/", "LabelViewSet"),
    }
    by_route = {(e.route, e.methods): e for e in output.endpoints}
    assert by_route[("/boards/", ("*",))].auth_source == "decorator"
    assert by_route[("/api/cards/", ("POST",))].auth_source == "settings default"
    assert by_route[("/archive/", ("*",))].writes
    flagged = {
        (f.path, f.tool_code) for f in output.findings if f.tool_code != "undocumented-endpoint"
    }
    assert flagged == {
        ("project/boards/views.py", "unauthenticated-write"),
        # A ModelViewSet listing with no paginator and no DEFAULT_PAGINATION_CLASS.
        ("project/cards/api.py", "unpaginated-list"),
    }
