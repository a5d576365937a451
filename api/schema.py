"""drf-spectacular extensions: describe the API's own authentication classes in the schema."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class ApiSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"


class ApiTokenScheme(TokenScheme):
    target_class = "api.authentication.TokenAuthentication"
