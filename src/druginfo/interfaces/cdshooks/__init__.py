"""CDS Hooks 2.0 service: the personal check, run inside an EHR while a medicine is ordered.

`wire` has the protocol's shapes, `fhir_record` reads the patient's record into a profile,
`cards` turns the check into cards, and `service` answers the hooks.
"""

from druginfo.interfaces.cdshooks.service import CDSHooksService, build_cds_router
from druginfo.interfaces.cdshooks.wire import SERVICES, CDSError, HookRequest

__all__ = ["SERVICES", "CDSError", "CDSHooksService", "HookRequest", "build_cds_router"]
