"""Constructs of the contact-center stack, one concern each."""
