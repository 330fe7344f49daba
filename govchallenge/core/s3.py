"""A small S3-compatible object client (AWS, MinIO, Ceph, Scaleway…): PUT, GET, HEAD with AWS
Signature Version 4, path-style addressing, on the standard library alone."""
import hashlib
import hmac
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class S3Error(RuntimeError):
    pass


@dataclass(frozen=True)
class S3Settings:
    endpoint: str  # https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000
    bucket: str
    region: str
    access_key: str
    secret_key: str
    prefix: str = ""
    timeout: float = 30.0


def _sign(key, message):
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signature_v4(method, host, path, query, headers, payload_sha256, access_key, secret_key, region, moment, service="s3"):
    """The Authorization header for one request. `headers` (lower-case names) must include host and x-amz-*."""
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    canonical_headers = "".join(f"{name}:{' '.join(str(value).split())}\n" for name, value in sorted(headers.items()))
    signed_headers = ";".join(sorted(headers))
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in sorted(query.items())
    )
    canonical_request = "\n".join([
        method, urllib.parse.quote(path, safe="/-_.~"), canonical_query, canonical_headers, signed_headers, payload_sha256,
    ])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _sign(_sign(_sign(_sign(("AWS4" + secret_key).encode(), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


class S3Client:
    def __init__(self, settings):
        self.settings = settings
        parsed = urllib.parse.urlsplit(settings.endpoint.rstrip("/"))
        self.scheme, self.host, self.base_path = parsed.scheme, parsed.netloc, parsed.path

    def _path(self, key):
        return f"{self.base_path}/{self.settings.bucket}/{self.settings.prefix}{key}"

    def _request(self, method, key, data=b"", content_type=None):
        payload_sha = hashlib.sha256(data).hexdigest() if data else EMPTY_SHA256
        moment = datetime.now(timezone.utc)
        headers = {"host": self.host, "x-amz-date": moment.strftime("%Y%m%dT%H%M%SZ"), "x-amz-content-sha256": payload_sha}
        if content_type:
            headers["content-type"] = content_type
        path = self._path(key)
        headers["authorization"] = signature_v4(
            method, self.host, path, {}, {k: v for k, v in headers.items()}, payload_sha,
            self.settings.access_key, self.settings.secret_key, self.settings.region, moment,
        )
        url = f"{self.scheme}://{self.host}{urllib.parse.quote(path, safe='/-_.~')}"
        request = urllib.request.Request(url, data=data if method == "PUT" else None, method=method,
                                         headers={k: v for k, v in headers.items() if k != "host"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return 404, b""
            raise S3Error(f"S3 {method} {key}: HTTP {error.code} {error.read()[:200]!r}") from error
        except OSError as error:
            raise S3Error(f"S3 {method} {key}: {error}") from error

    def put(self, key, data, content_type):
        status, _ = self._request("PUT", key, data, content_type)
        if status not in (200, 201, 204):
            raise S3Error(f"S3 PUT {key}: HTTP {status}")

    def get(self, key):
        status, body = self._request("GET", key)
        if status == 404:
            raise FileNotFoundError(key)
        return body

    def exists(self, key):
        status, _ = self._request("HEAD", key)
        return status == 200
