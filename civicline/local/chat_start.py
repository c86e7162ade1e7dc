"""A local chat starts the way the deployed ``chat_start`` function starts one.

``civicline call --channel chat`` (and anything else that starts a chat on the local engine) builds
its StartChatContact request with the function's own domain code (functions/domain/chat_start.py),
and hands the engine what Connect would take from it: the contact attributes the chat starts with
and ``DisconnectOnCustomerExit``. So the rule "a customer who ends the chat still gets the survey"
has one definition, used by the deployed function and by the local engine alike.
"""

from __future__ import annotations

from typing import Any

from functions.domain import chat_start as rules
from schemas.chat_start import ChatStartRequest

#: the display name a local chat's customer has (the agent would see it)
LOCAL_DISPLAY_NAME = "Citizen"
_LOCAL_FLOW = "main-inbound"


def chat_start_options(language: str, *, display_name: str = LOCAL_DISPLAY_NAME) -> dict[str, Any]:
    """``Engine.run_contact`` keywords for a chat started as the web chat starts one: its
    attributes and its ``disconnect_on_customer_exit`` (from the StartChatContact request the
    deployed function would send for a page in ``language``: ``en-US``, ``es`` ...)."""
    request = ChatStartRequest(displayName=display_name, language="es" if language.startswith("es") else "en")
    params = rules.start_parameters(
        request, instance_id="local", flow_id=_LOCAL_FLOW, duration_minutes=60, idempotency="local"
    )
    return {
        "attributes": dict(params["Attributes"]),
        "disconnect_on_customer_exit": tuple(params["DisconnectOnCustomerExit"]),
    }
