"""The Datasette plugin of the web face: registers the project's pages (see :mod:`eventstudy.web.app`)."""

from datasette import hookimpl


@hookimpl
def register_routes(datasette):
    from .app import _routes

    return _routes()
