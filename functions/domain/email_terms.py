"""The e-mail classifier's terms: what the agency reads and tunes to route e-mail by content.

Why a table of terms and not a trained model: an agency must be able to read why an e-mail went to
a queue ("matched 'estate tax' in the subject") and change it without a data scientist; the labelled
set (civicline/data/email_samples.jsonl) and ``make bench`` (benchmarks/bench_email.py) show what a
change does. A managed classifier (Amazon Comprehend custom classification) is the deployable option
when the terms stop scaling (docs/channels.md).

How to tune: add a stem (a term matches every word that starts with it, accents ignored: "pasaport"
matches "pasaporte", "pasaportes") or a phrase (several words, matched in order) to a topic, with a
weight (1 = a hint, 3 = decisive). Bump :data:`TERMS_VERSION` on every change: the version is
reported with each decision so a routing can be traced to the terms that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: bump on every change to :data:`TOPICS` or to how terms match (functions/domain/email_match.py);
#: reported with each classification
TERMS_VERSION = "2026-12-02.3"


@dataclass(frozen=True)
class EmailTopic:
    """One destination of e-mail: the registry queue, the office (reference data) and its terms."""

    topic: str
    queue: str
    office_id: str
    #: stem or phrase -> weight (English and Spanish side by side)
    terms: dict[str, int]
    #: knowledge-base topic (reference data) whose answer the acknowledgement may carry
    knowledge_topic: str = ""


#: the topic every unsure or empty message falls back to
GENERAL = "general"

TOPICS: tuple[EmailTopic, ...] = (
    EmailTopic(
        "status",
        "status",
        "central",
        {
            "case status": 3,
            "status of my": 3,
            "my case": 2,
            "case number": 2,
            "application status": 3,
            "update on my": 2,
            "still waiting": 2,
            "no news": 1,
            "estado de mi": 3,
            "mi caso": 2,
            "numero de caso": 2,
            "mi solicitud": 2,
            "sigo esperando": 2,
            "ninguna noticia": 1,
            "how long": 1,
            "cuanto tiempo": 1,
        },
    ),
    EmailTopic(
        "appeals",
        "appeals",
        "appeals",
        {
            "appeal": 3,
            "disagree": 2,
            "contest": 2,
            "reconsider": 2,
            "unfair": 1,
            "denied": 1,
            "denial": 1,
            "apelac": 3,
            "apelar": 3,
            "recurso": 3,
            "recurrir": 3,
            "impugn": 3,
            "desacuerdo": 2,
            "injust": 1,
            "negaron": 1,
            "rechaz": 1,
        },
    ),
    EmailTopic(
        "identity_theft",
        "identity_theft",
        "identity",
        {
            "identity theft": 4,
            "stole my identity": 4,
            "stolen identity": 4,
            "someone used my": 3,
            "fraud": 2,
            "fraudulent": 2,
            "i did not file": 3,
            "not me": 2,
            "scam": 2,
            "robo de identidad": 4,
            "robaron mi identidad": 4,
            "usurpac": 3,
            "fraude": 2,
            "alguien uso mi": 3,
            "no fui yo": 2,
            "estafa": 2,
        },
    ),
    EmailTopic(
        "tier2",
        "tier2",
        "tier2",
        {
            "estate tax": 4,
            "estate": 2,
            "inheritance": 3,
            "trust": 2,
            "deceased": 2,
            "executor": 3,
            "partnership": 2,
            "amended return": 3,
            "audit": 2,
            "complex": 1,
            "herencia": 3,
            "impuesto sucesorio": 4,
            "sucesion": 3,
            "fallec": 2,
            "albacea": 3,
            "fideicomiso": 3,
            "auditoria": 2,
            "declaracion enmendada": 3,
        },
    ),
    EmailTopic(
        "dmv",
        "general",
        "dmv",
        {
            "driver": 2,
            "license plate": 3,
            "driving": 2,
            "vehicle": 3,
            "car registration": 3,
            "registration sticker": 3,
            "title transfer": 3,
            "dmv": 4,
            "licencia de conducir": 4,
            "licencia de manejo": 4,
            "vehicul": 3,
            "placa": 3,
            "manejar": 2,
            "conducir": 2,
            "registro del auto": 3,
            "carro": 2,
        },
    ),
    EmailTopic(
        "property_tax",
        "general",
        "property_tax",
        {
            "property tax": 4,
            "assessment": 3,
            "assessor": 4,
            "home value": 3,
            "homestead": 3,
            "appraisal": 3,
            "my house": 1,
            "impuesto predial": 4,
            "impuesto a la propiedad": 4,
            "impuesto sobre la propiedad": 4,
            "avaluo": 3,
            "tasador": 4,
            "tasacion": 3,
            "valor de mi casa": 3,
            "mi casa": 1,
        },
    ),
    EmailTopic(
        "social_services",
        "general",
        "social_services",
        {
            "food stamp": 4,
            "snap": 3,
            "medicaid": 4,
            "benefit": 2,
            "child care": 3,
            "childcare": 3,
            "housing assistance": 3,
            "welfare": 3,
            "cupones de alimento": 4,
            "estampillas": 3,
            "beneficio": 2,
            "prestacion": 2,
            "cuidado infantil": 3,
            "guarderia": 3,
            "asistencia de vivienda": 3,
            "ayuda social": 3,
            "servicios sociales": 3,
        },
    ),
    EmailTopic(
        "passports",
        "general",
        "passports",
        {
            "passport": 4,
            "visa": 3,
            "immigration": 3,
            "green card": 4,
            "citizenship": 3,
            "naturalization": 3,
            "travel document": 3,
            "pasaport": 4,
            "inmigrac": 3,
            "tarjeta verde": 4,
            "residencia permanente": 4,
            "ciudadania": 3,
            "naturalizac": 3,
            "documento de viaje": 3,
        },
    ),
    EmailTopic(
        "north",
        "general",
        "north",
        {
            "north district": 4,
            "north office": 4,
            "northside": 3,
            "distrito norte": 4,
            "oficina norte": 4,
            "zona norte": 3,
        },
    ),
    EmailTopic(
        GENERAL,
        "general",
        "central",
        {
            "deadline": 2,
            "due date": 2,
            "when is": 1,
            "payment plan": 3,
            "installment": 3,
            "cannot pay": 2,
            "documents": 2,
            "what do i need": 2,
            "what should i bring": 2,
            "question": 1,
            "information": 1,
            "fecha limite": 2,
            "vence": 1,
            "plan de pago": 3,
            "cuotas": 3,
            "no puedo pagar": 2,
            "documentos": 2,
            "que necesito": 2,
            "que debo traer": 2,
            "pregunta": 1,
            "informacion": 1,
        },
    ),
)

#: words and phrases that ask how a matter is progressing (English and Spanish, matched like the
#: terms): with one of the agency's own numbers quoted beside them (a case number whose check digit
#: holds, a receipt, an acknowledgement's reference: functions/domain/identifiers.quoted_references)
#: a message is a status question, worth :data:`REFERENCE_PROGRESS_WEIGHT` to the status topic
PROGRESS_TERMS: tuple[str, ...] = (
    "when",
    "update",
    "status",
    "progress",
    "pending",
    "still waiting",
    "still have not",
    "any news",
    "heard back",
    "hear back",
    "how long",
    "where is",
    "taking so long",
    "delay",
    "cuando",
    "actualizacion",
    "novedad",
    "estado",
    "avance",
    "progreso",
    "pendiente",
    "todavia",
    "aun no",
    "sigo esperando",
    "cuanto tiempo",
    "donde esta",
    "demora",
    "tarda",
)
#: the sender's own matter (a possessive and what one files with an agency), English and Spanish:
#: with a progress question beside it, also a status question (no number needed)
OWN_MATTER_TERMS: tuple[str, ...] = (
    "my application",
    "my request",
    "my case",
    "my file",
    "my claim",
    "my form",
    "my submission",
    "my renewal",
    "my documents",
    "our application",
    "our request",
    "mi solicitud",
    "mi caso",
    "mi expediente",
    "mi peticion",
    "mi reclamo",
    "mi renovacion",
    "mi formulario",
    "mis documentos",
    "nuestra solicitud",
)
#: what a quoted reference (or the sender's own matter) with a progress question adds to the status
#: topic: as much as "my case" (enough alone to route; a message that names another office's matter
#: more strongly still goes there)
REFERENCE_PROGRESS_WEIGHT = 2
#: the topic a status question goes to
STATUS = "status"

#: knowledge-base topics (reference data, civicline/data/demo.py KNOWLEDGE_TOPICS) and their terms
KNOWLEDGE_TERMS: dict[str, tuple[str, ...]] = {
    "1": ("deadline", "due date", "when is", "extension", "fecha limite", "vence", "prorroga"),
    "2": ("payment plan", "installment", "cannot pay", "plan de pago", "cuotas", "no puedo pagar"),
    "3": (
        "documents",
        "what do i need",
        "what should i bring",
        "documentos",
        "que necesito",
        "que debo traer",
    ),
}

#: stop words that tell Spanish from English (accents removed)
SPANISH_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "que",
        "y",
        "en",
        "un",
        "una",
        "por",
        "para",
        "con",
        "mi",
        "su",
        "no",
        "es",
        "se",
        "al",
        "lo",
        "como",
        "pero",
        "hola",
        "gracias",
        "quiero",
        "necesito",
        "tengo",
        "usted",
        "buenos",
        "buenas",
        "dias",
        "senores",
        "estimados",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "a",
        "is",
        "for",
        "my",
        "on",
        "with",
        "that",
        "this",
        "it",
        "i",
        "you",
        "your",
        "have",
        "not",
        "be",
        "are",
        "was",
        "hello",
        "thanks",
        "please",
        "need",
        "want",
        "dear",
        "would",
        "could",
    ]
)
