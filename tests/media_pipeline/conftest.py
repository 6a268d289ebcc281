"""Fixtures for media pipeline tests: moto's S3 server over real HTTP, and
users who may or may not upload videos."""

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from lms.models import Membership
from tests.lms.factories import MembershipFactory, OrganisationFactory, UserFactory

MOTO_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server on a free local port, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(settings, moto_endpoint):
    """Default storage switched to S3 (django-storages) on a fresh bucket of
    moto's server, configured exactly as production configures it."""
    bucket = f"jx-test-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="us-east-1", **MOTO_KEYS
    ).create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "access_key": MOTO_KEYS["aws_access_key_id"],
                "secret_key": MOTO_KEYS["aws_secret_access_key"],
                "querystring_auth": True,
                "querystring_expire": 600,
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        },
    }
    return settings


@pytest.fixture
def s3_bucket(s3_settings, moto_endpoint):
    """A boto3 client and bucket name to inspect what the app stored."""
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", **MOTO_KEYS)
    return client, s3_settings.AWS_STORAGE_BUCKET_NAME


@pytest.fixture
def local_media(settings, tmp_path):
    """Local file storage under a fresh MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def _user_with_role(role, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=role)
    return user


@pytest.fixture
def instructor(db):
    return _user_with_role(Membership.Role.INSTRUCTOR)


@pytest.fixture
def other_instructor(db):
    return _user_with_role(Membership.Role.INSTRUCTOR)


@pytest.fixture
def worker(db):
    return _user_with_role(Membership.Role.WORKER)


@pytest.fixture
def auditor(db):
    return _user_with_role(Membership.Role.AUDITOR)


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client
