"""An S3-compatible bucket (AWS, MinIO, Ceph, Garage, Scaleway…) through boto3, AWS's own client.

Request signing (Signature Version 4), multipart uploads of large files, retries and time-outs are the
library's. What this module adds: one client per process and setting (building one costs ~0.5 s), keys under
the operator's prefix, and the two outcomes the rest of the platform understands: FileNotFoundError for an
object that is not there, S3Error when the bucket could not be used (unreachable, refused, misconfigured)."""
import functools
import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass

MIB = 1024 * 1024


class S3Error(RuntimeError):
    pass


@dataclass(frozen=True)
class S3Settings:
    endpoint: str  # https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000
    bucket: str
    region: str
    access_key: str  # empty: boto3's own search (AWS_* variables, instance or pod role)
    secret_key: str
    prefix: str = ""
    addressing_style: str = "path"  # bucket in the path, as most S3-compatible servers expect
    multipart_threshold: int = 8 * MIB  # larger files go up in parts of this size
    max_attempts: int = 3  # per request, counting the first
    timeout: float = 30.0


_session_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _session():
    import boto3

    return boto3.session.Session()  # loads the S3 service description once per process


@functools.lru_cache(maxsize=8)
def _client(endpoint, region, access_key, secret_key, addressing_style, max_attempts, timeout):
    """One client per connection setting (clients are thread-safe; sessions are not, hence the lock)."""
    from botocore.config import Config

    config = Config(
        region_name=region, s3={"addressing_style": addressing_style},
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=min(timeout, 5), read_timeout=timeout,
    )
    with _session_lock:
        return _session().client("s3", endpoint_url=endpoint or None, config=config,
                                 aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None)


@contextmanager
def _translated(action, key):
    """botocore's errors as FileNotFoundError (no such object) or S3Error (anything else)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise FileNotFoundError(key) from None
        raise S3Error(f"S3 {action} {key}: {error}") from error
    except BotoCoreError as error:
        raise S3Error(f"S3 {action} {key}: {error}") from error


class S3Client:
    def __init__(self, settings):
        self.settings = settings
        self.client = _client(settings.endpoint, settings.region, settings.access_key, settings.secret_key,
                              settings.addressing_style, settings.max_attempts, settings.timeout)

    def _key(self, name):
        return f"{self.settings.prefix}{name}"

    def put(self, name, data, content_type):
        """Uploads in one request, or in parts when `data` is above the multipart threshold."""
        from boto3.s3.transfer import TransferConfig

        size = self.settings.multipart_threshold  # parts below S3's 5 MiB minimum are raised to it by boto3
        transfer = TransferConfig(multipart_threshold=size, multipart_chunksize=size, max_concurrency=4)
        with _translated("PUT", name):
            self.client.upload_fileobj(io.BytesIO(data), self.settings.bucket, self._key(name),
                                       ExtraArgs={"ContentType": content_type}, Config=transfer)

    def get(self, name):
        with _translated("GET", name):
            return self.client.get_object(Bucket=self.settings.bucket, Key=self._key(name))["Body"].read()

    def stream(self, name, chunk_bytes):
        """(the object's size, an iterator over its bytes in pieces). A missing object or an unreachable
        bucket is known here, before any byte is sent; the body is closed when the iteration ends."""
        with _translated("GET", name):
            answer = self.client.get_object(Bucket=self.settings.bucket, Key=self._key(name))
        body = answer["Body"]

        def pieces():
            try:
                yield from body.iter_chunks(chunk_bytes)
            finally:
                body.close()

        return answer["ContentLength"], pieces()

    def exists(self, name):
        try:
            with _translated("HEAD", name):
                self.client.head_object(Bucket=self.settings.bucket, Key=self._key(name))
        except FileNotFoundError:
            return False
        return True
