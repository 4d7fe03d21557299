"""Messages WTForms and Flask-WTF produce themselves, marked here so our catalogue translates them.

Flask-WTF looks these up in the app's own translations (WTF_I18N_ENABLED).
"""

from flask_babel import lazy_gettext as _l

MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF session token is missing."),
    _l("The CSRF tokens do not match."),
    _l("Invalid email address."),
    _l("This field is required."),
)
