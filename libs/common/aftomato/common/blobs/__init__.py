"""Blobs (console logs, artifacts): the :class:`BlobStore` protocol and two stores.

``s3.S3BlobStore`` keeps one bucket (production), ``local.LocalBlobStore`` one folder
(``aftomato up``); one contract suite proves they keep the same promises.
"""

from aftomato.common.blobs.store import (
    CONSOLE_LOG_CONTENT_TYPE,
    CONSOLE_LOG_ENCODING,
    Blob,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobStoreUnavailable,
    InvalidBlobKey,
    console_log_key,
    read_all,
)

__all__ = [
    "CONSOLE_LOG_CONTENT_TYPE",
    "CONSOLE_LOG_ENCODING",
    "Blob",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreUnavailable",
    "InvalidBlobKey",
    "console_log_key",
    "read_all",
]
