"""The dashboard's routes: sign-in sets an HttpOnly, SameSite=Strict cookie holding a bearer
token; every page reads through the same stores and access rules as the API."""

from fastapi import APIRouter

from coprod.api.web.audit import router as audit_router
from coprod.api.web.collaboration import router as collaboration_router
from coprod.api.web.data import router as data_router
from coprod.api.web.forms import router as forms_router
from coprod.api.web.grids import router as grids_router
from coprod.api.web.home import router as home_router
from coprod.api.web.pages import router as pages_router
from coprod.api.web.promise import router as promise_router
from coprod.api.web.scenarios import router as scenarios_router
from coprod.api.web.tracking import router as tracking_router

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(home_router)
router.include_router(pages_router)
router.include_router(data_router)
router.include_router(forms_router)
router.include_router(grids_router)
router.include_router(audit_router)
router.include_router(scenarios_router)
router.include_router(tracking_router)
router.include_router(collaboration_router)
router.include_router(promise_router)
