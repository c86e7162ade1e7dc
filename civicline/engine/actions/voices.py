"""Amazon Polly voices and the engines each supports (Polly "Available voices" table), for
UpdateContactTextToSpeechVoice: "Results in error if voice or engine are invalid, or if the selected
voice does not support the selected engine" (contact-actions-updatecontacttexttospeechvoice)."""

from __future__ import annotations

STANDARD, NEURAL, GENERATIVE, LONG_FORM = "standard", "neural", "generative", "long-form"
_S, _N, _G, _L = {STANDARD}, {NEURAL}, {GENERATIVE}, {LONG_FORM}

#: voice -> engines (the English and Spanish voices a US public line meets, and the common others)
VOICES: dict[str, frozenset[str]] = {
    name: frozenset(engines)
    for name, engines in {
        # en-US
        "Danielle": _N | _L | _G,
        "Gregory": _N | _L,
        "Ivy": _S | _N,
        "Joanna": _S | _N | _G,
        "Kendra": _S | _N,
        "Kimberly": _S | _N,
        "Salli": _S | _N | _G,
        "Joey": _S | _N,
        "Justin": _S | _N,
        "Kevin": _N,
        "Matthew": _S | _N | _G,
        "Ruth": _N | _L | _G,
        "Stephen": _N | _G,
        "Patrick": _L,
        # es-US, es-MX, es-ES
        "Lupe": _S | _N | _G,
        "Penelope": _S,
        "Miguel": _S,
        "Pedro": _N | _G,
        "Mia": _S | _N | _G,
        "Andres": _N | _G,
        "Conchita": _S,
        "Lucia": _S | _N | _G,
        "Enrique": _S,
        "Sergio": _N | _G,
        # en-GB, en-AU, en-IN, en-NZ, en-ZA, en-IE, en-GB-WLS
        "Amy": _S | _N | _G,
        "Emma": _S | _N,
        "Brian": _S | _N | _G,
        "Arthur": _N,
        "Nicole": _S,
        "Olivia": _N | _G,
        "Russell": _S,
        "Aditi": _S,
        "Raveena": _S,
        "Kajal": _N | _G,
        "Aria": _N,
        "Ayanda": _N,
        "Niamh": _N,
        "Geraint": _S,
        # fr-FR, fr-CA, de-DE, pt-BR, it-IT
        "Celine": _S,
        "Lea": _S | _N | _G,
        "Mathieu": _S,
        "Remi": _N | _G,
        "Chantal": _S,
        "Gabrielle": _N | _G,
        "Liam": _N | _G,
        "Marlene": _S,
        "Vicki": _S | _N | _G,
        "Hans": _S,
        "Daniel": _N | _G,
        "Camila": _S | _N | _G,
        "Vitoria": _S | _N,
        "Ricardo": _S,
        "Thiago": _N | _G,
        "Carla": _S,
        "Bianca": _S | _N | _G,
        "Giorgio": _S,
        "Adriano": _N | _G,
    }.items()
}
_ACCENTS = str.maketrans("áéíóúàèçñ", "aeiouaecn")


def voice_named(name: str) -> str | None:
    """The table's spelling of ``name`` (case and accents ignored: "Penélope" -> "Penelope")."""
    wanted = name.strip().lower().translate(_ACCENTS)
    return next((voice for voice in VOICES if voice.lower() == wanted), None)


def engine_named(name: str) -> str | None:
    """``Neural`` -> ``neural``, ``LongForm`` / ``Long-form`` -> ``long-form``; None if unknown."""
    folded = name.strip().lower().replace("_", "-")
    folded = "long-form" if folded in ("longform", "long-form") else folded
    return folded if folded in (STANDARD, NEURAL, GENERATIVE, LONG_FORM) else None
