"""Flask's signed-cookie session, with its signing machinery built once instead of on every request.

Flask builds a new serializer for each request, and itsdangerous derives the signing key from the secret (an
HMAC) each time it signs or checks a cookie: a fixed cost on every request that carries a session, a kept
page's included. The serializer is built once per secret key (and fallbacks), and each derived key is
remembered; the cookie, its format and its checks are Flask's, unchanged."""
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class KeyRememberingSigner(TimestampSigner):
    """itsdangerous' TimestampSigner (what Flask signs with), remembering the keys it derived: the same secret
    and salt always derive the same key."""

    _derived = {}

    def derive_key(self, secret_key=None):
        secret = self.secret_keys[-1] if secret_key is None else secret_key
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(secret_key)
        return derived


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key]
        built = getattr(self, "_built", None)
        if built is None or built[0] != keys:
            serializer = URLSafeTimedSerializer(keys, salt=self.salt, serializer=self.serializer, signer=KeyRememberingSigner,
                                                signer_kwargs={"key_derivation": self.key_derivation,
                                                               "digest_method": self.digest_method})
            built = self._built = (keys, serializer)
        return built[1]


def init_app(app):
    app.session_interface = SessionInterface()
