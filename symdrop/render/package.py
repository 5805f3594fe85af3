"""A zip of an LMS package (QTI's content packages) with the same bytes for the same files."""

import zipfile
from io import BytesIO

# Every entry of the zip gets this time stamp (zip's earliest): the same sheet gives the same bytes.
EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_package(files: dict[str, str | bytes]) -> bytes:
    """``files`` (name in the zip: text or bytes) as a zip: the manifest first, then the others in
    sorted order, each with the same time stamp and mode."""
    buffer = BytesIO()
    names = sorted(files, key=lambda name: (name != "imsmanifest.xml", name))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            data = files[name]
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()
