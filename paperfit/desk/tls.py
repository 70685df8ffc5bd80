"""The desk's certificate for HTTPS on the practice's network: the practice's own, or one made
once with `cryptography` and kept, whose SHA-256 fingerprint staff can compare with the one
their browser shows.

Takes: a folder (and the names the desk answers to). Returns: the certificate's and key's paths
and the fingerprint.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from paperfit.forms.errors import PaperfitError

CERT_FILE = "desk-certificate.pem"
KEY_FILE = "desk-key.pem"
VALID_DAYS = 825  # the longest a browser accepts for a server certificate


def fingerprint(cert_path: Path) -> str:
    """The certificate's SHA-256 fingerprint as browsers show it (AB:CD:…)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as error:
        raise PaperfitError(f"{cert_path} is not a PEM certificate: {error}") from None
    return ":".join(f"{byte:02X}" for byte in cert.fingerprint(hashes.SHA256()))


def _alt_names(names: Sequence[str]) -> list[x509.GeneralName]:
    alt: list[x509.GeneralName] = []
    for name in dict.fromkeys(names):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    return alt


def self_signed(folder: Path, names: Sequence[str]) -> tuple[Path, Path, bool]:
    """The certificate and key kept in FOLDER, made (for NAMES) the first time; and whether
    they were made now. The key file is readable by its owner only."""
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path, False
    if cert_path.exists() or key_path.exists():  # one of the pair lost: both are made again
        for path in (cert_path, key_path):
            path.unlink(missing_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"paperfit desk {names[0]}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alt_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Each file whole or not at all (a temporary name, then renamed), the certificate last:
    # a start stopped half-way leaves no certificate, so the next start makes the pair again.
    _write_new(key_path, key_bytes, 0o600)
    _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert_path, key_path, True


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """DATA into PATH through a temporary file of MODE (from its creation), then renamed."""
    partial = path.with_name(f".{path.name}.part")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.replace(partial, path)
