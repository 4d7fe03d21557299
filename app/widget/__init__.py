"""The embeddable upcoming-events widget that partner web sites put in an iframe."""
