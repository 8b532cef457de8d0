"""The server-rendered web site (FastAPI + Jinja2).

`create_app` (druginfo.interfaces.app) includes `build_site_router(service)`, mounts
`STATIC_DIR` at /static and hands errors of site paths to `render_error`.
"""

from druginfo.interfaces.web.routes import (
    STATIC_DIR,
    TEMPLATES_DIR,
    build_site_router,
    render_error,
)

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "build_site_router", "render_error"]
